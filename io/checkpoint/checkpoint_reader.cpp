#include "io/checkpoint/checkpoint_reader.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_history.h"
#include "io/fs/files.h"

namespace neuroscale::io {
namespace {

const char* const kExpected =
    "expected a run directory (with checkpoints/), a checkpoints directory (with latest or "
    "step-N/) "
    "or a checkpoint (step-N/ with manifest.yaml)";

// The names in `directory` (not "." or ".."), sorted; empty when it cannot be read.
std::vector<std::string> entries(const std::string& directory) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(directory.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

bool is_incomplete_checkpoint(const std::string& name) {
  const std::string suffix = ".tmp";
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         checkpoint_step(name.substr(0, name.size() - suffix.size())) >= 0;
}

std::vector<std::string> incomplete_checkpoints(const std::string& directory) {
  auto names = entries(directory);
  names.erase(std::remove_if(names.begin(), names.end(),
                             [](const auto& n) { return !is_incomplete_checkpoint(n); }),
              names.end());
  return names;
}

CheckpointLocation locate_checkpoints(const std::string& given) {
  std::string path = given;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  NS_CHECK_AS(CheckpointError, path_exists(path), "'", given, "' does not exist (", kExpected, ")");
  NS_CHECK_AS(CheckpointError, is_directory(path), "'", given, "' is not a directory (", kExpected,
              ")");
  if (is_directory(path + "/checkpoints")) return {path + "/checkpoints", ""};
  const auto slash = path.find_last_of('/');
  const std::string name = path.substr(slash + 1);
  NS_CHECK_AS(CheckpointError, !is_incomplete_checkpoint(name), "'", given,
              "' is an incomplete checkpoint (never committed): it is never loaded and has nothing "
              "to verify");
  if (checkpoint_step(name) >= 0 || path_exists(path + "/manifest.yaml")) {
    return {slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash), path};
  }
  bool holds_checkpoints = name == "checkpoints" || path_exists(path + "/latest");
  for (const auto& entry : entries(path)) {
    holds_checkpoints =
        holds_checkpoints || checkpoint_step(entry) >= 0 || is_incomplete_checkpoint(entry);
  }
  NS_CHECK_AS(CheckpointError, holds_checkpoints, "'", given, "' holds no checkpoints (", kExpected,
              ")");
  return {path, ""};
}

std::vector<std::string> checkpoint_paths(const CheckpointLocation& location) {
  if (!location.step.empty()) return {location.step};
  std::vector<std::string> paths;
  for (const auto& name : committed_checkpoints(location.directory)) {
    paths.push_back(location.directory + "/" + name);
  }
  return paths;
}

std::string latest_checkpoint(const std::string& directory) {
  std::string name;
  std::ifstream(directory + "/latest") >> name;
  return name;
}

std::uint64_t directory_bytes(const std::string& directory) {
  std::uint64_t total = 0;
  for (const auto& name : entries(directory)) {
    struct stat info {};
    if (::stat((directory + "/" + name).c_str(), &info) == 0 && S_ISREG(info.st_mode))
      total += info.st_size;
  }
  return total;
}

std::string quick_check(const std::string& path) {
  Manifest manifest;
  try {
    manifest = read_manifest(path);
  } catch (const Error& error) {
    return error.what();
  }
  for (const auto& file : manifest.files) {
    struct stat info {};
    if (::stat((path + "/" + file.name).c_str(), &info) != 0) return file.name + " is missing";
    if (static_cast<std::uint64_t>(info.st_size) != file.bytes) {
      return file.name + " has " + std::to_string(info.st_size) + " bytes, the manifest says " +
             std::to_string(file.bytes);
    }
  }
  return "";
}

std::pair<std::string, Manifest> newest_verified_checkpoint(
    const CheckpointLocation& location,
    const std::function<void(const std::string&, const std::string&)>& on_skip) {
  if (!location.step.empty()) return {location.step, verify_checkpoint(location.step)};
  const auto committed = committed_checkpoints(location.directory);
  NS_CHECK_AS(CheckpointError, !committed.empty(), "'", location.directory,
              "' holds no committed checkpoint");
  if (auto head = resume_head(location.directory, on_skip)) return std::move(*head);
  NS_THROW(CheckpointError, "no checkpoint in '", location.directory, "' verifies (",
           committed.size(), " committed)");
}

NamedTensors read_checkpoint_tensors(const std::string& path, const Manifest& manifest,
                                     const std::function<bool(const std::string&)>& select) {
  std::set<std::string> shards;
  for (const auto& tensor : manifest.tensors) {
    if (select(tensor.name)) shards.insert(tensor.file);
  }
  // Keyed by (shard, name): a tensor must be in the shard the manifest names.
  std::map<std::pair<std::string, std::string>, at::Tensor> loaded;
  for (const auto& shard : shards) {
    for (auto& [name, tensor] : read_safetensors(path + "/" + shard, select).tensors)
      loaded[{shard, name}] = tensor;
  }
  NamedTensors tensors;
  for (const auto& tensor : manifest.tensors) {
    if (!select(tensor.name)) continue;
    const std::string shard = path + "/" + tensor.file;
    const auto found = loaded.find({tensor.file, tensor.name});
    NS_CHECK_AS(CheckpointError, found != loaded.end(), "'", shard, "' lacks tensor '", tensor.name,
                "', which the manifest places there");
    const auto& data = found->second;
    const auto dtype = safetensors_dtype(data.scalar_type());
    NS_CHECK_AS(CheckpointError, dtype == tensor.dtype && data.sizes().vec() == tensor.shape, "'",
                shard, "': tensor '", tensor.name, "' is ", dtype, " ",
                shape_text(data.sizes().vec()), ", the manifest says ", tensor.dtype, " ",
                shape_text(tensor.shape));
    tensors.emplace_back(tensor.name, data);
  }
  return tensors;
}

}  // namespace neuroscale::io
