// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
// a JSON header {"__metadata__": {...}, "<name>": {"dtype", "shape", "data_offsets"}}, then
// the raw little-endian tensor bytes, packed in header order. Readable from Python with
// `safetensors.torch.load_file` or a few lines of json + numpy. Used for exported model
// weights and for crossing tensors with Python.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/fs/atomic_file.h"

namespace neuroscale::io {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

struct TensorFile {
  NamedTensors tensors;                         ///< in file order
  std::map<std::string, std::string> metadata;  ///< the "__metadata__" entries
};

// Writes `tensors` (any device; copied to the CPU, made contiguous) atomically: through a
// temporary name, fsync, rename. Names must be unique and non-empty. Throws DataError
// naming the file, or UsageError naming a tensor with an unsupported dtype.
// Returns the file's size and XXH64, computed while writing.
FileDigest write_safetensors(const std::string& path, const NamedTensors& tensors,
                             const std::map<std::string, std::string>& metadata = {});

// The safetensors name of a dtype ("F32", "BF16", ...); throws UsageError for one the
// format cannot hold.
std::string safetensors_dtype(at::ScalarType type);

// One entry of a file's header.
struct TensorInfo {
  std::string name;
  std::string dtype;  ///< "F32", "BF16", ...
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< byte span in the data section
};

// Reads and validates the header: every entry's dtype, shape x size = byte span, spans in
// bounds of the file and non-overlapping. Entries in data order. Throws DataError naming
// the file and the entry at fault.
std::vector<TensorInfo> read_safetensors_header(
    const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

// Validates the header, then reads the tensors `select` accepts (all when empty) straight
// from the file into tensors, in data order. Throws DataError naming the file.
TensorFile read_safetensors(const std::string& path,
                            const std::function<bool(const std::string&)>& select = {});

// A safetensors file mapped into memory (a private, copy-on-write mapping): its tensors are
// views of the file's pages, read without a copy, and processes that map the same file share
// those pages until one writes to them. A view keeps the mapping alive after this object is
// gone. The header is validated as read_safetensors_header does.
class MappedTensorFile {
 public:
  // Throws DataError naming the file when it cannot be opened, mapped or its header is invalid.
  explicit MappedTensorFile(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<TensorInfo>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::uint64_t size() const;
  // The tensor of `entry` (one of entries()) on the CPU: a view of the mapping, or a copy
  // when its bytes are not aligned to its element size.
  at::Tensor tensor(const TensorInfo& entry) const;

 private:
  struct Mapping;
  std::string path_;
  std::shared_ptr<Mapping> mapping_;
  std::vector<TensorInfo> entries_;
  std::map<std::string, std::string> metadata_;
  std::uint64_t data_start_ = 0;
};

}  // namespace neuroscale::io
