#include "io/checkpoint/checkpoint_dir.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/check.h"

namespace neuroscale::io {
namespace {

std::string numbered(const char* format, long long value) {
  char name[64];
  std::snprintf(name, sizeof(name), format, value);
  return name;
}

}  // namespace

std::string checkpoint_name(std::int64_t step) { return numbered("step-%08lld", step); }
std::string shard_file_name(int rank) { return numbered("shard-%05lld.safetensors", rank); }
std::string state_file_name(int rank) { return numbered("state-%05lld.txt", rank); }

std::int64_t checkpoint_step(const std::string& name_or_path) {
  std::string name = name_or_path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  name = name.substr(name.find_last_of('/') + 1);
  if (name.size() <= 5 || name.rfind("step-", 0) != 0) return -1;
  const std::string digits = name.substr(5);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

std::vector<std::string> committed_checkpoints(const std::string& directory) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(directory.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (checkpoint_step(entry->d_name) >= 0) names.push_back(entry->d_name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return checkpoint_step(a) > checkpoint_step(b);
  });
  return names;
}

Manifest verify_checkpoint(const std::string& path, const std::string& config_hash) {
  auto manifest = read_manifest(path);
  NS_CHECK_AS(CheckpointError, config_hash.empty() || manifest.config_hash == config_hash, "'",
              path, "' belongs to another model (config hash ", manifest.config_hash, ", this run ",
              config_hash, ")",
              manifest.base_weights.empty() ? "" : "; its base weights: " + manifest.base_weights);
  std::set<std::string> listed;
  for (const auto& file : manifest.files) listed.insert(file.name);
  for (const auto& tensor : manifest.tensors) {
    NS_CHECK_AS(CheckpointError, listed.count(tensor.file), "'", path, "/manifest.yaml': tensor '",
                tensor.name, "' lives in '", tensor.file, "', which the manifest does not list");
  }
  const auto failure = verify_files(manifest, path);
  NS_CHECK_AS(CheckpointError, failure.empty(), "'", path, "' fails verification: ", failure);
  return manifest;
}

}  // namespace neuroscale::io
