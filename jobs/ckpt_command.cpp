// `neuroscale ckpt list|verify|inspect|export PATH`: the checkpoints of a run, read in one
// process without MPI (layout and checks: docs/checkpoints.md; usage: docs/cli.md). PATH is
// a run directory, its checkpoints/ directory or one step-N/ checkpoint. Finding, verifying
// and reading checkpoints lives in io/checkpoint (checkpoint_reader.h); this file parses the
// command line, prints, and writes the export.
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <tuple>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_history.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/checkpoint/training_state.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"
#include "io/tensors/safetensors.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
namespace {

const std::string kModelPrefix = io::kModelPrefix;
const std::string kOptimizerPrefix = io::kOptimizerPrefix;

std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

// ---- printing

// `rows` (the first is the header) as left-aligned columns, two spaces apart.
void print_table(const std::vector<std::vector<std::string>>& rows,
                 const std::string& indent = "") {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << '\n';
  }
}

std::int64_t elements(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

// Logs a checkpoint skipped because it does not verify.
std::function<void(const std::string&, const std::string&)> skip_warning(Runtime& runtime) {
  return [&runtime](const std::string& path, const std::string& reason) {
    runtime.logger().warn("skipping ", base_name(path), " (it does not verify): ", reason);
  };
}

// ---- the actions

// Each action's parser: PATH, the action's own options, then the common options.
struct ActionParser {
  ActionParser(const std::string& action, const std::string& summary, std::string examples)
      : parser("neuroscale ckpt " + action, summary), examples(std::move(examples)) {
    parser.positional("PATH", &path,
                      "a run directory, its checkpoints/ directory, or one step-N/ checkpoint");
  }
  // Parses `args` and configures `runtime`; false after printing --help.
  bool parse(const std::vector<std::string>& args, Runtime& runtime) {
    add_common_options(parser, common);
    parser.epilog("examples:\n" + examples);
    if (!parser.parse(args, std::cout)) return false;
    runtime.configure(common);
    return true;
  }
  ArgParser parser;
  std::string path, examples;
  CommonOptions common;
};

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
  print_table(rows);
  if (!latest_found && where.step.empty()) {
    std::cout << "note: latest names " << latest << ", which is not a committed checkpoint here\n";
  }
  if (where.step.empty()) {
    const auto set_aside = io::off_chain_checkpoints(where.directory).size();
    if (set_aside > 0) {
      std::cout << "note: " << where.directory << "/" << io::kOffChainDirectory << "/ holds " << set_aside
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
  print_table(rows, "  ");
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
  print_table(rows, "  ");
}

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
  std::vector<std::vector<std::string>> header = {{"checkpoint", path},
                                                  {"step", std::to_string(manifest.step)},
                                                  {"world size", std::to_string(manifest.world_size)},
                                                  {"config hash", manifest.config_hash},
                                                  {"code version", manifest.code_version}};
  if (!manifest.base_weights.empty()) header.push_back({"base weights", manifest.base_weights});
  header.push_back({"verification", verification});
  print_table(header);
  std::cout << "\nfiles:\n";
  std::vector<std::vector<std::string>> files = {{"name", "bytes", "xxh64"}};
  for (const auto& file : manifest.files) {
    files.push_back({file.name, std::to_string(file.bytes), io::to_hex(file.xxh64)});
  }
  print_table(files, "  ");
  print_tensors(manifest, all_tensors);
  print_training_states(path, manifest);
  return 0;
}

int export_checkpoint(Runtime& runtime, const std::vector<std::string>& args) {
  std::string output;
  bool force = false, include_optimizer = false;
  ActionParser cli(
      "export",
      "Write a checkpoint's model parameters to one safetensors file under their PyTorch\n"
      "names (without the 'model.' prefix), for safetensors.torch.load_file and\n"
      "load_state_dict. The checkpoint is verified first; a damaged one is refused. PATH\n"
      "names the checkpoint, or a run or checkpoints directory whose newest checkpoint\n"
      "that verifies is exported. Metadata: format pt, step, config_hash, code_version.",
      "  neuroscale ckpt export runs/default/pretrain --output bit.safetensors\n"
      "  neuroscale ckpt export runs/default/pretrain/checkpoints/step-00000030 --force \\\n"
      "      --output all.safetensors --include-optimizer\n"
      "  python3 -c \"import safetensors.torch as st; "
      "print(list(st.load_file('bit.safetensors')))\"\n");
  cli.parser.option("--output", &output, "FILE", "the safetensors file to write (atomically)",
                    true);
  cli.parser.flag("--force", &force, "replace FILE if it exists");
  cli.parser.flag("--include-optimizer", &include_optimizer,
                  "also write the optimiser state (optim.* names, unchanged)");
  if (!cli.parse(args, runtime)) return 0;
  NS_CHECK_AS(UsageError, force || !io::path_exists(output), "neuroscale ckpt export: '", output,
              "' already exists (pass --force to replace it)");
  const auto where = io::locate_checkpoints(cli.path);

  std::string path;
  io::Manifest manifest;
  if (where.step.empty()) {
    std::tie(path, manifest) = io::newest_verified_checkpoint(where, skip_warning(runtime));
  } else {
    path = where.step;
    try {
      manifest = io::verify_checkpoint(path);
    } catch (const Error& error) {
      NS_THROW(CheckpointError, "not exporting a damaged checkpoint: ", error.what());
    }
  }
  auto tensors = io::read_checkpoint_tensors(path, manifest, [&](const std::string& name) {
    return starts_with(name, kModelPrefix) ||
           (include_optimizer && starts_with(name, kOptimizerPrefix));
  });
  std::int64_t parameters = 0, model_tensors = 0;
  for (auto& [name, tensor] : tensors) {
    if (!starts_with(name, kModelPrefix)) continue;
    name = name.substr(kModelPrefix.size());
    parameters += tensor.numel();
    ++model_tensors;
  }
  NS_CHECK_AS(CheckpointError, model_tensors > 0, "'", path, "' holds no model tensors ('",
              kModelPrefix, "*')");
  std::map<std::string, std::string> metadata = {{"format", "pt"},
                                                 {"step", std::to_string(manifest.step)},
                                                 {"config_hash", manifest.config_hash},
                                                 {"code_version", manifest.code_version},
                                                 {"checkpoint", base_name(path)}};
  if (!manifest.base_weights.empty()) metadata["base_weights"] = manifest.base_weights;
  io::write_safetensors(output, tensors, metadata);
  std::cout << "exported " << base_name(path) << " (step " << manifest.step
            << "): " << model_tensors << " model tensors (" << parameters << " parameters)";
  if (include_optimizer) {
    std::cout << " and " << tensors.size() - model_tensors << " optimiser tensors";
  }
  std::cout << " to " << output << "\n";
  return 0;
}

struct Action {
  const char* name;
  const char* summary;
  int (*run)(Runtime& runtime, const std::vector<std::string>& args);
};

const std::vector<Action>& actions() {
  static const std::vector<Action> kActions = {
      {"list", "the committed checkpoints, newest first, and incomplete leftovers",
       list_checkpoints},
      {"verify", "sizes and XXH64 checksums of every file; exit 5 if any fails",
       verify_checkpoints},
      {"inspect", "step, hashes, files, tensors and per-rank training state", inspect_checkpoint},
      {"export", "the model parameters as one safetensors file for PyTorch", export_checkpoint},
  };
  return kActions;
}

}  // namespace

int run_ckpt(Runtime& runtime, const std::vector<std::string>& args) {
  std::vector<std::string> names;
  std::string summary =
      "List, verify, inspect and export the checkpoints of a run "
      "(docs/checkpoints.md).\n\nactions:\n";
  for (const auto& action : actions()) {
    names.push_back(action.name);
    summary += "  " + std::string(action.name) +
               std::string(10 - std::string(action.name).size(), ' ') + action.summary + "\n";
  }
  summary +=
      "\nPATH is a run directory, its checkpoints/ directory, or one step-N/ checkpoint.\n"
      "'neuroscale ckpt ACTION --help' gives an action's options.";
  // The action is the first argument, or the first one naming an action after options
  // ("ckpt --verbose list PATH"); otherwise the ckpt parser gives help or the usage error.
  std::vector<std::string> rest = args;
  auto named = rest.begin();
  if (!rest.empty() && starts_with(rest[0], "-")) {
    named = std::find_first_of(rest.begin(), rest.end(), names.begin(), names.end());
  }
  std::string action, path;
  if (named != rest.end()) {
    action = *named;
    rest.erase(named);
  } else {
    CommonOptions common;
    ArgParser parser("neuroscale ckpt", summary);
    parser.positional("ACTION", &action, "what to do: " + join(names, ", "));
    parser.positional("PATH", &path, "the run directory or checkpoint", false);
    add_common_options(parser, common);
    parser.epilog(
        "examples:\n"
        "  neuroscale ckpt list runs/default/pretrain\n"
        "  neuroscale ckpt verify runs/default/pretrain\n"
        "  neuroscale ckpt inspect runs/default/pretrain/checkpoints/step-00000030\n"
        "  neuroscale ckpt export runs/default/pretrain --output bit.safetensors\n");
    if (!parser.parse(args, std::cout)) return 0;
  }
  for (const auto& candidate : actions()) {
    if (action == candidate.name) return candidate.run(runtime, rest);
  }
  NS_THROW(UsageError, "neuroscale ckpt: unknown action '", action, "'",
           did_you_mean(action, names), " (expected: ", join(names, ", "), ")");
}

}  // namespace neuroscale::jobs
