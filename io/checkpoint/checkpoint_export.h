// A checkpoint's parameters as one safetensors file PyTorch reads
// (safetensors.torch.load_file, then load_state_dict): the model tensors under their
// module names (the "model." prefix removed), optionally the optimiser state under its
// "optim." names, and metadata naming where they came from (format pt, step, config_hash,
// code_version, checkpoint, base_weights when the model refers to frozen weights).
#pragma once

#include <cstdint>
#include <string>

#include "io/checkpoint/manifest.h"

namespace neuroscale::io {

struct CheckpointExport {
  std::int64_t model_tensors = 0;
  std::int64_t parameters = 0;         ///< elements of the model tensors
  std::int64_t optimizer_tensors = 0;  ///< with include_optimizer
};

// Writes the tensors of the checkpoint at `path` (whose verified `manifest` is given) to
// `output`, atomically. Throws CheckpointError when the checkpoint holds no model tensor,
// DataError when a shard cannot be read or `output` cannot be written.
CheckpointExport export_checkpoint(const std::string& path, const Manifest& manifest,
                                   const std::string& output, bool include_optimizer);

}  // namespace neuroscale::io
