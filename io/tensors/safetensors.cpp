#include "io/tensors/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <tuple>

#include "core/check.h"
#include "core/text.h"
#include "io/fs/atomic_file.h"

namespace neuroscale::io {
namespace {

const std::vector<std::pair<std::string, at::ScalarType>>& dtype_table() {
  static const std::vector<std::pair<std::string, at::ScalarType>> table = {
      {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
      {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
      {"U8", at::kByte},    {"BOOL", at::kBool}};
  return table;
}

// "[3, 4]"
void append_u64_le(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

std::string safetensors_dtype(at::ScalarType type) {
  const auto& table = dtype_table();
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const auto& entry) { return entry.second == type; });
  NS_CHECK_AS(UsageError, it != table.end(), "dtype ", type, " has no safetensors name");
  return it->first;
}

FileDigest write_safetensors(const std::string& path, const NamedTensors& tensors,
                             const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> seen;
  std::vector<at::Tensor> contiguous;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    NS_CHECK_AS(UsageError, !name.empty() && name != "__metadata__" && seen.insert(name).second,
                "cannot write '", path, "': tensor name '", name,
                "' is empty, reserved or repeated");
    const auto& table = dtype_table();
    const auto type = tensor.scalar_type();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [type](const auto& entry) { return entry.second == type; });
    NS_CHECK_AS(UsageError, it != table.end(), "cannot write '", path, "': tensor '", name,
                "' has dtype ", tensor.scalar_type(), ", which safetensors cannot hold");
    contiguous.push_back(tensor.detach().to(at::kCPU).contiguous());
    const std::uint64_t bytes = contiguous.back().nbytes();
    header[name] = {{"dtype", it->first},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  json.append((8 - json.size() % 8) % 8, ' ');  // align the data to 8 bytes

  std::string prefix;
  append_u64_le(prefix, json.size());
  prefix += json;
  AtomicFile file(path);
  file.write(prefix.data(), prefix.size());
  for (const auto& tensor : contiguous) file.write(tensor.data_ptr(), tensor.nbytes());
  return file.commit();
}

namespace {

at::ScalarType scalar_type_of(const std::string& path, const std::string& name,
                              const std::string& dtype) {
  const auto& table = dtype_table();
  const auto it =
      std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.first == dtype; });
  NS_CHECK_AS(DataError, it != table.end(), "'", path, "': tensor '", name,
              "' has unsupported dtype ", dtype);
  return it->second;
}

// An open file descriptor, closed on scope exit.
struct Fd {
  explicit Fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    NS_CHECK_AS(DataError, fd >= 0, "cannot open '", path, "': ", std::strerror(errno));
  }
  ~Fd() { ::close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int fd;
};

void read_exactly(const Fd& file, void* out, std::size_t bytes, std::uint64_t offset,
                  const std::string& path) {
  auto* p = static_cast<char*>(out);
  while (bytes > 0) {
    const ssize_t n = ::pread(file.fd, p, bytes, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    NS_CHECK_AS(DataError, n > 0, "cannot read '", path, "' at byte ", offset, ": ",
                n == 0 ? "unexpected end of file" : std::strerror(errno));
    p += n;
    bytes -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

// The header of an open file, validated against the file's size; sets `data_start`.
std::vector<TensorInfo> parse_header(const Fd& file, const std::string& path,
                                     std::uint64_t& data_start,
                                     std::map<std::string, std::string>* metadata) {
  struct stat info {};
  NS_CHECK_AS(DataError, ::fstat(file.fd, &info) == 0, "cannot stat '", path,
              "': ", std::strerror(errno));
  const auto size = static_cast<std::uint64_t>(info.st_size);
  NS_CHECK_AS(DataError, size >= 8, "'", path, "' is not a safetensors file (", size,
              " bytes, no header)");
  unsigned char length[8];
  read_exactly(file, length, 8, 0, path);
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | length[i];
  NS_CHECK_AS(DataError, header_size <= size - 8, "'", path, "': header length ", header_size,
              " exceeds the file (", size, " bytes)");
  std::string header(header_size, '\0');
  read_exactly(file, header.data(), header_size, 8, path);
  data_start = 8 + header_size;
  const std::uint64_t data_size = size - data_start;

  nlohmann::json root;
  try {
    root = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& error) {  // a syntax error, or a number out of range
    NS_THROW(DataError, "'", path, "': the header is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, root.is_object(), "'", path, "': the header is not a JSON object");
  std::vector<TensorInfo> entries;
  for (const auto& [name, node] : root.items()) {
    try {
      if (name == "__metadata__") {
        NS_CHECK_AS(DataError, node.is_object(), "'", path, "': __metadata__ is not a JSON object");
        if (metadata) {
          for (const auto& [key, value] : node.items()) (*metadata)[key] = value.get<std::string>();
        }
        continue;
      }
      NS_CHECK_AS(DataError,
                  node.is_object() && node.contains("shape") && node["shape"].is_array() &&
                      node.contains("data_offsets") && node["data_offsets"].is_array() &&
                      node["data_offsets"].size() == 2,
                  "'", path, "': tensor '", name, "' needs dtype, shape and two data_offsets");
      TensorInfo tensor{name, node.at("dtype").get<std::string>(), {}, 0, 0};
      const auto type = scalar_type_of(path, name, tensor.dtype);
      std::uint64_t bytes = at::elementSize(type);
      for (const auto& d : node["shape"]) {
        NS_CHECK_AS(DataError, d.is_number_integer(), "'", path, "': tensor '", name,
                    "' has a non-integer extent");
        const auto extent = d.get<std::int64_t>();
        NS_CHECK_AS(DataError, extent >= 0, "'", path, "': tensor '", name,
                    "' has a negative extent");
        tensor.shape.push_back(extent);
        // A crafted shape must not wrap the byte count around (and then pass the span check).
        NS_CHECK_AS(DataError,
                    !__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(extent), &bytes) &&
                        bytes <= data_size,
                    "'", path, "': tensor '", name, "' has shape ", shape_text(tensor.shape),
                    "... whose bytes exceed the file's data (", data_size, " bytes)");
      }
      for (const auto& offset : node["data_offsets"]) {
        NS_CHECK_AS(DataError, offset.is_number_unsigned(), "'", path, "': tensor '", name,
                    "' has a data offset that is not a non-negative integer");
      }
      tensor.begin = node["data_offsets"][0].get<std::uint64_t>();
      tensor.end = node["data_offsets"][1].get<std::uint64_t>();
      NS_CHECK_AS(DataError,
                  tensor.begin <= tensor.end && tensor.end <= data_size &&
                      tensor.end - tensor.begin == bytes,
                  "'", path, "': tensor '", name, "' spans bytes [", tensor.begin, ", ", tensor.end,
                  ") of ", data_size, " but its shape needs ", bytes);
      entries.push_back(std::move(tensor));
    } catch (const nlohmann::json::exception& error) {
      NS_THROW(DataError, "'", path, "': tensor '", name,
               "' has a malformed entry: ", error.what());
    }
  }
  // File order is data order, whatever order the JSON object listed the entries in.
  std::sort(entries.begin(), entries.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  for (std::size_t k = 1; k < entries.size(); ++k) {
    NS_CHECK_AS(DataError, entries[k].begin >= entries[k - 1].end, "'", path, "': tensors '",
                entries[k - 1].name, "' and '", entries[k].name, "' overlap");
  }
  return entries;
}

}  // namespace

std::vector<TensorInfo> read_safetensors_header(const std::string& path,
                                                std::map<std::string, std::string>* metadata) {
  Fd file(path);
  std::uint64_t data_start = 0;
  return parse_header(file, path, data_start, metadata);
}

TensorFile read_safetensors(const std::string& path,
                            const std::function<bool(const std::string&)>& select) {
  Fd file(path);
  std::uint64_t data_start = 0;
  TensorFile result;
  for (const auto& entry : parse_header(file, path, data_start, &result.metadata)) {
    if (select && !select(entry.name)) continue;
    auto tensor = at::empty(
        entry.shape, at::TensorOptions().dtype(scalar_type_of(path, entry.name, entry.dtype)));
    read_exactly(file, tensor.data_ptr(), tensor.nbytes(), data_start + entry.begin, path);
    result.tensors.emplace_back(entry.name, std::move(tensor));
  }
  return result;
}

struct MappedTensorFile::Mapping {
  Mapping(void* address_, std::size_t bytes_) : address(address_), bytes(bytes_) {}
  ~Mapping() {
    if (address != nullptr && bytes > 0) ::munmap(address, bytes);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  void* address;
  std::size_t bytes;
};

MappedTensorFile::MappedTensorFile(const std::string& path) : path_(path) {
  Fd file(path);
  entries_ = parse_header(file, path, data_start_, &metadata_);
  struct stat info {};
  NS_CHECK_AS(DataError, ::fstat(file.fd, &info) == 0, "cannot stat '", path,
              "': ", std::strerror(errno));
  const auto bytes = static_cast<std::size_t>(info.st_size);
  // PROT_WRITE on a private mapping: a tensor written in place gets its own copy of the page
  // instead of a fault; the file is never modified.
  void* address = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd, 0);
  NS_CHECK_AS(DataError, address != MAP_FAILED, "cannot map '", path, "' into memory (", bytes,
              " bytes): ", std::strerror(errno));
  mapping_ = std::make_shared<Mapping>(address, bytes);
}

std::uint64_t MappedTensorFile::size() const { return mapping_->bytes; }

at::Tensor MappedTensorFile::tensor(const TensorInfo& entry) const {
  const auto type = scalar_type_of(path_, entry.name, entry.dtype);
  auto* data = static_cast<char*>(mapping_->address) + data_start_ + entry.begin;
  const auto options = at::TensorOptions().dtype(type);
  if (reinterpret_cast<std::uintptr_t>(data) % at::elementSize(type) != 0) {
    auto copy = at::empty(entry.shape, options);
    std::memcpy(copy.data_ptr(), data, copy.nbytes());
    return copy;
  }
  auto keep = mapping_;
  return at::from_blob(
      data, entry.shape, [keep](void*) mutable { keep.reset(); }, options);
}

}  // namespace neuroscale::io
