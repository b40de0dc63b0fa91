// `neuroscale evaluate --task brain-alignment`: how well a speech model's layers predict fMRI
// responses: voxelwise ridge encoding models from layer features to each participant's
// responses, scored on held-out stories (Pearson r, normalised by the noise ceiling where
// repeats exist). Ranks share the stories' feature extraction and the (participant, layer)
// fits; rank 0 writes the results.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <iostream>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/check.h"
#include "core/encoding/encoding_model.h"
#include "core/encoding/lanczos.h"
#include "core/encoding/scores.h"
#include "core/progress.h"
#include "core/json.h"
#include "core/text.h"
#include "distributed/accelerator.h"
#include "distributed/communicator.h"
#include "io/config/config_document.h"
#include "io/fmri/fmri_reader.h"
#include "io/run/run_directory.h"
#include "io/schema/alignment_schema.h"
#include "io/tensors/safetensors.h"
#include "jobs/brain_model.h"
#include "jobs/corpus_names.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
namespace {

// Sums `tensor` over ranks in place (each rank filled its own part, zeros elsewhere).
void share(distributed::Communicator& comm, const at::Device& device, at::Tensor& tensor) {
  auto on_device = tensor.to(device);
  comm.allreduce(on_device, distributed::ReduceOp::kSum)->wait(comm.options().timeout);
  tensor = on_device.to(at::kCPU);
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "nan";
  std::ostringstream out;
  out.precision(6);
  out << value;
  return out.str();
}

// Layer features of `stories`, each story extracted by rank k % ranks, Lanczos-downsampled
// to its TR times, then shared with every rank: story -> [layers, rows, hidden].
std::map<std::string, at::Tensor> model_features(const io::AlignmentConfig& config, const io::FmriIndex& index,
                                                 const io::FmriReader& reader, const std::vector<std::string>& stories,
                                                 model::Wav2Vec2ModelImpl& backbone, distributed::Communicator& comm,
                                                 const at::Device& device, Logger& log) {
  const int rank = comm.rank(), ranks = comm.size();
  const auto& layers = config.features.layers();
  std::int64_t my_windows = 0;
  for (std::size_t k = static_cast<std::size_t>(rank); k < stories.size(); k += static_cast<std::size_t>(ranks)) {
    my_windows += static_cast<std::int64_t>(
        encoding::feature_windows(index.story(stories[k]).samples, config.features.windows()).spans.size());
  }
  std::map<std::string, at::Tensor> features;
  Progress progress(log, "features", std::max<std::int64_t>(my_windows, 1), "windows",
                    ProgressOptions{stderr_is_terminal(), 30.0});
  std::int64_t done = 0;
  for (std::size_t k = 0; k < stories.size(); ++k) {
    const auto& story = index.story(stories[k]);
    auto tensor = at::zeros({static_cast<std::int64_t>(layers.size()), story.rows(), backbone.options.hidden()},
                            at::kFloat);
    if (static_cast<int>(k % static_cast<std::size_t>(ranks)) == rank) {
      const auto extracted = encoding::speech_features(backbone, reader.audio(story.name), config.features,
                                                       [&](std::int64_t n) { progress.update(done + n); });
      done += extracted.times.size(0);
      const auto tr_times = at::tensor(story.tr_times, at::kDouble);
      for (std::size_t l = 0; l < layers.size(); ++l) {
        tensor[static_cast<std::int64_t>(l)].copy_(
            encoding::lanczos_interp2d(extracted.layers[l], extracted.times, tr_times));
      }
    }
    share(comm, device, tensor);
    features[story.name] = tensor;
  }
  return features;
}

}  // namespace

int run_brain_alignment(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  ConfigCommandLine line;
  CommonOptions common;
  std::string task_name;
  ArgParser parser("neuroscale evaluate --task brain-alignment",
                   "Score how well a speech model's layers predict fMRI responses (brain alignment),\n"
                   "as the reference recipe: layer features of 16 s causal windows every 100 ms,\n"
                   "Lanczos-downsampled to the TR times and z-scored per story, FIR delays of 1-4 TRs,\n"
                   "bootstrap ridge regression with one alpha per voxel, Pearson r per voxel on the\n"
                   "held-out stories, normalised by the noise ceiling when the test story has repeats.\n"
                   "The model is a brain-tuning run's (checkpoint=RUN) or the untuned one of `model`.\n"
                   "Writes to --run-dir:\n"
                   "  alignment.tsv              per participant and layer: mean r, mean normalised r, voxels\n"
                   "  alignment.json             the same, with the model and the stories\n"
                   "  voxel_scores.safetensors   per-voxel r, alpha and noise ceiling\n"
                   "Ranks share the stories' features and the (participant, layer) fits.");
  parser.option("--task", &task_name, "NAME", "brain-alignment (phonemes: see 'neuroscale evaluate --help')");
  add_config_options(parser, line, "configs/evaluate/brain-alignment-*.yaml", true, false);
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale evaluate --task brain-alignment --config configs/evaluate/brain-alignment-tiny.yaml \\\n"
      "      --run-dir runs/align data.corpus=fmri.h5 checkpoint=runs/braintune\n"
      "  mpirun -np 4 neuroscale evaluate --task brain-alignment --config configs/evaluate/brain-alignment-tiny.yaml \\\n"
      "      --run-dir runs/align-untuned data.corpus=fmri.h5\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  io::AlignmentConfig config;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  if (!read_config(line, describe, [&](const std::string& source) { io::validate(config, source); })) return 0;

  auto& mpi = runtime.mpi();
  runtime.open_run_directory(line.run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  const at::Device device = distributed::job_device(config.device, mpi.local_rank());
  auto comm = distributed::make_communicator(mpi, device, {});
  const int rank = mpi.rank(), ranks = mpi.size();

  // ---- corpus: participants and stories
  io::FmriReader reader(config.corpus);
  const auto& index = reader.index();
  std::vector<std::string> all_participants;
  for (const auto& p : index.participants) all_participants.push_back(p.name);
  const auto participants = select_names(config.participants, all_participants, "data.participants",
                                     [&](const std::string& n) { index.participant(n); });
  auto train_stories = select_names(config.train_stories, index.stories_in_split("train"), "data.train_stories",
                                [&](const std::string& n) { index.story(n); });
  if (config.max_train_stories > 0 && static_cast<std::int64_t>(train_stories.size()) > config.max_train_stories) {
    train_stories.resize(static_cast<std::size_t>(config.max_train_stories));
  }
  const auto test_stories = select_names(config.test_stories, index.stories_in_split("test"), "data.test_stories",
                                     [&](const std::string& n) { index.story(n); });
  NS_CHECK_AS(ConfigError, !train_stories.empty() && !test_stories.empty(), "corpus '", config.corpus,
              "' needs training and test stories for brain alignment (", train_stories.size(), " and ",
              test_stories.size(), " selected)");
  for (const auto& s : test_stories) {
    NS_CHECK_AS(ConfigError, index.story(s).rows() > config.test_skip_rows, "data.test_skip_rows (",
                config.test_skip_rows, ") leaves no row of test story '", s, "' (", index.story(s).rows(), " rows)");
  }

  // ---- the model: a brain-tuning run's, or the untuned one
  BrainModel model;
  std::int64_t step = 0;
  if (!config.checkpoint.empty()) {
    const auto run = brain_run_config(config.checkpoint);
    model = build_brain_model(run.model, run.seed, index.voxels, participants, log);
    step = load_brain_checkpoint(model, config.checkpoint, log);
    config.features.normalize_audio(run.model.options.normalize_audio());
  } else {
    model = build_brain_model(config.model, config.seed, index.voxels, participants, log);
    config.features.normalize_audio(config.model.options.normalize_audio());
  }
  auto& backbone = *model.task->model()->backbone;
  model.task->module().to(device);
  model.task->module().eval();
  config.features.windows().sample_rate(static_cast<std::int64_t>(index.sample_rate));

  // ---- features: story k on rank k % ranks, downsampled to its TRs, then shared
  std::vector<std::string> stories = train_stories;
  for (const auto& s : test_stories) {
    if (std::find(stories.begin(), stories.end(), s) == stories.end()) stories.push_back(s);
  }
  const bool ground_truth = config.feature_source == "ground_truth";
  // One pseudo-layer (-1) for the hidden features of a synthetic corpus.
  const std::vector<std::int64_t> layers = ground_truth ? std::vector<std::int64_t>{-1} : config.features.layers();
  std::map<std::string, at::Tensor> features;  // story -> [layers, rows, width]
  if (ground_truth) {
    for (const auto& name : stories) {
      const std::string path = "/ground_truth/stories/" + name + "/features";
      NS_CHECK_AS(ConfigError, reader.has_dataset(path), "features.source ground_truth: corpus '", config.corpus,
                  "' has no ", path, " (only synthetic corpora carry their hidden features)");
      const auto values = reader.dataset(path);
      NS_CHECK_AS(DataError, values.dim() == 2 && values.size(0) == index.story(name).rows(), "corpus '",
                  config.corpus, "': ", path, " must be [rows of the story, features], is ", values.sizes());
      features[name] = values.unsqueeze(0);
    }
  } else {
    features = model_features(config, index, reader, stories, backbone, *comm, device, log);
  }

  // ---- encoding models: (participant, layer) pairs round-robin over ranks
  const auto voxels = index.voxels;
  const auto pairs = static_cast<std::int64_t>(participants.size() * layers.size());
  auto r_all = at::zeros({pairs, voxels}, at::kDouble);
  auto alpha_all = at::zeros({pairs, voxels}, at::kDouble);
  std::vector<at::Tensor> ceilings(participants.size());
  const auto skip = config.test_skip_rows;
  Progress fits(log, "ridge fits", std::max<std::int64_t>((pairs + ranks - 1 - rank) / ranks, 1), "fits",
                ProgressOptions{stderr_is_terminal(), 30.0});
  for (std::size_t p = 0; p < participants.size(); ++p) {
    const auto& who = index.participant(participants[p]);
    std::vector<std::string> heard_train, heard_test;
    for (const auto& s : train_stories) if (who.has_story(s)) heard_train.push_back(s);
    for (const auto& s : test_stories) if (who.has_story(s)) heard_test.push_back(s);
    NS_CHECK_AS(ConfigError, !heard_train.empty() && !heard_test.empty(), "participant '", who.name,
                "' has no responses to the selected ", heard_train.empty() ? "training" : "test", " stories");
    // The noise ceiling, when every test story has repeats (same count).
    std::vector<at::Tensor> repeats;
    for (const auto& s : heard_test) {
      if (who.has_repeats(s)) repeats.push_back(reader.repeats(who.name, s).slice(1, skip));
    }
    if (repeats.size() == heard_test.size() &&
        std::all_of(repeats.begin(), repeats.end(), [&](const at::Tensor& t) { return t.size(0) == repeats[0].size(0); })) {
      encoding::NoiseCeilingOptions nc;
      nc.zscore_repeats(config.zscore_repeats);
      ceilings[p] = encoding::noise_ceiling(at::cat(repeats, 1), nc);
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto pair = static_cast<std::int64_t>(p * layers.size() + l);
      if (pair % ranks != rank) continue;
      std::vector<at::Tensor> x_train, y_train, x_test, y_test;
      for (const auto& s : heard_train) {
        x_train.push_back(features[s][static_cast<std::int64_t>(l)]);
        y_train.push_back(reader.responses(who.name, s));
      }
      for (const auto& s : heard_test) {
        x_test.push_back(features[s][static_cast<std::int64_t>(l)].slice(0, skip));
        y_test.push_back(reader.responses(who.name, s).slice(0, skip));
      }
      const auto scores = encoding::fit_and_score(x_train, y_train, x_test, y_test, config.delays, config.ridge);
      r_all[pair].copy_(scores.r);
      alpha_all[pair].copy_(scores.alphas);
      fits.advance();
    }
  }
  share(*comm, device, r_all);
  share(*comm, device, alpha_all);

  // ---- rank 0 writes the results
  if (rank != 0) return 0;
  std::string tsv = "participant\trole\tlayer\tmean_r\tmean_cc_norm\tnormalised_voxels\tvoxels\tmedian_alpha\n";
  auto scores = nlohmann::ordered_json::array();
  io::NamedTensors per_voxel;
  for (std::size_t p = 0; p < participants.size(); ++p) {
    const auto& who = index.participant(participants[p]);
    if (ceilings[p].defined()) per_voxel.emplace_back("cc_max/" + who.name, ceilings[p].to(at::kFloat));
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto pair = static_cast<std::int64_t>(p * layers.size() + l);
      const auto r = r_all[pair];
      const auto cc_norm = ceilings[p].defined() ? encoding::normalised_correlation(r, ceilings[p], config.min_cc_max)
                                                 : at::full_like(r, std::numeric_limits<double>::quiet_NaN());
      const auto summary = encoding::summarise_alignment(r, cc_norm);
      const double median_alpha = alpha_all[pair].median().item<double>();
      const std::string layer = layers[l] < 0 ? "ground_truth" : std::to_string(layers[l]);
      tsv += who.name + "\t" + who.role + "\t" + layer + "\t" + format_number(summary.mean_r) + "\t" +
             format_number(summary.mean_cc_norm) + "\t" + std::to_string(summary.normalised_voxels) + "\t" +
             std::to_string(summary.voxels) + "\t" + format_number(median_alpha) + "\n";
      scores.push_back({{"participant", who.name}, {"role", who.role}, {"layer", layer},
                        {"mean_r", summary.mean_r}, {"mean_cc_norm", summary.mean_cc_norm},  // NaN: null
                        {"normalised_voxels", summary.normalised_voxels}});
      const std::string key = who.name + (layers[l] < 0 ? "/ground_truth" : "/layer" + layer);
      per_voxel.emplace_back("r/" + key, r.to(at::kFloat));
      per_voxel.emplace_back("alpha/" + key, alpha_all[pair].to(at::kFloat));
      log.info(who.name, " (", who.role, ") layer ", layer, ": mean r ", format_number(summary.mean_r),
               ", mean normalised r ", format_number(summary.mean_cc_norm), " over ", summary.normalised_voxels,
               " voxels");
    }
  }
  nlohmann::ordered_json document;
  document["model"] = config.checkpoint.empty() ? "untuned" : config.checkpoint;
  document["step"] = step;
  document["base_weights"] = model.base_reference;
  document["train_stories"] = train_stories;
  document["test_stories"] = test_stories;
  document["scores"] = std::move(scores);
  io::RunDirectory out(line.run_dir);
  out.write_file("alignment.tsv", tsv);
  out.write_file("alignment.json", json_document(document));
  io::write_safetensors(line.run_dir + "/voxel_scores.safetensors", per_voxel);
  log.info("brain alignment of ", participants.size(), " participant(s) x ", layers.size(), " layer(s) in ",
           line.run_dir, "/alignment.tsv");
  return 0;
}

}  // namespace neuroscale::jobs
