// What `neuroscale synth` shares with its fMRI and speech kinds (jobs/synth_command.cpp,
// jobs/synth_fmri.cpp, jobs/synth_speech.cpp): reading a synth config, and generating the
// fMRI and speech corpora.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

// Reads `config_path` (or the built-in defaults, named `builtin`) with the overrides into
// `describe` and validates it. With --dry-run prints the resolved config and returns false
// (the command is done); otherwise requires --output.
bool read_synth_config(const std::string& config_path, const char* builtin,
                       const std::vector<std::string>& overrides, const io::Describer& describe,
                       const std::function<void(const std::string&)>& validate, bool dry_run,
                       const std::string& output);

// Reports progress(done, total) in `unit`s as a progress bar.
using SynthProgress = std::function<void(double done, double total)>;

// The serial kinds' generation: rank 0 logs `what`, runs `write` with a progress callback,
// logs the time it took and prints `summary()` to stdout; every rank then waits at a barrier
// for it (so a failure on rank 0 aborts the job rather than leaving ranks behind).
void generate_on_rank_zero(Runtime& runtime, const std::string& what, const std::string& output,
                           const std::string& unit,
                           const std::function<void(const SynthProgress&)>& write,
                           const std::function<std::string()>& summary);

// `--kind fmri`: stories spoken by espeak-ng and participants' responses from a hidden
// encoding model (io/synth/synth_fmri.h). Serial: under mpirun, rank 0 generates and writes
// while the other ranks wait for it.
int run_synth_fmri(Runtime& runtime, const std::string& config_path, const std::string& output,
                   const std::string& run_dir, bool force, bool dry_run,
                   const std::vector<std::string>& overrides);

// `--kind speech`: utterances spoken by libespeak-ng with their phoneme timing
// (io/synth/synth_speech.h). Serial: under mpirun, rank 0 generates and writes while the
// other ranks wait for it.
int run_synth_speech(Runtime& runtime, const std::string& config_path, const std::string& output,
                     const std::string& run_dir, bool force, bool dry_run,
                     const std::vector<std::string>& overrides);

}  // namespace neuroscale::jobs
