// `neuroscale ckpt export`: a checkpoint's model parameters (and optionally the optimiser
// state) as one safetensors file for PyTorch (io/checkpoint/checkpoint_export.h).
#include <iostream>
#include <tuple>

#include "core/check.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_export.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/fs/files.h"
#include "jobs/ckpt/ckpt_actions.h"

namespace neuroscale::jobs {

int export_checkpoint(Runtime& runtime, const std::vector<std::string>& args) {
  std::string output;
  bool force = false, include_optimizer = false;
  ActionParser cli(
      "export",
      "Write a checkpoint's model parameters to one safetensors file under their PyTorch\n"
      "names (without the 'model.' prefix), for safetensors.torch.load_file and\n"
      "load_state_dict. The checkpoint is verified first; a damaged one is refused. PATH\n"
      "names the checkpoint, or a run or checkpoints directory whose newest checkpoint\n"
      "that verifies is exported. Metadata: format pt, step, config_hash, code_version.",
      "  neuroscale ckpt export runs/default/pretrain --output bit.safetensors\n"
      "  neuroscale ckpt export runs/default/pretrain/checkpoints/step-00000030 --force \\\n"
      "      --output all.safetensors --include-optimizer\n"
      "  python3 -c \"import safetensors.torch as st; "
      "print(list(st.load_file('bit.safetensors')))\"\n");
  cli.parser.option("--output", &output, "FILE", "the safetensors file to write (atomically)",
                    true);
  cli.parser.flag("--force", &force, "replace FILE if it exists");
  cli.parser.flag("--include-optimizer", &include_optimizer,
                  "also write the optimiser state (optim.* names, unchanged)");
  if (!cli.parse(args, runtime)) return 0;
  NS_CHECK_AS(UsageError, force || !io::path_exists(output), "neuroscale ckpt export: '", output,
              "' already exists (pass --force to replace it)");
  const auto where = io::locate_checkpoints(cli.path);

  std::string path;
  io::Manifest manifest;
  if (where.step.empty()) {
    std::tie(path, manifest) = io::newest_verified_checkpoint(where, skip_warning(runtime));
  } else {
    path = where.step;
    try {
      manifest = io::verify_checkpoint(path);
    } catch (const Error& error) {
      NS_THROW(CheckpointError, "not exporting a damaged checkpoint: ", error.what());
    }
  }
  const auto written = io::export_checkpoint(path, manifest, output, include_optimizer);
  std::cout << "exported " << base_name(path) << " (step " << manifest.step
            << "): " << written.model_tensors << " model tensors (" << written.parameters
            << " parameters)";
  if (include_optimizer) std::cout << " and " << written.optimizer_tensors << " optimiser tensors";
  std::cout << " to " << output << "\n";
  return 0;
}

}  // namespace neuroscale::jobs
