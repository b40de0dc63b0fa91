// `neuroscale finetune`: CTC phoneme fine-tuning of a pretrained BIT encoder (or of a fresh
// one, for comparison) on the labelled trials of a corpus, data-parallel like pretraining.
#include <torch/torch.h>

#include <algorithm>
#include <set>

#include "core/check.h"
#include "core/task/ctc_phoneme.h"
#include "core/text.h"
#include "distributed/corpus_data.h"
#include "io/config/config_document.h"
#include "jobs/config_job.h"
#include "jobs/pretrained_encoder.h"
#include "jobs/schema/finetune_schema.h"
#include "jobs/sentence_finetune.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {
int run_finetune(Runtime& runtime, const std::vector<std::string>& args) {
  ConfigJob job(
      runtime, ConfigJob::Kind::kTraining, "neuroscale finetune",
      "Fine-tune the BIT encoder to decode phonemes with CTC (41 classes: blank, 39\n"
      "phonemes, SIL) on the labelled trials of a corpus, starting from a pretraining\n"
      "checkpoint (init.checkpoint) or from scratch. Read-ins of subjects the checkpoint\n"
      "knows are reused, new subjects get new ones; the CTC head is new. The pretrained\n"
      "layers learn at schedule.lr x optimizer.body_lr_scale, the new ones at schedule.lr.\n"
      "Metrics (loss, per = phoneme error rate of greedy decoding, val_per) go to the log\n"
      "and, with --run-dir, to RUN_DIR/metrics.jsonl; checkpoints to RUN_DIR/checkpoints.\n"
      "With 'task: sentence', BIT's end-to-end stage instead: the encoder's tokens are\n"
      "projected into the frozen causal LM of sentence.llm (LoRA adapters, the modality\n"
      "aligner) and the LM learns to write each trial's sentence (docs/finetuning.md).\n"
      "SIGTERM or SIGUSR1: every rank saves a checkpoint and the job exits 75 (requeue me).",
      "configs/finetune/*.yaml");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale finetune --config configs/finetune/tiny.yaml data.corpus=corpus.h5 "
      "init.checkpoint=runs/pre\n"
      "  mpirun -np 2 neuroscale finetune --config configs/finetune/tiny.yaml --run-dir runs/ft "
      "data.label_fraction=0.1\n"
      "  neuroscale finetune --config configs/finetune/sentence-tiny.yaml --run-dir runs/e2e "
      "sentence.llm=runs/lm/hf init.checkpoint=runs/ft\n");
  FinetuneConfig config;
  if (!job.parse(args, config)) return 0;
  if (config.objective == "sentence") {
    run_sentence_finetune(job, config);
    return 0;
  }

  auto spec = training_spec("fine-tuning", job, config, config.task.model().encoder().patch_size());
  spec.labeled_only = true;
  spec.fraction = config.label_fraction;
  spec.fraction_seed = static_cast<std::uint64_t>(config.label_seed);
  const auto run = open_training_session(job, spec);

  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  const auto subjects = distributed::subject_specs(run->index());
  config.task.model().encoder().subjects(subjects);
  config.task.seed(static_cast<std::uint64_t>(config.seed));
  task::CtcPhonemeTask task(config.task);
  std::set<std::string> pretrained;
  if (!config.init_checkpoint.empty())
    pretrained = load_pretrained_encoder(task.model()->encoder, config.init_checkpoint,
                                         config.init_new_read_ins, run->log());
  task.module().to(run->device());

  auto optimization = finetune_optimization(config, std::move(pretrained));
  optimization.model_identity = distributed::neural_model_identity(
      "ctc_phoneme", subjects,
      io::to_yaml([&](io::ConfigVisitor& v) { describe(v, config.task); }));
  optimization.flops_per_bin =
      distributed::training_flops_per_bin(task.module(), task, config.task.model().encoder(), 1);
  run->train(task, optimization);
  return 0;
}

}  // namespace neuroscale::jobs
