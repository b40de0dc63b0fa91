#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, distributed::CorpusDataOptions& o) {
  v.value("corpus", o.corpus, Field("corpus file (.h5) to train on").non_empty());
  v.value(
      "subjects", o.subjects,
      Field("train and validate on these subjects of the corpus only (empty: all); the model has "
            "read-in and read-out layers for every subject"));
  v.value("tasks", o.tasks,
          Field("train and validate on sessions of these tasks only, e.g. [imagined_speech] "
                "(empty: all)"));
  v.value("normalize", o.normalize,
          Field("apply stored statistics when the corpus holds raw features"));
  v.value("prefetch", o.prefetch, Field("batches in flight per loader").range(1, 1024));
  v.value("loader_threads", o.loader_threads,
          Field("threads of each loader's pipeline").range(1, 256));
  v.value("bucket_batches", o.bucket_batches,
          Field("length-bucketing pool in batches (1: off)").range(1, 100000));
}

void describe(ConfigVisitor& v, distributed::TrainOptions& o) {
  v.value("max_steps", o.max_steps, Field("optimizer steps").range(1, 1e12));
  v.value("micro_batch", o.micro_batch, Field("trials per micro-batch").range(1, 1 << 20));
  describe_engine(v, o);
}

void describe_engine(ConfigVisitor& v, distributed::TrainOptions& o) {
  v.value("accumulate", o.accumulate, Field("micro-batches per rank per step").range(1, 4096));
  v.value("log_every", o.log_every, Field("steps between metric lines").range(1, 1e9));
  v.value("eval_every", o.eval_every,
          Field("steps between validations (0: at the end)").range(0, 1e9));
  v.value("eval_steps", o.eval_steps, Field("validation micro-batches per rank").range(0, 1e9));
  v.value("verify_every", o.verify_every,
          Field("steps between identical-parameter checks (0: off)").range(0, 1e9));
  v.value("loss_reduction", o.loss_reduction,
          Field("global mean or the reference's sum").one_of({"mean", "sum"}));
  v.value("device", o.device,
          Field("where to train (cuda: one GPU per local rank, NCCL)").one_of({"cpu", "cuda"}));
  v.value("precision", o.precision,
          Field("fp32, or bf16 autocast with float32 master weights").one_of({"fp32", "bf16"}));
  v.value("first_bucket_mb", o.first_bucket_mb,
          Field("first gradient bucket (MiB)").greater_than(0));
  v.value("bucket_mb", o.bucket_mb, Field("later gradient buckets (MiB)").greater_than(0));
  v.value("threads", o.threads,
          Field("LibTorch CPU threads per rank (0: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else "
                "all cores)")
              .range(0, 1024));
  v.value("shard_optimizer", o.shard_optimizer,
          Field("ZeRO-1: partition the optimiser state across ranks (false: every rank holds all "
                "of it)"));
  v.value("comm_timeout_s", o.comm_timeout_s,
          Field("seconds a collective may wait before the job is declared hung and aborted")
              .range(1, 1e6));
  v.value("max_nonfinite_steps", o.max_nonfinite_steps,
          Field("consecutive steps with a non-finite gradient norm (updates skipped) that stop the "
                "run with exit "
                "code 7 (0: never stop)")
              .range(0, 1e9));
}

void describe(ConfigVisitor& v, distributed::CheckpointPolicy& o) {
  v.value("every_steps", o.every_steps,
          Field("steps between checkpoints (0: only at the end and on a signal)").at_least(0));
  v.value("keep", o.keep,
          Field("committed checkpoints kept (the resumed one is never deleted)").range(1, 1e6));
  v.value("milestone_every", o.milestone_every,
          Field("also keep, forever, checkpoints of steps that are multiples of this (0: none)")
              .at_least(0));
  v.value("async", o.async,
          Field("write checkpoints in the background while training continues (the stall is a host "
                "copy)"));
}

}  // namespace neuroscale::jobs
