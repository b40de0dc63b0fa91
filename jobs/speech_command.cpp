// `neuroscale speech labels|pretrain|export|probe`: the self-supervised speech backbone's side of
// the engine (docs/speech-pretraining.md); jobs/speech/ holds the actions.
#include "jobs/cli/actions.h"
#include "jobs/speech/speech_actions.h"

namespace neuroscale::jobs {

int run_speech(Runtime& runtime, const std::vector<std::string>& args) {
  ActionCommand command;
  command.program = "neuroscale speech";
  command.summary =
      "Self-supervised pretraining material for the wav2vec2/HuBERT speech backbone\n"
      "(docs/speech-pretraining.md): frame targets of a speech corpus (docs/speech-format.md)\n"
      "and HuBERT's masked prediction of them.";
  command.notes = "'neuroscale speech ACTION --help' gives an action's options.";
  command.examples =
      "examples:\n"
      "  neuroscale synth --kind speech --config configs/synth/speech-small.yaml --output "
      "speech.h5\n"
      "  mpirun -np 2 neuroscale speech labels --corpus speech.h5 --output labels-mfcc.h5\n"
      "  mpirun -np 2 neuroscale speech pretrain --config configs/speech/hubert-small.yaml "
      "--run-dir runs/hubert \\\n"
      "      data.corpus=speech.h5 data.labels=labels-mfcc.h5\n";
  command.actions = {
      {"labels", "HuBERT frame targets: k-means clusters of MFCC frames or of a layer, per frame",
       speech_labels},
      {"pretrain", "HuBERT masked prediction of those labels: a backbone trained from scratch",
       speech_pretrain},
      {"export", "a checkpoint of a speech pretrain run as a Hugging Face HubertModel directory",
       speech_export},
      {"probe", "a linear phoneme probe on each layer of a backbone (or its random init, or MFCCs)",
       speech_probe},
  };
  return run_action(runtime, command, args);
}

}  // namespace neuroscale::jobs
