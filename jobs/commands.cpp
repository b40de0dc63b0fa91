// The subcommand table, how every process reports a failure, and the version text.
#include <hdf5.h>
#include <torch/version.h>

#include <cstdio>

#include "distributed/accelerator.h"
#include "jobs/runtime.h"
#include "neuroscale/build_config.h"
#include "neuroscale/git_revision.h"

namespace neuroscale::jobs {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"synth",
       "generate a synthetic corpus: cross-species neural, fMRI (--kind fmri) or speech (--kind "
       "speech)",
       run_synth},
      {"ingest", "convert recordings (b2t25, b2t24, nwb) into a corpus file", run_ingest},
      {"corpus", "inspect a corpus file (corpus info FILE)", run_corpus},
      {"model", "parameter counts of the model a config builds (model summary)", run_model},
      {"pretrain", "masked-modelling pretraining of the BIT encoder, data-parallel", run_pretrain},
      {"finetune", "CTC phoneme fine-tuning of a pretrained (or fresh) BIT encoder, data-parallel",
       run_finetune},
      {"braintune", "brain-tune a speech model (LoRA + shared head) on several participants' fMRI",
       run_braintune},
      {"evaluate",
       "decode with a fine-tuned checkpoint (PER/WER), or --task brain-alignment of speech models",
       run_evaluate},
      {"ckpt", "list, verify, inspect and export checkpoints", run_ckpt},
      {"lm",
       "causal language models (Qwen2, Llama): train, generate text, score sentences (lm "
       "train|generate|score)",
       run_lm},
      {"speech",
       "pretrain a wav2vec2/HuBERT speech backbone: frame targets, masked prediction (speech "
       "labels|pretrain)",
       run_speech},
      {"sweep", "expand a sweep spec into the elements of a Slurm job array (sweep plan SPEC)",
       run_sweep},
      {"report", "one CSV of the final metrics and throughput of runs (report RUN_DIR...)",
       run_report},
  };
  return kCommands;
}

int report_failure(Runtime& runtime, const char* kind, const std::string& message,
                   const std::string& where, int code, bool verbose) {
  std::string text = message;
  if (!verbose) text = text.substr(0, text.find('\n'));  // LibTorch messages carry traces
  const auto& process = runtime.process();
  std::string prefix = "neuroscale";
  if (process.world_size > 1) {
    prefix += " [rank " + std::to_string(process.rank) + "/" + std::to_string(process.world_size) +
              " on " + process.host + "]";
  }
  std::fprintf(stderr, "%s: %s: %s\n", prefix.c_str(), kind, text.c_str());
  if (verbose && !where.empty()) std::fprintf(stderr, "  thrown at %s\n", where.c_str());
  std::fflush(stderr);
  if (runtime.mpi_active() && runtime.mpi().size() > 1) runtime.mpi().abort(code);
  return code;
}

std::string version_text() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  std::string text = std::string("neuroscale ") + NEUROSCALE_VERSION + " (git " +
                     NEUROSCALE_GIT_REVISION + ", " + NEUROSCALE_BUILD_TYPE + " build)\n";
  text += "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
          std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH) + "\n";
  text += "MPI: " + distributed::mpi_library_version() + "\n";
  text += "HDF5 " + std::to_string(major) + "." + std::to_string(minor) + "." +
          std::to_string(release) + (H5_HAVE_PARALLEL ? " (parallel)" : " (serial)") + "\n";
  text += distributed::nccl_version() + "\n";
  return text;
}

}  // namespace neuroscale::jobs
