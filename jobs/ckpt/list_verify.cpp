// `neuroscale ckpt list` and `neuroscale ckpt verify`: the committed checkpoints of a run
// (and incomplete leftovers), and their full verification.
#include <iostream>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_history.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "jobs/ckpt/ckpt_actions.h"

namespace neuroscale::jobs {

int list_checkpoints(Runtime& runtime, const std::vector<std::string>& args) {
  ActionParser cli(
      "list",
      "One line per committed checkpoint, newest first: step, ranks, size on disk, whether\n"
      "`latest` names it, and whether its manifest reads and its files have their sizes\n"
      "(checksums: 'neuroscale ckpt verify'). Leftover step-N.tmp/ directories are listed as\n"
      "incomplete.",
      "  neuroscale ckpt list runs/default/pretrain\n"
      "  neuroscale ckpt list runs/default/pretrain/checkpoints/step-00000030\n");
  if (!cli.parse(args, runtime)) return 0;
  const auto where = io::locate_checkpoints(cli.path);

  const std::string latest = io::latest_checkpoint(where.directory);
  std::vector<std::vector<std::string>> rows = {
      {"checkpoint", "step", "ranks", "size", "latest", "status"}};
  bool latest_found = latest.empty();
  for (const auto& path : io::checkpoint_paths(where)) {
    const std::string name = base_name(path);
    std::string step = std::to_string(io::checkpoint_step(name)), ranks = "?";
    try {
      const auto manifest = io::read_manifest(path);
      step = std::to_string(manifest.step);
      ranks = std::to_string(manifest.world_size);
    } catch (const Error&) {
      // quick_check below gives the reason
    }
    const auto status = io::quick_check(path);
    latest_found = latest_found || name == latest;
    rows.push_back({name, step, ranks, format_bytes(io::directory_bytes(path)),
                    name == latest ? "latest" : "", status.empty() ? "ok" : status});
  }
  if (where.step.empty()) {
    for (const auto& name : io::incomplete_checkpoints(where.directory)) {
      rows.push_back({name, "-", "-",
                      format_bytes(io::directory_bytes(where.directory + "/" + name)), "",
                      "incomplete (never committed)"});
    }
  }
  if (rows.size() == 1) {
    std::cout << "no checkpoints in " << where.directory << "\n";
    return 0;
  }
  std::cout << aligned_columns(rows);
  if (!latest_found && where.step.empty()) {
    std::cout << "note: latest names " << latest << ", which is not a committed checkpoint here\n";
  }
  if (where.step.empty()) {
    const auto set_aside = io::off_chain_checkpoints(where.directory).size();
    if (set_aside > 0) {
      std::cout << "note: " << where.directory << "/" << io::kOffChainDirectory << "/ holds "
                << set_aside
                << " checkpoint(s) set aside, not on the run's history (docs/checkpoints.md)\n";
    }
  }
  return 0;
}

int verify_checkpoints(Runtime& runtime, const std::vector<std::string>& args) {
  ActionParser cli(
      "verify",
      "Verify checkpoints fully: the manifest, every file's size and XXH64 checksum, and\n"
      "every tensor's shard. Prints 'OK step-N' or 'FAILED step-N: reason' for the\n"
      "checkpoint PATH names, or for every committed one under a run or checkpoints\n"
      "directory. Exit code 0 when all verify, 5 (checkpoint error) otherwise.",
      "  neuroscale ckpt verify runs/default/pretrain\n"
      "  neuroscale ckpt verify runs/default/pretrain/checkpoints/step-00000030\n");
  if (!cli.parse(args, runtime)) return 0;
  const auto where = io::locate_checkpoints(cli.path);
  const auto paths = io::checkpoint_paths(where);
  NS_CHECK_AS(CheckpointError, !paths.empty(), "'", where.directory,
              "' holds no committed checkpoint to verify");

  std::vector<std::string> failures;
  for (const auto& path : paths) {
    try {
      const auto manifest = io::verify_checkpoint(path);
      std::uint64_t bytes = 0;
      for (const auto& file : manifest.files) bytes += file.bytes;
      std::cout << "OK " << base_name(path) << " (" << manifest.files.size() << " files, "
                << format_bytes(bytes) << ", " << manifest.tensors.size() << " tensors)\n";
    } catch (const Error& error) {
      std::cout << "FAILED " << base_name(path) << ": " << error.what() << "\n";
      failures.push_back(error.what());
    }
  }
  std::cout.flush();
  if (failures.size() == 1 && paths.size() == 1) NS_THROW(CheckpointError, failures.front());
  NS_CHECK_AS(CheckpointError, failures.empty(), failures.size(), " of ", paths.size(),
              " checkpoints in '", where.directory, "' fail verification: ", join(failures, "; "));
  return 0;
}

}  // namespace neuroscale::jobs
