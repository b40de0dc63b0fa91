// `neuroscale pretrain`: masked-modelling pretraining of the BIT encoder over a corpus,
// data-parallel across the ranks of `mpirun -np N` or `srun`.
#include <torch/torch.h>

#include <iostream>

#include "core/check.h"
#include "io/config/config_document.h"
#include "io/schema/pretrain_schema.h"
#include "jobs/runtime.h"
#include "jobs/training_run.h"

namespace neuroscale::jobs {
int run_pretrain(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  ConfigCommandLine line;
  CommonOptions common;
  ArgParser parser("neuroscale pretrain",
                   "Pretrain the BIT encoder by masked time-patch reconstruction on a corpus,\n"
                   "data-parallel over the ranks of mpirun or srun. Metrics go to the log and,\n"
                   "with --run-dir, to RUN_DIR/metrics.jsonl; checkpoints to RUN_DIR/checkpoints.\n"
                   "SIGTERM or SIGUSR1 on any rank: all ranks save a checkpoint at the next step\n"
                   "and exit with code 75 (requeue me); the next launch resumes from it.");
  add_config_options(parser, line, "configs/pretrain/*.yaml", false, true);
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale pretrain --config configs/pretrain/tiny.yaml data.corpus=corpus.h5\n"
      "  mpirun -np 4 neuroscale pretrain --config configs/pretrain/tiny.yaml --run-dir runs/a train.max_steps=200\n"
      "  srun --mpi=pmix neuroscale pretrain --config configs/pretrain/paper.yaml --run-dir $RUN_DIR\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  io::PretrainConfig config;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  if (!read_config(line, describe, [&](const std::string& source) { io::validate(config, source); })) return 0;

  // ---- ranks, device, corpus; then the task (same seed on every rank; rank 0's weights are
  // broadcast) and training
  auto spec = training_spec("pretraining", line, describe, config, config.task.model().encoder().patch_size());
  TrainingRun run(runtime, spec);
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  const auto subjects = subject_specs(run.index());
  config.task.model().encoder().subjects(subjects);
  config.task.seed(static_cast<std::uint64_t>(config.seed));
  task::MaskedModelingTask task(config.task);
  task.module().to(run.device());

  OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  optimization.model_identity =
      model_identity("", subjects, io::to_yaml([&](io::ConfigVisitor& v) { io::describe(v, config.task); }));
  optimization.flops_per_bin = training_flops_per_bin(task.module(), task, config.task.model().encoder(), 2);
  run.train(task, optimization);
  return 0;
}

}  // namespace neuroscale::jobs
