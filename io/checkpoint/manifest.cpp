#include "io/checkpoint/manifest.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>

#include "core/check.h"
#include "io/checkpoint/xxhash64.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {

void write_manifest(const Manifest& manifest, const std::string& directory) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << "neuroscale-checkpoint";
  out << YAML::Key << "version" << YAML::Value << manifest.version;
  out << YAML::Key << "step" << YAML::Value << manifest.step;
  out << YAML::Key << "world_size" << YAML::Value << manifest.world_size;
  out << YAML::Key << "config_hash" << YAML::Value << manifest.config_hash;
  out << YAML::Key << "code_version" << YAML::Value << manifest.code_version;
  if (!manifest.base_weights.empty()) out << YAML::Key << "base_weights" << YAML::Value << manifest.base_weights;
  out << YAML::Key << "files" << YAML::Value << YAML::BeginSeq;
  for (const auto& file : manifest.files) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << file.name << YAML::Key
        << "bytes" << YAML::Value << file.bytes << YAML::Key << "xxh64" << YAML::Value << to_hex(file.xxh64)
        << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "tensors" << YAML::Value << YAML::BeginSeq;
  for (const auto& tensor : manifest.tensors) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << tensor.name << YAML::Key
        << "file" << YAML::Value << tensor.file << YAML::Key << "dtype" << YAML::Value << tensor.dtype
        << YAML::Key << "shape" << YAML::Value << YAML::Flow << tensor.shape << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  write_file_atomically(directory + "/manifest.yaml", std::string(out.c_str()) + "\n");
}

Manifest read_manifest(const std::string& directory) {
  const std::string path = directory + "/manifest.yaml";
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    NS_THROW(CheckpointError, "'", path, "' is missing: the checkpoint was never committed");
  } catch (const YAML::Exception& error) {
    NS_THROW(CheckpointError, "'", path, "' is not valid YAML: ", error.what());
  }
  try {
    NS_CHECK_AS(CheckpointError, root["format"].as<std::string>() == "neuroscale-checkpoint", "'", path,
                "' is not a neuroscale checkpoint manifest");
    Manifest manifest;
    manifest.version = root["version"].as<std::int64_t>();
    NS_CHECK_AS(CheckpointError, manifest.version == 1, "'", path, "': unsupported manifest version ",
                manifest.version, " (this build reads version 1)");
    manifest.step = root["step"].as<std::int64_t>();
    manifest.world_size = root["world_size"].as<std::int32_t>();
    manifest.config_hash = root["config_hash"].as<std::string>();
    manifest.code_version = root["code_version"].as<std::string>();
    if (root["base_weights"]) manifest.base_weights = root["base_weights"].as<std::string>();
    for (const auto& file : root["files"]) {
      manifest.files.push_back({file["name"].as<std::string>(), file["bytes"].as<std::uint64_t>(),
                                std::stoull(file["xxh64"].as<std::string>(), nullptr, 16)});
    }
    for (const auto& tensor : root["tensors"]) {
      manifest.tensors.push_back({tensor["name"].as<std::string>(), tensor["file"].as<std::string>(),
                                  tensor["dtype"].as<std::string>(), tensor["shape"].as<std::vector<std::int64_t>>()});
    }
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
    if (hash != file.xxh64) return file.name + ": checksum " + to_hex(hash) + " != " + to_hex(file.xxh64);
  }
  return "";
}

}  // namespace neuroscale::io
