// `neuroscale speech labels`: HuBERT's targets for a speech corpus, k-means clusters of MFCC
// frames (core/speech; the first iteration) or of a backbone layer's hidden states (the next
// iterations), made across the ranks (distributed/speech_labels.h) and written by rank 0 as
// a labels file (io/speech/speech_labels.h).
#include <ATen/ATen.h>

#include <iostream>
#include <optional>
#include <sstream>

#include "core/check.h"
#include "core/process_info.h"
#include "core/speech/label_quality.h"
#include "core/speech/mfcc.h"
#include "distributed/accelerator.h"
#include "distributed/communicator.h"
#include "distributed/speech_labels.h"
#include "io/fs/files.h"
#include "io/speech/speech_reader.h"
#include "jobs/command_options.h"
#include "jobs/speech/speech_actions.h"
#include "jobs/speech/speech_backbone.h"

namespace neuroscale::jobs {

int speech_labels(Runtime& runtime, const std::vector<std::string>& args) {
  std::string corpus, output, model_dir;
  std::int64_t layer = -1, clusters = 100, fit_frames = 250000, iterations = 100, seed = 1;
  double tolerance = 1e-4;
  bool force = false;
  CommonOptions common;
  ArgParser parser(
      "neuroscale speech labels",
      "Frame targets for HuBERT's masked prediction: the MFCCs of every utterance of a\n"
      "speech corpus (13 coefficients with deltas and delta-deltas, one frame per encoder\n"
      "frame: 25 ms every 20 ms at 16 kHz), or with --model and --layer the hidden states of\n"
      "a backbone's layer (HuBERT's second iteration), k-means (k-means++ seeding, Lloyd's\n"
      "iterations) fitted on a sample of the train split's frames, and each frame's nearest\n"
      "cluster.\n"
      "Under mpirun the utterances are shared among the ranks and the result is the same\n"
      "for any number of ranks. Writes a labels file (docs/speech-format.md, \"Frame\n"
      "labels\") under a temporary name, renamed when complete.");
  parser.option("--corpus", &corpus, "FILE", "speech corpus (neuroscale synth --kind speech)",
                true);
  parser.option("--output", &output, "FILE", "labels file to write (.h5)", true);
  parser.option("--model", &model_dir, "DIR",
                "cluster this Hugging Face wav2vec2/HuBERT directory's hidden states, not MFCCs "
                "(`speech export` of the previous iteration)");
  parser.option("--layer", &layer, "L",
                "with --model: the layer whose output is clustered "
                "(0: the input to the first layer; HuBERT base's second iteration: 6)");
  parser.option("--clusters", &clusters, "K", "k-means clusters (default 100, as HuBERT)");
  parser.option("--fit-frames", &fit_frames, "N",
                "about N train-split frames to fit k-means on (default 250000)");
  parser.option("--iterations", &iterations, "N", "most Lloyd iterations (default 100)");
  parser.option("--tolerance", &tolerance, "X",
                "stop when the inertia improves by less than X of itself (default 1e-4)");
  parser.option("--seed", &seed, "S", "seeds the frame sample and k-means++ (default 1)");
  parser.flag("--force", &force, "replace an existing output file");
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale speech labels --corpus speech.h5 --output labels-mfcc.h5\n"
      "  mpirun -np 4 neuroscale speech labels --corpus speech.h5 --output labels.h5 --clusters "
      "50\n");
  if (!parser.parse(args, std::cout)) return 0;
  NS_CHECK_AS(UsageError, clusters >= 2 && clusters <= 32767, "--clusters ", clusters,
              " (expected 2-32767)");
  NS_CHECK_AS(UsageError, fit_frames >= clusters, "--fit-frames ", fit_frames,
              " (expected at least --clusters, ", clusters, ")");
  NS_CHECK_AS(UsageError, iterations >= 1, "--iterations ", iterations, " (expected >= 1)");
  NS_CHECK_AS(UsageError, tolerance >= 0, "--tolerance ", tolerance, " (expected >= 0)");
  NS_CHECK_AS(UsageError, seed >= 0, "--seed ", seed, " (expected >= 0)");
  NS_CHECK_AS(UsageError, model_dir.empty() == (layer < 0),
              model_dir.empty() ? "--layer needs --model DIR" : "--model needs --layer L");
  check_output_path(output, "--output");
  NS_CHECK_AS(DataError, force || !io::path_exists(output), "output '", output,
              "' already exists (pass --force to replace it)");
  runtime.configure(common);
  Logger& log = runtime.logger();
  auto& mpi = runtime.mpi();

  io::SpeechReader reader(corpus);
  const speech::MfccOptions mfcc_options;
  mfcc_options.validate();
  NS_CHECK_AS(DataError, reader.index().sample_rate == mfcc_options.sample_rate(),
              "speech corpus '", corpus, "' is at ", reader.index().sample_rate,
              " Hz; the frame labels need ", mfcc_options.sample_rate(),
              " Hz (the encoder's rate)");
  distributed::SpeechLabelOptions options;
  distributed::FrameFeatures extract;
  std::optional<SpeechBackbone> backbone;
  if (model_dir.empty()) {
    options.features =
        "mfcc: 13 coefficients (40 mel bands, 20-7600 Hz, lifter 22) + deltas + "
        "delta-deltas, 400-sample frames every 320 samples";
    options.window = mfcc_options.window();
    options.hop = mfcc_options.hop();
    extract = [&](const std::vector<float>& audio) {
      return speech::mfcc(at::from_blob(const_cast<float*>(audio.data()),
                                        {static_cast<std::int64_t>(audio.size())}, at::kFloat),
                          mfcc_options);
    };
  } else {
    backbone = load_speech_backbone(model_dir, std::nullopt, log);
    const auto& o = backbone->model->options;
    NS_CHECK_AS(UsageError, layer <= o.layers(), "--layer ", layer, ": '", model_dir,
                "' has layers 0-", o.layers());
    NS_CHECK_AS(DataError, backbone->source.sampling_rate == reader.index().sample_rate, "model '",
                model_dir, "' expects ", backbone->source.sampling_rate, " Hz audio; corpus '",
                corpus, "' is at ", reader.index().sample_rate, " Hz");
    options.features = "layer " + std::to_string(layer) + " of " + backbone->source.model_type +
                       " '" + model_dir + "', weights " + backbone->weights + ", " +
                       std::to_string(o.receptive_field()) + "-sample frames every " +
                       std::to_string(o.total_stride()) + " samples";
    options.window = o.receptive_field();
    options.hop = o.total_stride();
    extract = [&](const std::vector<float>& audio) {
      return backbone->hidden_states(audio, layer).back();
    };
  }
  options.fit_frames = fit_frames;
  options.kmeans = speech::KmeansOptions()
                       .clusters(clusters)
                       .iterations(iterations)
                       .tolerance(tolerance)
                       .seed(static_cast<std::uint64_t>(seed));
  const auto comm = distributed::make_communicator(mpi, at::Device(at::kCPU), {});
  log.info("labelling ", reader.index().utterances.size(), " utterances of '", corpus, "' (",
           reader.index().hours(), " h) on ", mpi.size(), " rank(s)");
  // CPU threads per rank as the launcher gave them (OMP_NUM_THREADS, SLURM_CPUS_PER_TASK).
  if (const int threads = cpu_threads_from_launcher(); threads > 0) at::set_num_threads(threads);
  io::SpeechLabels labels = distributed::make_speech_labels(reader, extract, options, *comm, log);
  if (mpi.rank() == 0) {
    std::ostringstream provenance;
    provenance << "corpus: " << corpus << "\nfeatures: " << options.features
               << "\nclusters: " << clusters << "\nfit_frames: " << fit_frames
               << "\niterations: " << iterations << "\ntolerance: " << tolerance
               << "\nseed: " << seed << "\n";
    io::write_speech_labels(output, labels, force, provenance.str());
    std::vector<std::int64_t> counts(static_cast<std::size_t>(clusters), 0);
    for (auto label : labels.labels) ++counts[static_cast<std::size_t>(label)];
    std::int64_t used = 0;
    for (auto c : counts) used += c > 0;
    // What the labels say of the phonemes (espeak-ng's timing), per split.
    const auto& index = reader.index();
    std::cout << "speech labels '" << output << "': " << labels.labels.size() << " frames of "
              << labels.offset.size() << " utterances, " << used << " of " << clusters
              << " clusters used, k-means inertia " << labels.inertia << "\n";
    for (const char* split : io::kSpeechSplits) {
      std::vector<std::int64_t> phones, frame_labels;
      for (std::size_t u : index.in_split(split)) {
        const auto p =
            io::frame_phonemes(index.utterances[u], labels.window, labels.hop, labels.frames[u]);
        phones.insert(phones.end(), p.begin(), p.end());
        const auto first = labels.labels.begin() + labels.offset[u];
        frame_labels.insert(frame_labels.end(), first, first + labels.frames[u]);
      }
      const auto q = speech::label_quality(
          phones, frame_labels, static_cast<std::int64_t>(index.inventory.size()), clusters);
      if (q.frames == 0) continue;
      std::cout << "  " << split << ": " << q.frames << " frames with a phoneme, phone purity "
                << q.phone_purity << ", cluster purity " << q.cluster_purity << ", PNMI " << q.pnmi
                << "\n";
    }
  }
  comm->barrier();
  return 0;
}

}  // namespace neuroscale::jobs
