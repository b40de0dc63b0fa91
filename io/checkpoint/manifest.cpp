#include "io/checkpoint/manifest.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include <set>

#include "core/check.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"

namespace neuroscale::io {

namespace {

constexpr const char* kChecksumKey = "checksum: ";

std::uint64_t text_checksum(const std::string& text) {
  XxHash64 hash;
  hash.update(text.data(), text.size());
  return hash.digest();
}

// The file list of a `world_size`-rank checkpoint is one shard and one state file per rank.
void check_files_match_world(const Manifest& manifest, const std::string& path) {
  NS_CHECK_AS(CheckpointError, manifest.world_size >= 1, "'", path, "': world_size ",
              manifest.world_size, " (expected >= 1)");
  std::set<std::string> expected, listed;
  for (std::int32_t r = 0; r < manifest.world_size && expected.size() <= manifest.files.size();
       ++r) {
    expected.insert(shard_file_name(r));
    expected.insert(state_file_name(r));
  }
  for (const auto& file : manifest.files) {
    NS_CHECK_AS(CheckpointError, listed.insert(file.name).second, "'", path, "' lists '", file.name,
                "' twice");
  }
  NS_CHECK_AS(CheckpointError, listed == expected, "'", path, "': world_size ", manifest.world_size,
              " needs one shard and one state file per rank (",
              2 * static_cast<std::int64_t>(manifest.world_size), " files), the manifest lists ",
              listed.size());
}

}  // namespace

std::uint64_t write_manifest(const Manifest& manifest, const std::string& directory) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << "neuroscale-checkpoint";
  out << YAML::Key << "version" << YAML::Value << Manifest{}.version;
  out << YAML::Key << "step" << YAML::Value << manifest.step;
  out << YAML::Key << "world_size" << YAML::Value << manifest.world_size;
  out << YAML::Key << "config_hash" << YAML::Value << manifest.config_hash;
  out << YAML::Key << "code_version" << YAML::Value << manifest.code_version;
  if (!manifest.base_weights.empty())
    out << YAML::Key << "base_weights" << YAML::Value << manifest.base_weights;
  out << YAML::Key << "parent" << YAML::Value << manifest.parent;
  out << YAML::Key << "parent_checksum" << YAML::Value << to_hex(manifest.parent_checksum);
  out << YAML::Key << "model_identity" << YAML::Value << YAML::Literal << manifest.model_identity;
  out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
  for (const auto& file : manifest.files) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << file.name
        << YAML::Key << "bytes" << YAML::Value << file.bytes << YAML::Key << "xxh64" << YAML::Value
        << to_hex(file.xxh64) << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "tensors" << YAML::Value << YAML::BeginSeq;
  for (const auto& tensor : manifest.tensors) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << tensor.name
        << YAML::Key << "file" << YAML::Value << tensor.file << YAML::Key << "dtype" << YAML::Value
        << tensor.dtype << YAML::Key << "shape" << YAML::Value << YAML::Flow << tensor.shape
        << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  const std::string body = std::string(out.c_str()) + "\n";
  const auto checksum = text_checksum(body);
  write_file_atomically(directory + "/manifest.yaml",
                        body + kChecksumKey + to_hex(checksum) + "\n");
  return checksum;
}

Manifest read_manifest(const std::string& directory) {
  const std::string path = directory + "/manifest.yaml";
  const auto contents = read_file(path);
  NS_CHECK_AS(CheckpointError, contents.has_value(), "'", path,
              "' is missing: the checkpoint was never committed");
  const std::string& text = *contents;
  // The checksum line is the last one; it covers every byte before it.
  std::uint64_t checksum = 0;
  bool has_checksum = false;
  const auto at = text.rfind(std::string("\n") + kChecksumKey);
  if (at != std::string::npos) {
    const std::string body = text.substr(0, at + 1);
    std::string value = text.substr(at + 1 + std::char_traits<char>::length(kChecksumKey));
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    NS_CHECK_AS(
        CheckpointError,
        value.size() == 16 && value.find_first_not_of("0123456789abcdef") == std::string::npos, "'",
        path, "': checksum '", value, "' is not 16 hex digits");
    checksum = std::stoull(value, nullptr, 16);
    NS_CHECK_AS(CheckpointError, text_checksum(body) == checksum, "'", path,
                "' is damaged or was edited: its text has checksum ", to_hex(text_checksum(body)),
                ", its last line says ", value);
    has_checksum = true;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    NS_THROW(CheckpointError, "'", path, "' is not valid YAML: ", error.what());
  }
  try {
    NS_CHECK_AS(CheckpointError, root.IsMap(), "'", path,
                "' is not a neuroscale checkpoint manifest");
    NS_CHECK_AS(CheckpointError, root["format"].as<std::string>() == "neuroscale-checkpoint", "'",
                path, "' is not a neuroscale checkpoint manifest");
    Manifest manifest;
    manifest.version = root["version"].as<std::int64_t>();
    NS_CHECK_AS(CheckpointError, manifest.version == 1 || manifest.version == 2, "'", path,
                "': unsupported manifest version ", manifest.version,
                " (this build reads versions 1 and 2)");
    NS_CHECK_AS(CheckpointError, manifest.version == 1 || has_checksum, "'", path,
                "' has no checksum line (version 2 manifests end with one): truncated or edited");
    manifest.checksum = checksum;
    manifest.step = root["step"].as<std::int64_t>();
    manifest.world_size = root["world_size"].as<std::int32_t>();
    manifest.config_hash = root["config_hash"].as<std::string>();
    manifest.code_version = root["code_version"].as<std::string>();
    if (root["base_weights"]) manifest.base_weights = root["base_weights"].as<std::string>();
    if (manifest.version >= 2) {
      manifest.parent = root["parent"].as<std::string>();
      const auto parent_checksum = root["parent_checksum"].as<std::string>();
      NS_CHECK_AS(CheckpointError,
                  parent_checksum.size() == 16 &&
                      parent_checksum.find_first_not_of("0123456789abcdef") == std::string::npos,
                  "'", path, "': parent_checksum '", parent_checksum, "' is not 16 hex digits");
      manifest.parent_checksum = std::stoull(parent_checksum, nullptr, 16);
      manifest.model_identity = root["model_identity"].as<std::string>();
    }
    for (const auto& file : root["files"]) {
      manifest.files.push_back({file["name"].as<std::string>(), file["bytes"].as<std::uint64_t>(),
                                std::stoull(file["xxh64"].as<std::string>(), nullptr, 16)});
    }
    for (const auto& tensor : root["tensors"]) {
      manifest.tensors.push_back(
          {tensor["name"].as<std::string>(), tensor["file"].as<std::string>(),
           tensor["dtype"].as<std::string>(), tensor["shape"].as<std::vector<std::int64_t>>()});
    }
    check_files_match_world(manifest, path);
    return manifest;
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& error) {
    NS_THROW(CheckpointError, "'", path, "' is malformed: ", error.what());
  }
}

std::string verify_files(const Manifest& manifest, const std::string& directory) {
  for (const auto& file : manifest.files) {
    const std::string path = directory + "/" + file.name;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return file.name + ": missing";
    if (static_cast<std::uint64_t>(info.st_size) != file.bytes) {
      return file.name + ": " + std::to_string(info.st_size) + " bytes, the manifest says " +
             std::to_string(file.bytes) + " (truncated or replaced)";
    }
    const auto hash = xxhash64_file(path);
    if (hash != file.xxh64)
      return file.name + ": checksum " + to_hex(hash) + " != " + to_hex(file.xxh64);
  }
  return "";
}

}  // namespace neuroscale::io
