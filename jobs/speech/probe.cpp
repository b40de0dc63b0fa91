// `neuroscale speech probe`: how linearly readable the phonemes are from each layer of a
// speech backbone (or from MFCCs): a linear probe (core/speech/linear_probe.h) per layer,
// fitted on frames of the corpus's train split and scored on its test split, with each
// frame's phoneme from espeak-ng's timing (io::frame_phonemes).
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <optional>

#include "core/check.h"
#include "core/json.h"
#include "core/process_info.h"
#include "core/progress.h"
#include "core/speech/linear_probe.h"
#include "core/speech/mfcc.h"
#include "io/fs/files.h"
#include "io/speech/speech_reader.h"
#include "jobs/command_options.h"
#include "jobs/speech/speech_actions.h"
#include "jobs/speech/speech_backbone.h"

namespace neuroscale::jobs {
namespace {

// `count` utterances of `split`, evenly spaced over the split's index order (all of them when
// it has fewer).
std::vector<std::size_t> spread(const std::vector<std::size_t>& split, std::int64_t count) {
  if (static_cast<std::int64_t>(split.size()) <= count) return split;
  std::vector<std::size_t> chosen;
  for (std::int64_t i = 0; i < count; ++i)
    chosen.push_back(
        split[static_cast<std::size_t>(i * static_cast<std::int64_t>(split.size()) / count)]);
  return chosen;
}

// The frames of a set of utterances that have a phoneme: one feature matrix per feature set
// (MFCC and/or each layer), and the phonemes.
struct FrameSet {
  std::vector<std::vector<at::Tensor>> parts;  ///< [feature set][utterance] rows
  std::vector<at::Tensor> phoneme_parts;
  std::vector<at::Tensor> features;  ///< [feature set] -> [frames, dim]
  at::Tensor phonemes;               ///< [frames] int64
};

}  // namespace

int speech_probe(Runtime& runtime, const std::vector<std::string>& args) {
  std::string corpus, model_dir, output, braintune_run;
  std::int64_t train_utterances = 500, test_utterances = 200, seed = 1, iterations = 300,
               last_layer = -1;
  double weight_decay = 1e-4;
  bool random_init = false, with_mfcc = false, force = false;
  CommonOptions common;
  ArgParser parser(
      "neuroscale speech probe",
      "A linear phoneme probe on every layer of a wav2vec2/HuBERT backbone (a Hugging Face\n"
      "directory, as `speech export` writes or people download), on its random\n"
      "initialisation, after brain-tuning (a braintune run's adapters over it), and/or on\n"
      "MFCCs: multinomial logistic regression of each frame's\n"
      "phoneme (espeak-ng's timing in the speech corpus) from the standardised features,\n"
      "fitted by L-BFGS on frames of train-split utterances, scored on test-split ones.\n"
      "Prints one line per feature set and writes them as JSON with --output. Runs on one\n"
      "process (threads: OMP_NUM_THREADS).");
  parser.option("--corpus", &corpus, "FILE", "speech corpus (neuroscale synth --kind speech)",
                true);
  parser.option("--model", &model_dir, "DIR", "Hugging Face wav2vec2/HuBERT directory");
  parser.flag("--random-init", &random_init,
              "probe DIR's architecture with random weights (seeded by --seed), not its weights");
  parser.option("--braintune", &braintune_run, "RUN",
                "probe DIR's backbone as the brain-tuning run RUN left it (its base weights and "
                "adapters; its corpus gives the head's size)");
  parser.flag("--mfcc", &with_mfcc, "probe MFCCs too (13 + deltas + delta-deltas, 50 Hz)");
  parser.option("--last-layer", &last_layer, "L", "probe layers 0-L (default: all)");
  parser.option("--train-utterances", &train_utterances, "N",
                "train-split utterances the probes are fitted on (default 500)");
  parser.option("--test-utterances", &test_utterances, "N",
                "test-split utterances they are scored on (default 200)");
  parser.option("--weight-decay", &weight_decay, "X", "L2 penalty of the probe (default 1e-4)");
  parser.option("--iterations", &iterations, "N", "most L-BFGS iterations (default 300)");
  parser.option("--seed", &seed, "S", "seed of --random-init (default 1)");
  parser.option("--output", &output, "FILE", "write the results as JSON");
  parser.flag("--force", &force, "replace an existing --output");
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale speech probe --corpus speech.h5 --model runs/hubert-hf --mfcc\n"
      "  neuroscale speech probe --corpus speech.h5 --model runs/hubert-hf --random-init "
      "--output random.json\n"
      "  neuroscale speech probe --corpus speech.h5 --model runs/hubert-hf --braintune "
      "runs/bt-multi\n");
  if (!parser.parse(args, std::cout)) return 0;
  NS_CHECK_AS(UsageError, !random_init || !model_dir.empty(), "--random-init needs --model DIR");
  NS_CHECK_AS(UsageError, braintune_run.empty() || !model_dir.empty(),
              "--braintune needs --model DIR (the directory the run's base weights came from)");
  NS_CHECK_AS(UsageError, braintune_run.empty() || !random_init,
              "--braintune and --random-init exclude each other");
  NS_CHECK_AS(UsageError, !model_dir.empty() || with_mfcc,
              "nothing to probe: give --model DIR and/or --mfcc");
  NS_CHECK_AS(UsageError, train_utterances >= 1 && test_utterances >= 1,
              "--train-utterances and --test-utterances must be >= 1");
  NS_CHECK_AS(UsageError, weight_decay >= 0, "--weight-decay ", weight_decay, " (expected >= 0)");
  NS_CHECK_AS(UsageError, iterations >= 1, "--iterations ", iterations, " (expected >= 1)");
  NS_CHECK_AS(UsageError, seed >= 0, "--seed ", seed, " (expected >= 0)");
  if (!output.empty()) {
    check_output_path(output, "--output");
    NS_CHECK_AS(DataError, force || !io::path_exists(output), "output '", output,
                "' already exists (pass --force to replace it)");
  }
  runtime.configure(common);
  Logger& log = runtime.logger();
  NS_CHECK_AS(UsageError, runtime.mpi().size() == 1, "speech probe runs on one process, not ",
              runtime.mpi().size(), " ranks (its threads: OMP_NUM_THREADS)");
  if (const int threads = cpu_threads_from_launcher(); threads > 0) at::set_num_threads(threads);

  io::SpeechReader reader(corpus);
  const auto& index = reader.index();
  const speech::MfccOptions mfcc_options;
  NS_CHECK_AS(DataError, index.sample_rate == mfcc_options.sample_rate(), "speech corpus '", corpus,
              "' is at ", index.sample_rate, " Hz; the probe's frames need ",
              mfcc_options.sample_rate(), " Hz");
  std::optional<SpeechBackbone> backbone;
  std::vector<std::string> names;
  if (with_mfcc) names.push_back("mfcc");
  if (!model_dir.empty()) {
    backbone =
        braintune_run.empty()
            ? load_speech_backbone(
                  model_dir,
                  random_init ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(seed))
                              : std::nullopt,
                  log)
            : load_brain_tuned_backbone(model_dir, braintune_run, log);
    NS_CHECK_AS(DataError, backbone->source.sampling_rate == index.sample_rate, "model '",
                model_dir, "' expects ", backbone->source.sampling_rate, " Hz audio; corpus '",
                corpus, "' is at ", index.sample_rate, " Hz");
    const std::int64_t layers = backbone->model->options.layers();
    if (last_layer < 0) last_layer = layers;
    NS_CHECK_AS(UsageError, last_layer <= layers, "--last-layer ", last_layer, ": '", model_dir,
                "' has layers 0-", layers);
    for (std::int64_t l = 0; l <= last_layer; ++l) names.push_back("layer " + std::to_string(l));
  }
  const std::int64_t classes = static_cast<std::int64_t>(index.inventory.size());

  auto collect = [&](const char* split, std::int64_t count) {
    const auto chosen = spread(index.in_split(split), count);
    NS_CHECK_AS(DataError, !chosen.empty(), "speech corpus '", corpus, "' has no ", split,
                " utterances");
    FrameSet set;
    set.parts.resize(names.size());
    Progress progress(log, std::string("features of ") + split,
                      static_cast<std::int64_t>(chosen.size()), "utterances",
                      ProgressOptions{stderr_is_terminal(), 30.0});
    for (std::size_t u : chosen) {
      const auto audio = reader.audio(u);
      std::vector<at::Tensor> features;
      if (with_mfcc) {
        features.push_back(
            speech::mfcc(at::from_blob(const_cast<float*>(audio.data()),
                                       {static_cast<std::int64_t>(audio.size())}, at::kFloat),
                         mfcc_options));
      }
      if (backbone) {
        for (auto& state : backbone->hidden_states(audio, last_layer)) features.push_back(state);
      }
      const std::int64_t frames = features.front().size(0);
      for (const auto& f : features) {
        NS_CHECK_AS(DataError, f.size(0) == frames, "utterance ", u,
                    ": feature sets disagree on the frame count (", f.size(0), " vs ", frames, ")");
      }
      const auto phones = io::frame_phonemes(index.utterances[u], mfcc_options.window(),
                                             mfcc_options.hop(), frames);
      const at::Tensor phone = at::tensor(phones, at::kLong);
      const at::Tensor keep = phone.ge(0);
      set.phoneme_parts.push_back(phone.masked_select(keep));
      for (std::size_t s = 0; s < features.size(); ++s)
        set.parts[s].push_back(features[s].index({keep}));
      progress.advance(1);
    }
    for (auto& part : set.parts) {
      set.features.push_back(at::cat(part));
      part.clear();
    }
    set.phonemes = at::cat(set.phoneme_parts);
    return set;
  };
  const FrameSet train = collect("train", train_utterances);
  const FrameSet test = collect("test", test_utterances);
  // The majority baseline: every test frame given the most frequent phoneme of training.
  const std::int64_t majority =
      at::bincount(train.phonemes, {}, classes).argmax().item<std::int64_t>();
  const double majority_accuracy = test.phonemes.eq(majority).to(at::kDouble).mean().item<double>();
  log.info("probing ", names.size(), " feature set(s): ", train.phonemes.size(0), " train frames, ",
           test.phonemes.size(0), " test frames, ", classes, " phonemes");

  nlohmann::ordered_json result;
  result["corpus"] = corpus;
  result["model"] = model_dir;
  result["weights"] = backbone ? backbone->weights : "";
  result["braintune"] = braintune_run;
  result["train_utterances"] = train.phoneme_parts.size();
  result["test_utterances"] = test.phoneme_parts.size();
  result["train_frames"] = train.phonemes.size(0);
  result["test_frames"] = test.phonemes.size(0);
  result["phonemes"] = classes;
  result["weight_decay"] = weight_decay;
  result["majority_accuracy"] = majority_accuracy;
  result["probes"] = nlohmann::ordered_json::array();
  std::cout << "speech probe of '" << (model_dir.empty() ? corpus : model_dir) << "'"
            << (backbone ? " (" + backbone->weights + ")" : std::string()) << ": "
            << train.phonemes.size(0) << " train / " << test.phonemes.size(0) << " test frames, "
            << classes << " phonemes, majority " << std::fixed << std::setprecision(3)
            << majority_accuracy << "\n";
  for (std::size_t s = 0; s < names.size(); ++s) {
    const auto probe = speech::fit_linear_probe(
        train.features[s], train.phonemes, classes,
        speech::LinearProbeOptions().weight_decay(weight_decay).iterations(iterations));
    const double train_accuracy = speech::probe_accuracy(probe, train.features[s], train.phonemes);
    const double test_accuracy = speech::probe_accuracy(probe, test.features[s], test.phonemes);
    log.info("probe ", names[s], ": test accuracy ", test_accuracy, " (train ", train_accuracy,
             ", ", probe.evaluations, " evaluations)");
    std::cout << "  " << std::left << std::setw(9) << names[s] << std::right << " dim "
              << std::setw(4) << train.features[s].size(1) << "  train " << train_accuracy
              << "  test " << test_accuracy << "\n";
    result["probes"].push_back({{"features", names[s]},
                                {"dim", train.features[s].size(1)},
                                {"train_accuracy", train_accuracy},
                                {"test_accuracy", test_accuracy},
                                {"loss", probe.loss},
                                {"evaluations", probe.evaluations}});
  }
  if (!output.empty()) io::write_file_atomically(output, json_document(result));
  return 0;
}

}  // namespace neuroscale::jobs
