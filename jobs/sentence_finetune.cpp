#include "jobs/sentence_finetune.h"

#include <torch/torch.h>

#include <set>

#include "core/check.h"
#include "core/text.h"
#include "distributed/corpus_data.h"
#include "jobs/pretrained_encoder.h"
#include "jobs/sentence_model.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {
namespace {

// Approximate training FLOPs per 20 ms bin: 6 per trainable encoder-side parameter and
// token, and 4 per frozen LM parameter and neural token (forward and input gradients; the
// prompt and sentence tokens are not counted).
double flops_per_bin(llm::NeuralLmImpl& model, const task::Task& task) {
  double shared = 0.0, lm = 0.0;
  for (const auto& item : model.named_parameters(true)) {
    if (starts_with(item.key(), "llm.")) {
      lm += static_cast<double>(item.value().numel());
    } else if (!task.subject_specific(item.key())) {
      shared += static_cast<double>(item.value().numel());
    }
  }
  return (6.0 * shared + 4.0 * lm) / static_cast<double>(model.options().encoder().patch_size());
}

}  // namespace

void run_sentence_finetune(ConfigJob& job, FinetuneConfig& config) {
  const auto patch = config.task.model().encoder().patch_size();
  auto spec = training_spec("end-to-end fine-tuning", job, config, patch);
  spec.labeled_only = true;
  spec.fraction = config.label_fraction;
  spec.fraction_seed = static_cast<std::uint64_t>(config.label_seed);
  const auto run = open_training_session(job, spec);
  Logger& log = run->log();
  const auto& s = config.sentence;

  const auto subjects = distributed::subject_specs(run->index());
  auto built = build_sentence_model(config, subjects, log);
  auto& task = *built->task;
  auto& model = task.model();
  std::set<std::string> pretrained;
  if (!config.init_checkpoint.empty())
    pretrained = load_pretrained_encoder(model->encoder, config.init_checkpoint,
                                         config.init_new_read_ins, log);
  task.module().to(run->device());
  std::int64_t trainable = 0;
  for (const auto& p : model->parameters()) trainable += p.requires_grad() ? p.numel() : 0;
  log.info("end-to-end model: ", trainable, " trainable values (encoder, projector, adapters, ",
           "aligner", s.ctc_weight > 0 ? ", CTC head" : "", ")");

  auto optimization = finetune_optimization(config, std::move(pretrained));
  optimization.base_weights = built->base_weights;
  optimization.model_identity = built->identity;
  optimization.flops_per_bin = flops_per_bin(*model, task);
  run->train(task, optimization);
}

}  // namespace neuroscale::jobs
