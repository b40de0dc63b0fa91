#include "jobs/speech/speech_backbone.h"

#include <torch/torch.h>

#include "core/check.h"
#include "io/fmri/fmri_reader.h"
#include "io/hash/xxhash64.h"
#include "io/tensors/speech_checkpoint.h"
#include "jobs/brain_model.h"

namespace neuroscale::jobs {

std::vector<at::Tensor> SpeechBackbone::hidden_states(const std::vector<float>& audio,
                                                      std::int64_t last_layer) {
  NS_CHECK_AS(UsageError, last_layer >= 0 && last_layer <= model->options.layers(), "layer ",
              last_layer, " of a backbone with layers 0-", model->options.layers());
  torch::NoGradGuard no_grad;
  at::Tensor input = torch::from_blob(const_cast<float*>(audio.data()),
                                      {1, static_cast<std::int64_t>(audio.size())}, at::kFloat);
  if (source.normalize) input = model::normalize_waveform(input);
  std::vector<at::Tensor> states = model->forward(input, last_layer);
  for (auto& state : states) state = state.squeeze(0).to(at::kFloat).contiguous();
  return states;
}

SpeechBackbone load_speech_backbone(const std::string& directory,
                                    std::optional<std::uint64_t> random_seed, Logger& log) {
  SpeechBackbone backbone;
  backbone.source = io::read_hf_speech_directory(directory);
  if (random_seed) torch::manual_seed(*random_seed);
  backbone.model = model::Wav2Vec2Model(backbone.source.options);
  backbone.model->eval();
  const auto& o = backbone.source.options;
  if (random_seed) {
    backbone.weights = "random initialisation (seed " + std::to_string(*random_seed) + ")";
  } else {
    const auto summary = io::load_speech_checkpoint(backbone.source.weights, *backbone.model);
    backbone.weights = summary.path + " (" + std::to_string(summary.bytes) + " bytes, xxh64 " +
                       io::to_hex(summary.xxh64) + ")";
  }
  log.info("speech backbone: ", backbone.source.model_type, " of '", directory, "', ", o.layers(),
           " layers of width ", o.hidden(), ", weights: ", backbone.weights);
  return backbone;
}

SpeechBackbone load_brain_tuned_backbone(const std::string& directory, const std::string& run,
                                         Logger& log) {
  SpeechBackbone backbone;
  backbone.source = io::read_hf_speech_directory(directory);
  const BraintuneConfig config = brain_run_config(run);
  NS_CHECK_AS(ConfigError, !config.model.base_weights.empty(), "brain-tuning run '", run,
              "' tuned a randomly initialised backbone, not the weights of '", directory, "'");
  const auto& mine = backbone.source.options;
  const auto& theirs = config.model.options.backbone();
  NS_CHECK_AS(ConfigError,
              mine.layers() == theirs.layers() && mine.hidden() == theirs.hidden() &&
                  mine.conv_dim() == theirs.conv_dim() &&
                  mine.intermediate() == theirs.intermediate(),
              "brain-tuning run '", run, "' has a backbone of ", theirs.layers(),
              " layers of width ", theirs.hidden(), " (conv ", theirs.conv_dim(), ", MLP ",
              theirs.intermediate(), "); '", directory, "' has ", mine.layers(), " of width ",
              mine.hidden(), " (conv ", mine.conv_dim(), ", MLP ", mine.intermediate(), ")");
  std::vector<std::string> participants;
  std::int64_t voxels = 0;
  {
    const io::FmriReader corpus(config.data.corpus);
    voxels = corpus.index().voxels;
    for (const auto& p : corpus.index().participants) participants.push_back(p.name);
  }
  auto tuned = std::make_shared<BrainModel>(
      build_brain_model(config.model, config.seed, voxels, participants, log));
  const std::int64_t step = load_brain_checkpoint(*tuned, run, log);
  tuned->task->module().eval();
  backbone.model = tuned->task->model()->backbone;
  backbone.tuned = tuned;
  backbone.weights = "brain-tuned by " + run + " (step " + std::to_string(step) + ") over " +
                     tuned->base_reference;
  log.info("speech backbone: ", backbone.source.model_type, " of '", directory, "', ",
           mine.layers(), " layers of width ", mine.hidden(), ", weights: ", backbone.weights);
  return backbone;
}

}  // namespace neuroscale::jobs
