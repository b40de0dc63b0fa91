// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
// a JSON header {"__metadata__": {...}, "<name>": {"dtype", "shape", "data_offsets"}}, then
// the raw little-endian tensor bytes, packed in header order. Readable from Python with
// `safetensors.torch.load_file` or a few lines of json + numpy. Used for exported model
// weights and for crossing tensors with Python.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace neuroscale::io {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct TensorFile {
  NamedTensors tensors;                         ///< in file order
  std::map<std::string, std::string> metadata;  ///< the "__metadata__" entries
};

// Writes `tensors` (any device; copied to the CPU, made contiguous) atomically: through a
// temporary name, fsync, rename. Names must be unique and non-empty. Throws DataError
// naming the file, or UsageError naming a tensor with an unsupported dtype.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads and validates every entry (dtype, shape x size = byte span, spans in bounds and
// non-overlapping). Throws DataError naming the file and the entry at fault.
TensorFile read_safetensors(const std::string& path);

}  // namespace neuroscale::io
