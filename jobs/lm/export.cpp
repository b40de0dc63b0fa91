// `neuroscale lm export RUN_DIR --output DIR`: a checkpoint of an `lm train` run as a Hugging
// Face directory: the run's model rebuilt from its config.yaml and tokenizer.json (the base
// from model.init_from when it trained adapters), the checkpoint's parameters loaded, LoRA
// adapters merged into their weights.
#include <iostream>

#include "core/check.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/fs/files.h"
#include "io/llm/hf_writer.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/lm/lm_model.h"

namespace neuroscale::jobs {

int lm_export(Runtime& runtime, const std::vector<std::string>& args) {
  std::string run_dir, output;
  CommonOptions common;
  ArgParser parser(
      "neuroscale lm export",
      "Write a checkpoint of an `lm train` run as a Hugging Face directory\n"
      "(config.json, model.safetensors, tokenizer.json, tokenizer_config.json) that\n"
      "transformers and `neuroscale lm generate|score` load: the newest checkpoint that\n"
      "verifies, or the one PATH names. A run that trained LoRA adapters is rebuilt on\n"
      "its base (model.init_from, which must still hold the same weights) and the\n"
      "adapters are merged into their weights.");
  parser.positional("PATH", &run_dir,
                    "the run directory, its checkpoints/ or one step-N/ checkpoint");
  parser.option("--output", &output, "DIR",
                "the Hugging Face directory to write (replaced atomically)", true);
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale lm export runs/lm --output models/synthetic-lm\n"
      "  neuroscale lm export runs/lm-lora/checkpoints/step-00000200 --output models/tuned\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  Logger& log = runtime.logger();

  // ---- the run: config and tokenizer
  const auto location = io::locate_checkpoints(run_dir);
  const auto slash = location.directory.find_last_of('/');
  const std::string run = slash == std::string::npos ? "." : location.directory.substr(0, slash);
  LmTrainConfig config;
  io::ConfigDocument::from_file(run + "/config.yaml").read_into([&](io::ConfigVisitor& v) {
    describe(v, config);
  });
  const auto json = io::read_file(run + "/tokenizer.json");
  NS_CHECK_AS(DataError, json.has_value(), "'", run,
              "' has no tokenizer.json: is it the run directory of `neuroscale lm train`?");
  const LmTokenizer tokenizer{io::BpeTokenizer::from_json(*json, "'" + run + "/tokenizer.json'"),
                              *json, run + "/tokenizer.json"};
  const auto bos = special_token(tokenizer.tokenizer, config.data.bos_token, "data.bos_token",
                                 {"<|begin_of_text|>", "<|endoftext|>"});
  const auto eos = special_token(tokenizer.tokenizer, config.data.eos_token, "data.eos_token",
                                 {"<|end_of_text|>", "<|endoftext|>"});

  // ---- the model and the checkpoint's parameters
  auto lm = build_lm_model(config, open_base(config), tokenizer, bos, eos, log);
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      location, [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  NS_CHECK_AS(ConfigError, lm.identity.matches(manifest.config_hash), "checkpoint '", checkpoint,
              "' does not fit the model its run's config.yaml and tokenizer.json describe",
              lm.adapters_only() ? " on model.init_from's weights (now: " + lm.base_weights +
                                       "; the checkpoint's: " + manifest.base_weights + ")"
                                 : std::string());
  io::ModuleLoad how;
  how.trainable_only = lm.adapters_only();  // the frozen base comes from model.init_from
  io::load_module(*lm.model, checkpoint, manifest, how);
  io::write_hf_causal_lm(output, *lm.model, tokenizer.json);
  log.info("step ", manifest.step, " of ", run, " written to ", output,
           lm.adapters_only() ? " (adapters merged into their weights)" : "");
  return 0;
}

}  // namespace neuroscale::jobs
