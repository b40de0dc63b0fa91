#include "io/checkpoint/checkpoint_history.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "core/check.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/fs/files.h"

namespace neuroscale::io {

const char* const kOffChainDirectory = "off-chain";

namespace {

std::optional<Manifest> try_read(const std::string& path) {
  try {
    return read_manifest(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The newest committed checkpoint older than `name`, or "".
std::string next_older(const std::vector<std::string>& committed, const std::string& name) {
  const auto step = checkpoint_step(name);
  for (const auto& other : committed) {
    if (checkpoint_step(other) < step) return other;
  }
  return "";
}

// The parent `manifest` names when it is present in `directory` with the recorded checksum,
// else "" (the run's first checkpoint, a parent outside the directory, deleted or replaced).
std::string linked_parent(const std::string& directory, const Manifest& manifest) {
  const auto& parent = manifest.parent;
  if (parent.empty() || checkpoint_step(parent) < 0 || parent.find('/') != std::string::npos)
    return "";
  const auto found = try_read(directory + "/" + parent);
  if (!found || found->checksum != manifest.parent_checksum) return "";
  return parent;
}

}  // namespace

std::optional<std::pair<std::string, Manifest>> resume_head(
    const std::string& directory,
    const std::function<void(const std::string&, const std::string&)>& on_skip) {
  const auto committed = committed_checkpoints(directory);  // newest first
  if (committed.empty()) return std::nullopt;
  std::string current = latest_checkpoint(directory);
  if (current.empty() || !path_exists(directory + "/" + current)) {
    if (!current.empty()) on_skip(directory + "/" + current, "named by 'latest' but missing");
    current = committed.front();  // no usable `latest`: the newest stands in
  } else if (const auto latest = try_read(directory + "/" + current)) {
    for (const auto& name : committed) {  // a commit that ended before it could update `latest`
      if (checkpoint_step(name) <= checkpoint_step(current)) break;
      const auto child = try_read(directory + "/" + name);
      if (child && child->parent == current && child->parent_checksum == latest->checksum) {
        current = name;
        break;
      }
    }
  }
  std::set<std::string> visited;
  while (!current.empty() && visited.insert(current).second) {
    const std::string path = directory + "/" + current;
    try {
      return std::make_pair(path, verify_checkpoint(path));
    } catch (const Error& error) {
      on_skip(path, error.what());
    }
    const auto manifest = try_read(path);
    std::string parent =
        manifest && manifest->version >= 2 ? linked_parent(directory, *manifest) : "";
    current = parent.empty() ? next_older(committed, current) : parent;
  }
  return std::nullopt;
}

std::vector<std::string> history_chain(const std::string& directory, const std::string& head) {
  const auto committed = committed_checkpoints(directory);
  std::vector<std::string> chain;
  std::set<std::string> seen;
  std::string current = head;
  while (!current.empty() && seen.insert(current).second) {
    chain.push_back(current);
    const auto manifest = try_read(directory + "/" + current);
    if (manifest && manifest->version >= 2) {
      current = linked_parent(directory, *manifest);  // "" ends the chain
    } else {
      current = next_older(committed, current);  // a damaged or version-1 link: by age
    }
  }
  return chain;
}

std::vector<std::string> set_aside(const std::string& directory,
                                   const std::vector<std::string>& keep) {
  const std::set<std::string> kept(keep.begin(), keep.end());
  std::vector<std::string> moved;
  const std::string aside = directory + "/" + kOffChainDirectory;
  for (const auto& name : committed_checkpoints(directory)) {
    if (kept.count(name)) continue;
    create_directories(aside);
    std::string target = aside + "/" + name;
    for (int n = 2; path_exists(target); ++n) target = aside + "/" + name + "." + std::to_string(n);
    const std::string source = directory + "/" + name;
    NS_CHECK_AS(CheckpointError, std::rename(source.c_str(), target.c_str()) == 0, "cannot move '",
                source, "' to '", target, "': ", std::strerror(errno));
    moved.push_back(target);
  }
  return moved;
}

std::vector<std::string> off_chain_checkpoints(const std::string& directory) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir((directory + "/" + kOffChainDirectory).c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (std::string(entry->d_name).rfind("step-", 0) == 0) names.push_back(entry->d_name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> remove_incomplete(const std::string& directory) {
  const auto names = incomplete_checkpoints(directory);
  for (const auto& name : names) remove_checkpoint_directory(directory + "/" + name);
  return names;
}

void set_latest(const std::string& directory, const std::string& name) {
  const std::string path = directory + "/latest";
  if (name.empty()) {
    NS_CHECK_AS(CheckpointError, std::remove(path.c_str()) == 0 || errno == ENOENT,
                "cannot remove '", path, "': ", std::strerror(errno));
    return;
  }
  if (latest_checkpoint(directory) != name) write_file_atomically(path, name + "\n");
}

void remove_checkpoint_directory(const std::string& path) {
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") std::remove((path + "/" + name).c_str());
    }
    ::closedir(dir);
  }
  ::rmdir(path.c_str());
}

}  // namespace neuroscale::io
