// neuroscale: the command-line entry point. Dispatches to a subcommand, turns every error
// into one clear line and an exit code, and takes the whole MPI job down when one rank fails.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/host_allocator.h"
#include "core/interrupt.h"
#include "core/sanitizer_defaults.h"
#include "core/text.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
namespace {

std::string top_level_help() {
  std::string text =
      "usage: neuroscale [--help] [--version] <command> [options] [key.sub=value ...]\n\n"
      "Pretrain and tune neural-data foundation models across MPI ranks and GPUs.\n\n"
      "commands:\n";
  for (const auto& command : commands()) {
    std::string name = command.name;
    text += "  " + name + std::string(12 - name.size(), ' ') + command.summary + "\n";
  }
  text +=
      "\nRun 'neuroscale <command> --help' for a command's options. Multi-rank runs:\n"
      "  mpirun -np N neuroscale <command> ...    srun --mpi=pmix neuroscale <command> ...\n"
      "Documentation: docs/ (cli.md, configuration.md, corpus-format.md).\n";
  return text;
}

int dispatch(Runtime& runtime, const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << top_level_help();
    return args.empty() ? static_cast<int>(ExitCode::kUsage) : 0;
  }
  if (args[0] == "--version") {
    std::cout << version_text();
    return 0;
  }
  std::vector<std::string> names;
  for (const auto& command : commands()) {
    if (args[0] == command.name) {
      return command.run(runtime, std::vector<std::string>(args.begin() + 1, args.end()));
    }
    names.push_back(command.name);
  }
  if (args[0].rfind("-", 0) == 0) {
    NS_THROW(UsageError, "unknown option '", args[0],
             "' (expected a command; see 'neuroscale --help')");
  }
  NS_THROW(UsageError, "unknown command '", args[0], "'", did_you_mean(args[0], names),
           "; commands: ", join(names, ", "));
}

}  // namespace
}  // namespace neuroscale::jobs

int main(int argc, char** argv) {
  using namespace neuroscale;
  tune_host_allocator();  // before any thread or tensor exists
  std::vector<std::string> args(argv + 1, argv + argc);
  bool verbose = false;
  for (const auto& arg : args) verbose = verbose || arg == "--verbose";
  jobs::Runtime runtime(std::vector<std::string>(argv, argv + argc));
  install_interrupt_handlers();
  try {
    return jobs::dispatch(runtime, args);
  } catch (const CheckpointedStop& e) {
    // Every rank stops at the same step by agreement: no abort, a normal exit with code 75.
    if (runtime.process().rank == 0) std::fprintf(stderr, "neuroscale: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const Error& e) {
    return jobs::report_failure(runtime, e.kind(), e.what(), e.where(),
                                static_cast<int>(e.exit_code()), verbose);
  } catch (const std::exception& e) {
    return jobs::report_failure(runtime, "error", e.what(), "",
                                static_cast<int>(ExitCode::kFailure), verbose);
  }
}
