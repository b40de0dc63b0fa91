// `neuroscale pretrain`: masked-modelling pretraining of the BIT encoder over a corpus,
// data-parallel across the ranks of `mpirun -np N` or `srun`.
#include <torch/torch.h>

#include "distributed/corpus_data.h"
#include "io/config/config_document.h"
#include "jobs/config_job.h"
#include "jobs/schema/pretrain_schema.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {

int run_pretrain(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  ConfigJob job(runtime, ConfigJob::Kind::kTraining, "neuroscale pretrain",
                "Pretrain the BIT encoder by masked time-patch reconstruction on a corpus,\n"
                "data-parallel over the ranks of mpirun or srun. Metrics go to the log and,\n"
                "with --run-dir, to RUN_DIR/metrics.jsonl; checkpoints to RUN_DIR/checkpoints.\n"
                "SIGTERM or SIGUSR1 on any rank: all ranks save a checkpoint at the next step\n"
                "and exit with code 75 (requeue me); the next launch resumes from it.",
                "configs/pretrain/*.yaml");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale pretrain --config configs/pretrain/tiny.yaml data.corpus=corpus.h5\n"
      "  mpirun -np 4 neuroscale pretrain --config configs/pretrain/tiny.yaml --run-dir runs/a "
      "train.max_steps=200\n"
      "  srun --mpi=pmix neuroscale pretrain --config configs/pretrain/paper.yaml --run-dir "
      "$RUN_DIR\n");
  PretrainConfig config;
  if (!job.parse(args, config)) return 0;

  // ---- ranks, device, corpus; then the task (same seed on every rank; rank 0's weights are
  // broadcast) and training
  auto spec = training_spec("pretraining", job, config, config.task.model().encoder().patch_size());
  spec.fraction = config.fraction;
  spec.fraction_seed = static_cast<std::uint64_t>(config.fraction_seed);
  const auto run = open_training_session(job, spec);
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  const auto subjects = distributed::subject_specs(run->index());
  config.task.model().encoder().subjects(subjects);
  config.task.seed(static_cast<std::uint64_t>(config.seed));
  task::MaskedModelingTask task(config.task);
  task.module().to(run->device());

  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  optimization.model_identity = distributed::neural_model_identity(
      "", subjects, io::to_yaml([&](io::ConfigVisitor& v) { describe(v, config.task); }));
  optimization.flops_per_bin =
      distributed::training_flops_per_bin(task.module(), task, config.task.model().encoder(), 2);
  run->train(task, optimization);
  return 0;
}

}  // namespace neuroscale::jobs
