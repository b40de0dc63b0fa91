// `neuroscale ckpt list|verify|inspect|export PATH`: the checkpoints of a run, read in one
// process without MPI (layout and checks: docs/checkpoints.md; usage: docs/cli.md). PATH is
// a run directory, its checkpoints/ directory or one step-N/ checkpoint. Finding, verifying
// and reading checkpoints lives in io/checkpoint (checkpoint_reader.h); this file picks the
// action; jobs/ckpt/ holds the actions.
#include <algorithm>
#include <iostream>

#include "core/check.h"
#include "core/text.h"
#include "jobs/ckpt/ckpt_actions.h"

namespace neuroscale::jobs {
namespace {

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
