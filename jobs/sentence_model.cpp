#include "jobs/sentence_model.h"

#include <torch/torch.h>

#include <set>

#include "core/check.h"
#include "core/text.h"
#include "distributed/corpus_data.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/hash/xxhash64.h"
#include "jobs/lm/lm_text.h"
#include "jobs/phoneme_model.h"

namespace neuroscale::jobs {
namespace {

// The frozen LM of `s` with adapters on its projections.
io::HfCausalLm open_llm(const SentenceConfig& s) {
  io::LlmWeightsOptions weights;
  weights.prefix = s.llm_prefix;
  weights.dtype = s.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  const std::set<std::string> targets(s.lora_targets.begin(), s.lora_targets.end());
  auto lm = io::load_hf_causal_lm(s.llm, weights, s.llm_config, s.lora, targets);
  model::freeze_all_but_lora(*lm.model);
  return lm;
}

// The LM's shape as the identity records it.
std::string lm_shape(const io::HfCausalLm& lm) {
  const auto& o = lm.model->options();
  return o.family() + " vocab " + std::to_string(o.vocab()) + " hidden " +
         std::to_string(o.hidden()) + " layers " + std::to_string(o.layers());
}

}  // namespace

std::unique_ptr<SentenceModel> build_sentence_model(FinetuneConfig config,
                                                    const std::vector<model::SubjectSpec>& subjects,
                                                    Logger& log) {
  const auto& s = config.sentence;
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));  // adapters, projector, aligner
  auto built = std::make_unique<SentenceModel>();
  built->lm = open_llm(s);
  const auto& tokenizer = io::require_tokenizer(built->lm);
  const auto& lm_options = built->lm.model->options();
  NS_CHECK_AS(ConfigError, !lm_options.eos().empty(), "'", s.llm,
              "/config.json' has no eos_token_id: the sentence task ends each target with it");
  built->base_weights = base_weights_reference(built->lm);
  log.info("language model ", s.llm, ": ", lm_options.family(), ", ", lm_options.layers(),
           " layers, hidden ", lm_options.hidden(), ", ", s.dtype, ", frozen (",
           built->base_weights, "); LoRA rank ", s.lora.rank(), " on ", join(s.lora_targets, ", "));

  auto encoder = config.task.model().encoder();
  encoder.subjects(subjects);
  llm::NeuralLm model(llm::NeuralLmOptions()
                          .encoder(encoder)
                          .projector_hidden(s.projector_hidden)
                          .aligner_width(s.aligner_width)
                          .temperature(s.temperature)
                          .max_logit_scale(s.max_logit_scale)
                          .ctc_classes(s.ctc_weight > 0 ? config.task.model().classes() : 0),
                      built->lm.model);
  const auto [part_a, part_b] = split_prompt(s.prompt);
  const io::BpeTokenizer* tokens = &tokenizer;
  built->task = std::make_unique<task::SentenceTask>(
      task::SentenceTaskOptions()
          .augment(config.task.augment())
          .masking(config.task.masking())
          .seed(static_cast<std::uint64_t>(config.seed))
          .aligner_weight(s.aligner_weight)
          .ctc_weight(s.ctc_weight)
          .prompt_a(tokenizer.encode(part_a))
          .prompt_b(tokenizer.encode(part_b))
          .eos(lm_options.eos().front()),
      model, [tokens](const std::string& text) { return tokens->encode(text); });

  // The identity names the LM by content (weights and tokenizer), not by path, so a moved
  // directory still resumes and other weights under the same path do not.
  auto described = s;
  described.llm.clear();
  described.llm_config.clear();
  built->identity = distributed::neural_model_identity(
      "sentence", subjects,
      io::to_yaml([&](io::ConfigVisitor& v) {
        describe(v, config.task);
        v.section("sentence", "", [&](io::ConfigVisitor& x) { describe(x, described); });
      }) +
          "llm_weights: " + built->base_weights +
          "\nllm_tokenizer: xxh64=" + io::to_hex(io::xxhash64_file(s.llm + "/tokenizer.json")) +
          "\nllm_shape: " + lm_shape(built->lm) + "\n");
  return built;
}

std::unique_ptr<SentenceModel> load_sentence_model(const std::string& path,
                                                   const io::CorpusIndex& index,
                                                   const std::string& corpus, Logger& log) {
  const auto location = io::locate_checkpoints(path);
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      location, [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  const auto trained = finetune_run_config(location);
  NS_CHECK_AS(ConfigError, trained.objective == "sentence", "checkpoint '", checkpoint,
              "' is a CTC phoneme model (its run's task is ", trained.objective,
              "): decode it with decode.method greedy or beam");
  auto model = build_sentence_model(trained, distributed::subject_specs(index), log);
  NS_CHECK_AS(ConfigError, model->identity.matches(manifest.config_hash), "checkpoint '",
              checkpoint,
              "' does not fit: it was written for another model, subject table or language model "
              "than its run's config.yaml, its LM directory '",
              trained.sentence.llm, "' and corpus '", corpus, "' describe",
              manifest.base_weights.empty() ? "" : " (its LM: " + manifest.base_weights + ")");
  io::ModuleLoad how;
  how.trainable_only = true;  // the frozen LM is the directory's
  io::load_module(model->task->module(), checkpoint, manifest, how);
  model->checkpoint = checkpoint;
  model->step = manifest.step;
  return model;
}

}  // namespace neuroscale::jobs
