// `neuroscale speech labels`: the self-supervised speech backbone's side of the engine
// (docs/speech-pretraining.md); jobs/speech/ holds the actions.
#include "jobs/cli/actions.h"
#include "jobs/speech/speech_actions.h"

namespace neuroscale::jobs {

int run_speech(Runtime& runtime, const std::vector<std::string>& args) {
  ActionCommand command;
  command.program = "neuroscale speech";
  command.summary =
      "Self-supervised pretraining material for the wav2vec2/HuBERT speech backbone\n"
      "(docs/speech-pretraining.md): frame targets of a speech corpus (docs/speech-format.md).";
  command.notes = "'neuroscale speech ACTION --help' gives an action's options.";
  command.examples =
      "examples:\n"
      "  neuroscale synth --kind speech --config configs/synth/speech-small.yaml --output "
      "speech.h5\n"
      "  mpirun -np 2 neuroscale speech labels --corpus speech.h5 --output labels-mfcc.h5\n";
  command.actions = {
      {"labels", "HuBERT frame targets: k-means clusters of MFCC frames, one label per frame",
       speech_labels},
  };
  return run_action(runtime, command, args);
}

}  // namespace neuroscale::jobs
