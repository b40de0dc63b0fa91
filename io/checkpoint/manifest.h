// The manifest of a checkpoint directory (`manifest.yaml`, written last by rank 0): what the
// checkpoint holds (every tensor's name, dtype, shape and shard file), every file's size and
// XXH64 checksum, and the run it belongs to (step, world size, config hash, code version).
// A checkpoint directory without a manifest that verifies is never loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

struct ManifestFile {
  std::string name;        ///< file name inside the checkpoint directory
  std::uint64_t bytes = 0;
  std::uint64_t xxh64 = 0;
};

struct ManifestTensor {
  std::string name;
  std::string file;                  ///< the shard file holding it
  std::string dtype;                 ///< safetensors dtype ("F32", ...)
  std::vector<std::int64_t> shape;
};

struct Manifest {
  std::int64_t version = 1;
  std::int64_t step = 0;
  std::int32_t world_size = 1;
  std::string config_hash;           ///< XXH64 of the resolved model config
  std::string code_version;          ///< neuroscale version and git revision
  /// frozen weights the checkpoint builds on and does not hold ("path bytes=N xxh64=H";
  /// brain-tuning's backbone), "" when it holds the whole model
  std::string base_weights;
  std::vector<ManifestFile> files;
  std::vector<ManifestTensor> tensors;
};

// Atomically writes `<directory>/manifest.yaml`.
void write_manifest(const Manifest& manifest, const std::string& directory);
// Throws CheckpointError naming the file and what is wrong.
Manifest read_manifest(const std::string& directory);
// "" when every file of the manifest exists with its size and checksum; otherwise what
// failed ("shard-00001.safetensors: checksum 0123... != 4567...").
std::string verify_files(const Manifest& manifest, const std::string& directory);

}  // namespace neuroscale::io
