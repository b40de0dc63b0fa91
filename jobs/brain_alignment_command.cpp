// `neuroscale evaluate --task brain-alignment`: how well a speech model's layers predict fMRI
// responses: voxelwise ridge encoding models from layer features to each participant's
// responses, scored on held-out stories (Pearson r, normalised by the noise ceiling where
// repeats exist). Ranks share the stories' feature extraction and the (participant, layer)
// fits; rank 0 writes the results.
#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "core/check.h"
#include "distributed/alignment_fits.h"
#include "distributed/story_features.h"
#include "io/config/config_document.h"
#include "io/fmri/fmri_reader.h"
#include "io/run/results.h"
#include "jobs/brain_model.h"
#include "jobs/config_job.h"
#include "jobs/corpus_names.h"
#include "jobs/schema/alignment_schema.h"

namespace neuroscale::jobs {

int run_brain_alignment(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  std::string task_name;
  ConfigJob job(
      runtime, ConfigJob::Kind::kEvaluation, "neuroscale evaluate --task brain-alignment",
      "Score how well a speech model's layers predict fMRI responses (brain alignment),\n"
      "as the reference recipe: layer features of 16 s causal windows every 100 ms,\n"
      "Lanczos-downsampled to the TR times and z-scored per story, FIR delays of 1-4 TRs,\n"
      "bootstrap ridge regression with one alpha per voxel, Pearson r per voxel on the\n"
      "held-out stories, normalised by the noise ceiling when the test story has repeats.\n"
      "The model is a brain-tuning run's (checkpoint=RUN) or the untuned one of `model`.\n"
      "Writes to --run-dir:\n"
      "  alignment.tsv              per participant, layer and number of training stories\n"
      "                             (data.encoding_stories): mean r, mean normalised r, voxels\n"
      "  alignment.json             the same, with the model and the stories\n"
      "  voxel_scores.safetensors   per-voxel r, alpha and noise ceiling\n"
      "Ranks share the stories' features and the (participant, layer) fits.",
      "configs/evaluate/brain-alignment-*.yaml");
  job.parser().option("--task", &task_name, "NAME",
                      "brain-alignment (phonemes: see 'neuroscale evaluate --help')");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale evaluate --task brain-alignment --config "
      "configs/evaluate/brain-alignment-tiny.yaml \\\n"
      "      --run-dir runs/align data.corpus=fmri.h5 checkpoint=runs/braintune\n"
      "  mpirun -np 4 neuroscale evaluate --task brain-alignment --config "
      "configs/evaluate/brain-alignment-tiny.yaml \\\n"
      "      --run-dir runs/align-untuned data.corpus=fmri.h5\n");
  AlignmentConfig config;
  if (!job.parse(args, config)) return 0;
  job.open(config.device);
  Logger& log = job.log();

  // ---- corpus: participants and stories
  io::FmriReader reader(config.corpus);
  const auto& index = reader.index();
  std::vector<std::string> all_participants;
  for (const auto& p : index.participants) all_participants.push_back(p.name);
  const auto participants = select_names(config.participants, all_participants, "data.participants",
                                         [&](const std::string& n) { index.participant(n); });
  const auto train_stories = select_stories(index, config.train_stories, "train",
                                            "data.train_stories", config.max_train_stories);
  const auto test_stories = select_stories(index, config.test_stories, "test", "data.test_stories");
  NS_CHECK_AS(ConfigError, !train_stories.empty() && !test_stories.empty(), "corpus '",
              config.corpus, "' needs training and test stories for brain alignment (",
              train_stories.size(), " and ", test_stories.size(), " selected)");
  for (const auto& s : test_stories) {
    NS_CHECK_AS(ConfigError, index.story(s).rows() > config.test_skip_rows, "data.test_skip_rows (",
                config.test_skip_rows, ") leaves no row of test story '", s, "' (",
                index.story(s).rows(), " rows)");
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
  model.task->module().to(job.device());
  model.task->module().eval();
  config.features.windows().sample_rate(static_cast<std::int64_t>(index.sample_rate));

  // ---- features: story k on rank k % ranks, downsampled to its TRs, then shared
  std::vector<std::string> stories = train_stories;
  for (const auto& s : test_stories) {
    if (std::find(stories.begin(), stories.end(), s) == stories.end()) stories.push_back(s);
  }
  const bool ground_truth = config.feature_source == "ground_truth";
  // One pseudo-layer (-1) for the hidden features of a synthetic corpus.
  const std::vector<std::int64_t> layers =
      ground_truth ? std::vector<std::int64_t>{-1} : config.features.layers();
  std::map<std::string, at::Tensor> features;  // story -> [layers, rows, width]
  if (ground_truth) {
    for (const auto& name : stories) {
      const auto values = reader.ground_truth_features(name);
      NS_CHECK_AS(ConfigError, values.defined(), "features.source ground_truth: corpus '",
                  config.corpus, "' has no ", io::FmriReader::ground_truth_features_path(name),
                  " (only synthetic corpora carry their hidden features)");
      features[name] = values.unsqueeze(0);
    }
  } else {
    features = distributed::story_features(reader, stories, backbone, config.features, job.comm(),
                                           job.device(), log);
  }

  // ---- encoding models: (participant, layer) pairs round-robin over ranks, on the first n
  // training stories for each n of data.encoding_stories, then on all of them
  const auto all = static_cast<std::int64_t>(train_stories.size());
  std::set<std::int64_t> counts = {all};
  for (const std::int64_t n : config.encoding_stories) {
    NS_CHECK_AS(ConfigError, n <= all, "data.encoding_stories entry ", n, " exceeds the ", all,
                " training stories of corpus '", config.corpus, "'");
    counts.insert(n);
  }
  distributed::AlignmentFitOptions fit;
  fit.participants = participants;
  fit.test_stories = test_stories;
  fit.layers = static_cast<std::int64_t>(layers.size());
  fit.test_skip_rows = config.test_skip_rows;
  fit.delays = config.delays;
  fit.ridge = config.ridge;
  fit.zscore_repeats = config.zscore_repeats;
  io::AlignmentResults results;
  for (const std::int64_t n : counts) {
    fit.train_stories.assign(train_stories.begin(), train_stories.begin() + n);
    distributed::AlignmentFits fits;
    try {
      fits = distributed::fit_alignment(reader, features, fit, job.comm(), job.device(), log);
    } catch (const UsageError& e) {
      if (n == all) throw;
      NS_THROW(ConfigError, "data.encoding_stories entry ", n, " (ridge models on the first ", n,
               " training stories): ", e.what());
    }
    if (job.mpi().rank() == 0) {
      add_alignment_scores(fits, index, participants, layers, config.min_cc_max, n,
                           n == all ? "" : "/stories" + std::to_string(n), results, log);
    }
  }

  // ---- rank 0 writes the results
  if (job.mpi().rank() != 0) return 0;
  results.model = config.checkpoint.empty() ? "untuned" : config.checkpoint;
  results.step = step;
  results.base_weights = model.base_reference;
  results.train_stories = train_stories;
  results.test_stories = test_stories;
  io::write_alignment(job.run_dir(), results);
  log.info("brain alignment of ", participants.size(), " participant(s) x ", layers.size(),
           " layer(s) in ", job.run_dir(), "/alignment.tsv");
  return 0;
}

}  // namespace neuroscale::jobs
