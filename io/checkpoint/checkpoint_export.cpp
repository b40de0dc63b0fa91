#include "io/checkpoint/checkpoint_export.h"

#include <map>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {

CheckpointExport export_checkpoint(const std::string& path, const Manifest& manifest,
                                   const std::string& output, bool include_optimizer) {
  const std::string model_prefix = kModelPrefix, optimizer_prefix = kOptimizerPrefix;
  auto tensors = read_checkpoint_tensors(path, manifest, [&](const std::string& name) {
    return starts_with(name, model_prefix) ||
           (include_optimizer && starts_with(name, optimizer_prefix));
  });
  CheckpointExport summary;
  for (auto& [name, tensor] : tensors) {
    if (!starts_with(name, model_prefix)) {
      ++summary.optimizer_tensors;
      continue;
    }
    name = name.substr(model_prefix.size());
    summary.parameters += tensor.numel();
    ++summary.model_tensors;
  }
  NS_CHECK_AS(CheckpointError, summary.model_tensors > 0, "'", path, "' holds no model tensors ('",
              model_prefix, "*')");
  std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {"step", std::to_string(manifest.step)},
      {"config_hash", manifest.config_hash},
      {"code_version", manifest.code_version},
      {"checkpoint", path.substr(path.find_last_of('/') + 1)}};
  if (!manifest.base_weights.empty()) metadata["base_weights"] = manifest.base_weights;
  write_safetensors(output, tensors, metadata);
  return summary;
}

}  // namespace neuroscale::io
