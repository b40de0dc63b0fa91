// `neuroscale ckpt list|verify|inspect|export PATH`: the checkpoints of a run, read in one
// process without MPI (layout and checks: docs/checkpoints.md; usage: docs/cli.md). PATH is
// a run directory, its checkpoints/ directory or one step-N/ checkpoint. Finding, verifying
// and reading checkpoints lives in io/checkpoint (checkpoint_reader.h); this file picks the
// action; jobs/ckpt/ holds the actions.
#include "jobs/ckpt/ckpt_actions.h"
#include "jobs/cli/actions.h"

namespace neuroscale::jobs {

int run_ckpt(Runtime& runtime, const std::vector<std::string>& args) {
  ActionCommand command;
  command.program = "neuroscale ckpt";
  command.summary =
      "List, verify, inspect and export the checkpoints of a run (docs/checkpoints.md).";
  command.notes =
      "PATH is a run directory, its checkpoints/ directory, or one step-N/ checkpoint.\n"
      "'neuroscale ckpt ACTION --help' gives an action's options.";
  command.operand = "PATH";
  command.operand_help = "the run directory or checkpoint";
  command.examples =
      "examples:\n"
      "  neuroscale ckpt list runs/default/pretrain\n"
      "  neuroscale ckpt verify runs/default/pretrain\n"
      "  neuroscale ckpt inspect runs/default/pretrain/checkpoints/step-00000030\n"
      "  neuroscale ckpt export runs/default/pretrain --output bit.safetensors\n";
  command.actions = {
      {"list", "the committed checkpoints, newest first, and incomplete leftovers",
       list_checkpoints},
      {"verify", "sizes and XXH64 checksums of every file; exit 5 if any fails",
       verify_checkpoints},
      {"inspect", "step, hashes, files, tensors and per-rank training state", inspect_checkpoint},
      {"export", "the model parameters as one safetensors file for PyTorch", export_checkpoint},
  };
  return run_action(runtime, command, args);
}

}  // namespace neuroscale::jobs
