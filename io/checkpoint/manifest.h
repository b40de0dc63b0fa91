// The manifest of a checkpoint directory (`manifest.yaml`, written last by rank 0): what the
// checkpoint holds (every tensor's name, dtype, shape and shard file), every file's size and
// XXH64 checksum, and the run it belongs to (step, world size, config hash and the model
// identity it hashes, code version), and its place in the run's history: the checkpoint the
// run had committed (or resumed from) before it, its parent. The manifest ends with the XXH64
// of everything above that line, so a damaged or edited manifest is detected.
// A checkpoint directory without a manifest that verifies is never loaded. Version 1
// manifests (no parent, identity or checksum) are still read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

struct ManifestFile {
  std::string name;  ///< file name inside the checkpoint directory
  std::uint64_t bytes = 0;
  std::uint64_t xxh64 = 0;
};

struct ManifestTensor {
  std::string name;
  std::string file;   ///< the shard file holding it
  std::string dtype;  ///< safetensors dtype ("F32", ...)
  std::vector<std::int64_t> shape;
};

struct Manifest {
  std::int64_t version = 2;
  std::int64_t step = 0;
  std::int32_t world_size = 1;
  std::string config_hash;  ///< XXH64 of model_identity
  /// the model identity (io/checkpoint/model_identity.h) the hash covers; "" in version 1
  std::string model_identity;
  std::string code_version;  ///< neuroscale version and git revision
  /// frozen weights the checkpoint builds on and does not hold ("path bytes=N xxh64=H";
  /// brain-tuning's backbone), "" when it holds the whole model
  std::string base_weights;
  std::vector<ManifestFile> files;
  std::vector<ManifestTensor> tensors;
  /// the checkpoint before this one in the run's history: a step-N name in the same
  /// directory, a path outside it (the run started from another run's checkpoint), or ""
  /// (the run's first); parent_checksum is that checkpoint's manifest checksum (0: unknown)
  std::string parent;
  std::uint64_t parent_checksum = 0;
  /// XXH64 of the manifest text above its `checksum:` line (set by write and read; 0 in version 1)
  std::uint64_t checksum = 0;
};

// Atomically writes `<directory>/manifest.yaml` (always the current version); returns its
// checksum.
std::uint64_t write_manifest(const Manifest& manifest, const std::string& directory);
// Throws CheckpointError naming the file and what is wrong: unreadable, not YAML, a missing
// or ill-typed field, a checksum that does not match its text, a world size the file list
// does not match (one shard and one state file per rank).
Manifest read_manifest(const std::string& directory);
// "" when every file of the manifest exists with its size and checksum; otherwise what
// failed ("shard-00001.safetensors: checksum 0123... != 4567...").
std::string verify_files(const Manifest& manifest, const std::string& directory);

}  // namespace neuroscale::io
