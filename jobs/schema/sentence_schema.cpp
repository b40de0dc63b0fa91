#include "jobs/schema/sentence_schema.h"

#include <algorithm>

#include "core/check.h"
#include "io/fs/files.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, SentenceConfig& o) {
  v.value("llm", o.llm,
          Field("Hugging Face causal LM directory (config.json, model.safetensors or its index, "
                "tokenizer.json): frozen, with LoRA adapters"));
  v.value("llm_prefix", o.llm_prefix,
          Field("key prefix of the LM inside its weights (Aero-1-Audio: language_model.)"));
  v.value("llm_config", o.llm_config,
          Field("another config.json describing the LM (empty: the directory's)"));
  v.value("dtype", o.dtype, Field("the frozen LM's parameters").one_of({"float32", "bfloat16"}));
  v.value("prompt", o.prompt,
          Field("the prompt; '#' marks where the neural tokens go (BIT's by default)"));
  v.value("projector_hidden", o.projector_hidden,
          Field("0: the projector is one Linear; > 0: Linear-ReLU-Linear of this inner width")
              .range(0, 1 << 20));
  v.section("lora", "adapters on the LM's projections (the base stays frozen)",
            [&](ConfigVisitor& l) {
              l.value("rank", o.lora.rank(), Field("rank r of each adapter").range(1, 4096));
              l.value("alpha", o.lora.alpha(),
                      Field("the update is scaled by alpha / r").greater_than(0));
              l.value("dropout", o.lora.dropout(),
                      Field("dropout on the adapters' input while training").range(0, 0.99));
              l.value("targets", o.lora_targets,
                      Field("projections with adapters: q_proj, k_proj, v_proj, o_proj, "
                            "gate_proj, up_proj, down_proj"));
            });
  v.value("aligner_weight", o.aligner_weight,
          Field("weight of the modality aligner's InfoNCE (0: off)").range(0, 1e6));
  v.value("aligner_width", o.aligner_width,
          Field("width of the aligner's two projections").range(1, 1 << 20));
  v.value("temperature", o.temperature,
          Field("the aligner's initial temperature (logit scale 1 / temperature)").greater_than(0));
  v.value("max_logit_scale", o.max_logit_scale,
          Field("ceiling of the aligner's logit scale").greater_than(0));
  v.value("ctc_weight", o.ctc_weight,
          Field("weight of an auxiliary CTC loss on the encoder (0: off; needs phoneme labels)")
              .range(0, 1e6));
}

void validate(const SentenceConfig& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, !o.llm.empty(), source,
              ": 'task: sentence' needs 'sentence.llm' (a Hugging Face causal LM directory)");
  NS_CHECK_AS(ConfigError, io::is_directory(o.llm), source, ": 'sentence.llm' is '", o.llm,
              "', which is not a directory (a Hugging Face model directory is expected)");
  NS_CHECK_AS(
      ConfigError, std::count(o.prompt.begin(), o.prompt.end(), '#') == 1, source,
      ": 'sentence.prompt' must contain exactly one '#' (where the neural tokens go), got '",
      o.prompt, "'");
  static const std::vector<std::string> kProjections = {
      "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
  NS_CHECK_AS(ConfigError, !o.lora_targets.empty(), source, ": 'sentence.lora.targets' is empty");
  for (const auto& target : o.lora_targets) {
    NS_CHECK_AS(ConfigError,
                std::find(kProjections.begin(), kProjections.end(), target) != kProjections.end(),
                source, ": 'sentence.lora.targets' names '", target,
                "'; expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj");
  }
}

std::pair<std::string, std::string> split_prompt(const std::string& prompt) {
  const auto at = prompt.find('#');
  NS_CHECK_AS(ConfigError, at != std::string::npos, "the prompt '", prompt,
              "' has no '#' marking the neural tokens");
  return {prompt.substr(0, at), prompt.substr(at + 1)};
}

}  // namespace neuroscale::jobs
