// `neuroscale synth --kind speech`: utterances spoken by libespeak-ng with their phoneme
// timing (io/synth/synth_speech.h), the material for pretraining a speech backbone.
#include <sstream>

#include "core/check.h"
#include "io/config/config_document.h"
#include "io/speech/speech_reader.h"
#include "io/synth/synth_speech.h"
#include "jobs/synth_kinds.h"

namespace neuroscale::jobs {

int run_synth_speech(Runtime& runtime, const std::string& config_path, const std::string& output,
                     const std::string& run_dir, bool force, bool dry_run,
                     const std::vector<std::string>& overrides) {
  // ---- config
  io::SynthSpeechOptions options;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, options); };
  std::string source = config_path.empty() ? "built-in speech synth defaults" : config_path;
  if (!read_synth_config(
          config_path, "built-in speech synth defaults", overrides, describe,
          [&](const std::string& s) {
            source = s;
            io::validate(options, s);
          },
          dry_run, output)) {
    return 0;
  }

  // ---- every rank refuses a bad word list or voice, so none waits for a failed rank 0
  io::check_synth_speech(options, source);

  // ---- generate and write (rank 0: espeak-ng has one synthesiser per process, and the
  // utterances are reproducible only as one sequence)
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  std::ostringstream what;
  what << "generating synthetic speech corpus '" << output << "' (" << options.hours << " h)";
  generate_on_rank_zero(
      runtime, what.str(), output, "s of speech",
      [&](const SynthProgress& progress) {
        io::write_synth_speech(options, output, force, source, progress);
      },
      [&] { return io::summarize(io::SpeechReader(output).index()); });
  return 0;
}

}  // namespace neuroscale::jobs
