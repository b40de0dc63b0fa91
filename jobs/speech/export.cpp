// `neuroscale speech export PATH --output DIR`: a checkpoint of a `speech pretrain` run as a
// Hugging Face HubertModel directory (io/tensors/hubert_export.h): the run's model rebuilt
// from its config.yaml, the checkpoint's parameters loaded (every name and shape checked).
#include <iostream>

#include "core/check.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/tensors/hubert_export.h"
#include "jobs/command_options.h"
#include "jobs/schema/speech_pretrain_schema.h"
#include "jobs/speech/speech_actions.h"

namespace neuroscale::jobs {

int speech_export(Runtime& runtime, const std::vector<std::string>& args) {
  std::string path, output;
  CommonOptions common;
  ArgParser parser(
      "neuroscale speech export",
      "Write a checkpoint of a `speech pretrain` run as a Hugging Face HubertModel\n"
      "directory (config.json, preprocessor_config.json, model.safetensors) that\n"
      "transformers loads and `braintune` reads (model.base_weights=DIR/model.safetensors):\n"
      "the newest checkpoint that verifies, or the one PATH names. The prediction head\n"
      "(final_proj, label_embs) is not part of HubertModel and stays behind.");
  parser.positional("PATH", &path, "the run directory, its checkpoints/ or one step-N/ checkpoint");
  parser.option("--output", &output, "DIR", "the directory to write (replaced atomically)", true);
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale speech export runs/hubert --output models/hubert-synthetic\n"
      "  neuroscale speech export runs/hubert/checkpoints/step-00001000 --output models/h1000\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  Logger& log = runtime.logger();

  const auto location = io::locate_checkpoints(path);
  const auto slash = location.directory.find_last_of('/');
  const std::string run = slash == std::string::npos ? "." : location.directory.substr(0, slash);
  SpeechPretrainConfig config;
  io::ConfigDocument::from_file(run + "/config.yaml").read_into([&](io::ConfigVisitor& v) {
    describe(v, config);
  });
  NS_CHECK_AS(DataError, config.model.clusters() >= 2, "'", run,
              "/config.yaml' records model.clusters ", config.model.clusters(),
              ": is it the run directory of `neuroscale speech pretrain`?");
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      location, [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  model::HubertPretraining model(config.model);
  io::load_module(*model, checkpoint, manifest, io::ModuleLoad{});
  io::write_hf_hubert(output, *model, config.data.options.normalize_audio);
  log.info("step ", manifest.step, " of ", run, " written to ", output,
           " (config.json, preprocessor_config.json, model.safetensors)");
  return 0;
}

}  // namespace neuroscale::jobs
