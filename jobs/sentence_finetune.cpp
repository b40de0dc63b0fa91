#include "jobs/sentence_finetune.h"

#include <torch/torch.h>

#include <set>

#include "core/check.h"
#include "core/task/sentence_task.h"
#include "core/text.h"
#include "distributed/corpus_data.h"
#include "io/config/config_document.h"
#include "io/hash/xxhash64.h"
#include "io/llm/hf_model.h"
#include "jobs/lm/lm_text.h"
#include "jobs/pretrained_encoder.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {
namespace {

// The frozen LM of `s` with adapters on its projections (seeded: the same on every rank).
io::HfCausalLm open_llm(const SentenceConfig& s) {
  io::LlmWeightsOptions weights;
  weights.prefix = s.llm_prefix;
  weights.dtype = s.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  const std::set<std::string> targets(s.lora_targets.begin(), s.lora_targets.end());
  auto lm = io::load_hf_causal_lm(s.llm, weights, s.llm_config, s.lora, targets);
  model::freeze_all_but_lora(*lm.model);
  return lm;
}

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

// The LM's shape as the identity records it.
std::string lm_config_text(const io::HfCausalLm& lm) {
  const auto& o = lm.model->options();
  return o.family() + " vocab " + std::to_string(o.vocab()) + " hidden " +
         std::to_string(o.hidden()) + " layers " + std::to_string(o.layers());
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

  torch::manual_seed(static_cast<std::uint64_t>(config.seed));  // adapters, projector, aligner
  auto lm = open_llm(s);
  const auto& tokenizer = io::require_tokenizer(lm);
  const auto& eos = lm.model->options().eos();
  NS_CHECK_AS(ConfigError, !eos.empty(), "'", s.llm,
              "/config.json' has no eos_token_id: the sentence task ends each target with it");
  const auto [part_a, part_b] = split_prompt(s.prompt);
  const auto base_weights = base_weights_reference(lm);
  log.info("language model ", s.llm, ": ", lm.model->options().family(), ", ",
           lm.model->options().layers(), " layers, hidden ", lm.model->options().hidden(), ", ",
           s.dtype, ", frozen (", base_weights, "); LoRA rank ", s.lora.rank(), " on ",
           join(s.lora_targets, ", "));

  const auto subjects = distributed::subject_specs(run->index());
  auto encoder = config.task.model().encoder();
  encoder.subjects(subjects);
  llm::NeuralLm model(llm::NeuralLmOptions()
                          .encoder(encoder)
                          .projector_hidden(s.projector_hidden)
                          .aligner_width(s.aligner_width)
                          .temperature(s.temperature)
                          .max_logit_scale(s.max_logit_scale)
                          .ctc_classes(s.ctc_weight > 0 ? config.task.model().classes() : 0),
                      lm.model);
  task::SentenceTask task(task::SentenceTaskOptions()
                              .augment(config.task.augment())
                              .masking(config.task.masking())
                              .seed(static_cast<std::uint64_t>(config.seed))
                              .aligner_weight(s.aligner_weight)
                              .ctc_weight(s.ctc_weight)
                              .prompt_a(tokenizer.encode(part_a))
                              .prompt_b(tokenizer.encode(part_b))
                              .eos(eos.front()),
                          model,
                          [&tokenizer](const std::string& text) { return tokenizer.encode(text); });
  std::set<std::string> pretrained;
  if (!config.init_checkpoint.empty())
    pretrained = load_pretrained_encoder(model->encoder, config.init_checkpoint, log);
  task.module().to(run->device());
  std::int64_t trainable = 0;
  for (const auto& p : model->parameters()) trainable += p.requires_grad() ? p.numel() : 0;
  log.info("end-to-end model: ", trainable, " trainable values (encoder, projector, adapters, ",
           "aligner", s.ctc_weight > 0 ? ", CTC head" : "", ")");

  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  const double body = config.body_lr_scale;
  if (!pretrained.empty()) {
    optimization.lr_scale = [&pretrained, body](const std::string& name) {
      return pretrained.count(name) ? body : 1.0;
    };
  }
  optimization.base_weights = base_weights;
  // The identity names the LM by content (weights and tokenizer), not by path, so a moved
  // directory still resumes and other weights under the same path do not.
  auto described = config.sentence;
  described.llm.clear();
  described.llm_config.clear();
  optimization.model_identity = distributed::neural_model_identity(
      "sentence", subjects,
      io::to_yaml([&](io::ConfigVisitor& v) {
        describe(v, config.task);
        v.section("sentence", "", [&](io::ConfigVisitor& x) { describe(x, described); });
      }) +
          "llm_weights: " + base_weights +
          "\nllm_tokenizer: xxh64=" + io::to_hex(io::xxhash64_file(s.llm + "/tokenizer.json")) +
          "\nllm_config: " + lm_config_text(lm) + "\n");
  optimization.flops_per_bin = flops_per_bin(*model, task);
  run->train(task, optimization);
}

}  // namespace neuroscale::jobs
