// `neuroscale ckpt inspect`: what one checkpoint holds (manifest, files, tensors, each
// rank's training state), with its verification.
#include <iostream>
#include <tuple>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/checkpoint/training_state.h"
#include "io/hash/xxhash64.h"
#include "jobs/ckpt/ckpt_actions.h"

namespace neuroscale::jobs {
namespace {

const std::string kModelPrefix = io::kModelPrefix;

std::int64_t elements(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

void print_tensors(const io::Manifest& manifest, bool all) {
  std::int64_t model_tensors = 0, parameters = 0;
  for (const auto& tensor : manifest.tensors) {
    if (!starts_with(tensor.name, kModelPrefix)) continue;
    ++model_tensors;
    parameters += elements(tensor.shape);
  }
  const auto others = static_cast<std::int64_t>(manifest.tensors.size()) - model_tensors;
  std::cout << "\ntensors: " << model_tensors << " model (" << parameters << " parameters), "
            << others << " optimiser" << (all || others == 0 ? "" : " (--tensors lists them)")
            << "\n";
  std::vector<std::vector<std::string>> rows = {{"name", "dtype", "shape", "shard"}};
  for (const auto& tensor : manifest.tensors) {
    if (!all && !starts_with(tensor.name, kModelPrefix)) continue;
    rows.push_back({tensor.name, tensor.dtype, shape_text(tensor.shape), tensor.file});
  }
  std::cout << aligned_columns(rows, "  ");
}

void print_training_states(const std::string& path, const io::Manifest& manifest) {
  std::cout << "\ntraining state (per rank):\n";
  std::vector<std::vector<std::string>> rows = {
      {"rank", "step", "epoch", "cursor", "world size", "cpu rng", "cuda rng"}};
  auto rng = [](const std::vector<std::uint8_t>& bytes) {
    return bytes.empty() ? std::string("none") : std::to_string(bytes.size()) + " bytes";
  };
  for (int rank = 0; rank < manifest.world_size; ++rank) {
    try {
      const auto state = io::load_training_state(path + "/" + io::state_file_name(rank));
      rows.push_back({std::to_string(rank), std::to_string(state.step), std::to_string(state.epoch),
                      std::to_string(state.cursor), std::to_string(state.world_size),
                      rng(state.cpu_rng), rng(state.cuda_rng)});
    } catch (const Error& error) {
      rows.push_back({std::to_string(rank), "unreadable: " + std::string(error.what())});
    }
  }
  std::cout << aligned_columns(rows, "  ");
}

}  // namespace

int inspect_checkpoint(Runtime& runtime, const std::vector<std::string>& args) {
  bool all_tensors = false;
  ActionParser cli(
      "inspect",
      "What a checkpoint holds: step, world size, config hash and code version; its files\n"
      "(bytes, XXH64); its model tensors (name, dtype, shape, shard), with --tensors the\n"
      "optimiser's too; and each rank's training state. PATH names the checkpoint, or a\n"
      "run or checkpoints directory whose newest checkpoint that verifies is shown.",
      "  neuroscale ckpt inspect runs/default/pretrain\n"
      "  neuroscale ckpt inspect runs/default/pretrain/checkpoints/step-00000030 --tensors\n");
  cli.parser.flag("--tensors", &all_tensors, "list every tensor, the optimiser state's too");
  if (!cli.parse(args, runtime)) return 0;
  const auto where = io::locate_checkpoints(cli.path);

  std::string path, verification = "OK (sizes and XXH64 checksums)";
  io::Manifest manifest;
  if (where.step.empty()) {
    std::tie(path, manifest) = io::newest_verified_checkpoint(where, skip_warning(runtime));
  } else {
    path = where.step;
    manifest = io::read_manifest(path);
    try {
      io::verify_checkpoint(path);
    } catch (const Error& error) {
      verification = std::string("FAILED: ") + error.what();
    }
  }
  std::vector<std::vector<std::string>> header = {
      {"checkpoint", path},
      {"step", std::to_string(manifest.step)},
      {"world size", std::to_string(manifest.world_size)},
      {"config hash", manifest.config_hash},
      {"code version", manifest.code_version}};
  if (!manifest.base_weights.empty()) header.push_back({"base weights", manifest.base_weights});
  header.push_back({"verification", verification});
  std::cout << aligned_columns(header);
  std::cout << "\nfiles:\n";
  std::vector<std::vector<std::string>> files = {{"name", "bytes", "xxh64"}};
  for (const auto& file : manifest.files) {
    files.push_back({file.name, std::to_string(file.bytes), io::to_hex(file.xxh64)});
  }
  std::cout << aligned_columns(files, "  ");
  print_tensors(manifest, all_tensors);
  print_training_states(path, manifest);
  return 0;
}

}  // namespace neuroscale::jobs
