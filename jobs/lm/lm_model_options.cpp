#include "core/check.h"
#include "core/text.h"
#include "distributed/accelerator.h"
#include "jobs/lm/lm_actions.h"

namespace neuroscale::jobs {

void add_lm_model_options(ArgParser& parser, LmModelOptions& options) {
  parser.option("--model", &options.model, "DIR",
                "Hugging Face model directory: config.json, model.safetensors (or the shards of "
                "model.safetensors.index.json) and tokenizer.json",
                true);
  parser.option("--dtype", &options.dtype, "TYPE",
                "float32 (default) or bfloat16: the weights' dtype in memory (matching the file's: "
                "memory-mapped, no copy)");
  parser.option("--device", &options.device, "DEVICE", "cpu (default) or cuda");
  parser.option("--prefix", &options.prefix, "PREFIX",
                "the LLM's key prefix inside the weights (Aero-1-Audio: language_model.)");
  parser.option("--config", &options.config, "FILE",
                "the LLM's config.json when the directory's describes a larger model");
  parser.option("--batch-size", &options.batch_size, "N", "sequences per forward pass (default 8)");
  add_common_options(parser, options.common);
}

io::HfCausalLm open_lm(Runtime& runtime, const LmModelOptions& options) {
  NS_CHECK_AS(UsageError, options.dtype == "float32" || options.dtype == "bfloat16", "--dtype '",
              options.dtype, "' is not float32 or bfloat16");
  NS_CHECK_AS(UsageError, options.batch_size > 0, "--batch-size must be > 0, got ",
              options.batch_size);
  io::LlmWeightsOptions weights;
  weights.prefix = options.prefix;
  weights.dtype = options.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  weights.device = distributed::job_device(options.device, 0);
  auto lm = io::load_hf_causal_lm(options.model, weights, options.config);
  const auto& o = lm.model->options();
  runtime.logger().info("language model ", options.model, ": ", o.family(), ", ", o.layers(),
                        " layers, hidden ", o.hidden(), ", ", o.heads(), "/", o.kv_heads(),
                        " heads, vocabulary ", o.vocab(), "; ", lm.weights.tensors_loaded,
                        " tensors (", format_bytes(static_cast<double>(lm.weights.bytes)), ", ",
                        lm.weights.tensors_mapped, " memory-mapped) in ", options.dtype, " on ",
                        weights.device);
  return lm;
}

std::string tsv_field(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace neuroscale::jobs
