#include "io/schema/pretrain_schema.h"

#include "core/check.h"

namespace neuroscale::io {

void describe(ConfigVisitor& v, PretrainConfig& o) {
  v.section("data", "the corpus and its loader", [&](ConfigVisitor& s) {
    s.value("corpus", o.data.corpus, Field("corpus file (.h5) to pretrain on").non_empty());
    s.value("subjects", o.data.subjects,
            Field("train and validate on these subjects of the corpus only (empty: all); the model keeps "
                  "read-in and read-out layers for every subject"));
    s.value("normalize", o.data.normalize, Field("apply stored statistics when the corpus holds raw features"));
    s.value("prefetch", o.data.prefetch, Field("batches in flight per loader").range(1, 1024));
    s.value("loader_threads", o.data.loader_threads, Field("threads of each loader's pipeline").range(1, 256));
    s.value("bucket_batches", o.data.bucket_batches, Field("length-bucketing pool in batches (1: off)").range(1, 100000));
  });
  v.value("seed", o.seed, Field("seed of initialisation, dropout, shuffling and masking").at_least(0));
  v.section("train", "the training loop", [&](ConfigVisitor& s) {
    s.value("max_steps", o.train.max_steps, Field("optimizer steps").range(1, 1e12));
    s.value("micro_batch", o.train.micro_batch, Field("trials per micro-batch").range(1, 1 << 20));
    s.value("accumulate", o.train.accumulate, Field("micro-batches per rank per step").range(1, 4096));
    s.value("log_every", o.train.log_every, Field("steps between metric lines").range(1, 1e9));
    s.value("eval_every", o.train.eval_every, Field("steps between validations (0: at the end)").range(0, 1e9));
    s.value("eval_steps", o.train.eval_steps, Field("validation micro-batches per rank").range(0, 1e9));
    s.value("verify_every", o.train.verify_every, Field("steps between identical-parameter checks (0: off)").range(0, 1e9));
    s.value("loss_reduction", o.train.loss_reduction, Field("global mean or the reference's sum").one_of({"mean", "sum"}));
    s.value("device", o.train.device, Field("where to train (cuda: one GPU per local rank, NCCL)").one_of({"cpu", "cuda"}));
    s.value("precision", o.train.precision,
            Field("fp32, or bf16 autocast with float32 master weights").one_of({"fp32", "bf16"}));
    s.value("first_bucket_mb", o.train.first_bucket_mb, Field("first gradient bucket (MiB)").greater_than(0));
    s.value("bucket_mb", o.train.bucket_mb, Field("later gradient buckets (MiB)").greater_than(0));
    s.value("threads", o.train.threads, Field("LibTorch CPU threads per rank (0: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, else all cores)").range(0, 1024));
    s.value("shard_optimizer", o.train.shard_optimizer,
            Field("ZeRO-1: partition the optimiser state across ranks (false: every rank holds all of it)"));
    s.value("comm_timeout_s", o.train.comm_timeout_s,
            Field("seconds a collective may wait before the job is declared hung and aborted").range(1, 1e6));
  });
  v.section("checkpoint", "checkpoints under RUN_DIR/checkpoints (needs --run-dir)", [&](ConfigVisitor& s) {
    s.value("every_steps", o.checkpoint.every_steps,
            Field("steps between checkpoints (0: only at the end and on a signal)").at_least(0));
    s.value("keep", o.checkpoint.keep, Field("committed checkpoints kept (the resumed one is never deleted)").range(1, 1e6));
    s.value("milestone_every", o.checkpoint.milestone_every,
            Field("also keep, forever, checkpoints of steps that are multiples of this (0: none)").at_least(0));
    s.value("async", o.checkpoint.async,
            Field("write checkpoints in the background while training continues (the stall is a host copy)"));
  });
  describe(v, o.task);
  v.section("optimizer", "the optimiser", [&](ConfigVisitor& s) { describe(s, o.optimizer); });
  v.section("schedule", "the learning-rate schedule (total_steps = train.max_steps)",
            [&](ConfigVisitor& s) { describe(s, o.schedule); });
}

void validate(const PretrainConfig& o, const std::string& source) {
  validate(o.task, source);
  NS_CHECK_AS(ConfigError, o.schedule.warmup_steps() <= o.train.max_steps, source, ": 'schedule.warmup_steps' (",
              o.schedule.warmup_steps(), ") exceeds 'train.max_steps' (", o.train.max_steps, ")");
}

}  // namespace neuroscale::io
