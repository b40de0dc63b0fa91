#include "io/tensors/safetensors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "core/check.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {
namespace {

const std::vector<std::pair<std::string, at::ScalarType>>& dtype_table() {
  static const std::vector<std::pair<std::string, at::ScalarType>> table = {
      {"F64", at::kDouble}, {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16},
      {"I64", at::kLong},   {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},
      {"U8", at::kByte},    {"BOOL", at::kBool}};
  return table;
}

std::string json_string(const std::string& text) {
  std::ostringstream out;
  out << '"';
  for (const unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out << "\\u00" << hex[c >> 4] << hex[c & 15];
    } else {
      out << c;
    }
  }
  out << '"';
  return out.str();
}

void append_u64_le(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::ostringstream header;
  header << '{';
  bool first = true;
  if (!metadata.empty()) {
    header << "\"__metadata__\":{";
    for (const auto& [key, value] : metadata) {
      header << (first ? "" : ",") << json_string(key) << ':' << json_string(value);
      first = false;
    }
    header << '}';
  }
  std::set<std::string> seen;
  std::vector<at::Tensor> contiguous;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    NS_CHECK_AS(UsageError, !name.empty() && name != "__metadata__" && seen.insert(name).second,
                "cannot write '", path, "': tensor name '", name, "' is empty, reserved or repeated");
    const auto& table = dtype_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const auto& entry) { return entry.second == tensor.scalar_type(); });
    NS_CHECK_AS(UsageError, it != table.end(), "cannot write '", path, "': tensor '", name,
                "' has dtype ", tensor.scalar_type(), ", which safetensors cannot hold");
    contiguous.push_back(tensor.detach().to(at::kCPU).contiguous());
    const std::uint64_t bytes = contiguous.back().nbytes();
    header << (first ? "" : ",") << json_string(name) << ":{\"dtype\":\""
           << it->first << "\",\"shape\":[";
    for (std::int64_t d = 0; d < tensor.dim(); ++d) header << (d ? "," : "") << tensor.size(d);
    header << "],\"data_offsets\":[" << offset << ',' << offset + bytes << "]}";
    offset += bytes;
    first = false;
  }
  header << '}';
  std::string json = header.str();
  json.append((8 - json.size() % 8) % 8, ' ');  // align the data to 8 bytes

  std::string contents;
  contents.reserve(8 + json.size() + offset);
  append_u64_le(contents, json.size());
  contents += json;
  for (const auto& tensor : contiguous) {
    contents.append(static_cast<const char*>(tensor.data_ptr()), tensor.nbytes());
  }
  write_file_atomically(path, contents);
}

TensorFile read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  NS_CHECK_AS(DataError, in.good(), "cannot open '", path, "': ", std::strerror(errno));
  const std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  NS_CHECK_AS(DataError, contents.size() >= 8, "'", path, "' is not a safetensors file (",
              contents.size(), " bytes, no header)");
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(contents[i]);
  NS_CHECK_AS(DataError, header_size <= contents.size() - 8, "'", path, "': header length ",
              header_size, " exceeds the file (", contents.size(), " bytes)");
  const std::string_view data(contents.data() + 8 + header_size, contents.size() - 8 - header_size);

  YAML::Node root;
  try {
    root = YAML::Load(contents.substr(8, header_size));
  } catch (const YAML::Exception& error) {
    NS_THROW(DataError, "'", path, "': the header is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, root.IsMap(), "'", path, "': the header is not a JSON object");

  TensorFile file;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // [begin, end) per tensor
  for (const auto& entry : root) {
    const auto name = entry.first.as<std::string>();
    const auto& node = entry.second;
    if (name == "__metadata__") {
      for (const auto& item : node) {
        file.metadata[item.first.as<std::string>()] = item.second.as<std::string>();
      }
      continue;
    }
    try {
      const auto dtype_name = node["dtype"].as<std::string>();
      const auto& table = dtype_table();
      const auto it = std::find_if(table.begin(), table.end(),
                                   [&](const auto& e) { return e.first == dtype_name; });
      NS_CHECK_AS(DataError, it != table.end(), "'", path, "': tensor '", name,
                  "' has unsupported dtype ", dtype_name);
      std::vector<std::int64_t> shape;
      for (const auto& d : node["shape"]) shape.push_back(d.as<std::int64_t>());
      const auto begin = node["data_offsets"][0].as<std::uint64_t>();
      const auto end = node["data_offsets"][1].as<std::uint64_t>();
      auto tensor = at::empty(shape, at::TensorOptions().dtype(it->second));
      NS_CHECK_AS(DataError, begin <= end && end <= data.size() && end - begin == tensor.nbytes(),
                  "'", path, "': tensor '", name, "' spans bytes [", begin, ", ", end,
                  ") of ", data.size(), " but its shape needs ", tensor.nbytes());
      std::memcpy(tensor.data_ptr(), data.data() + begin, tensor.nbytes());
      spans.emplace_back(begin, end);
      file.tensors.emplace_back(name, tensor);
    } catch (const YAML::Exception& error) {
      NS_THROW(DataError, "'", path, "': tensor '", name, "' has a malformed entry: ", error.what());
    }
  }
  // File order is data order, whatever order the JSON object listed the entries in.
  std::vector<std::size_t> order(spans.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return spans[a] < spans[b]; });
  TensorFile sorted{{}, std::move(file.metadata)};
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto i = order[k];
    NS_CHECK_AS(DataError, k == 0 || spans[i].first >= spans[order[k - 1]].second, "'", path,
                "': tensors '", file.tensors[order[k - 1]].first, "' and '",
                file.tensors[i].first, "' overlap");
    sorted.tensors.push_back(std::move(file.tensors[i]));
  }
  return sorted;
}

}  // namespace neuroscale::io
