#include "jobs/schema/braintune_schema.h"

#include "core/check.h"
#include "jobs/schema/model_sections.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, BraintuneModelConfig& o) {
  v.value("base_weights", o.base_weights,
          Field("Hugging Face wav2vec2/HuBERT weights (model.safetensors; docs/speech-model.md); "
                "empty: a "
                "randomly initialised backbone (tests)"));
  v.value(
      "normalize_audio", o.options.normalize_audio(),
      Field(
          "normalise each window to zero mean and unit variance (the checkpoint's do_normalize)"));
  describe(v, o.options.backbone());
  v.section("lora", "adapters on the attention q/k/v/out projections", [&](ConfigVisitor& l) {
    auto& lora = o.options.backbone().lora();
    l.value("rank", lora.rank(), Field("rank r of each adapter").range(1, 4096));
    l.value("alpha", lora.alpha(), Field("the update is scaled by alpha / r").greater_than(0));
    l.value("dropout", lora.dropout(),
            Field("dropout on the adapters' input while training").range(0, 0.99));
  });
}

BraintuneModelConfig::BraintuneModelConfig() {
  options.backbone().lora().rank(8).alpha(32).dropout(0.1);
}

BraintuneConfig::BraintuneConfig() {
  train.max_steps = 0;
  train.eval_steps = 0;
  train.log_every = 10;
  optimizer.name("adamw").weight_decay(0.01).grad_clip(0.0);
  schedule.kind(optim::ScheduleKind::kLinear).lr(1e-4).min_lr_ratio(0.0);
}

void describe(ConfigVisitor& v, BraintuneConfig& o) {
  v.section(
      "data", "the fMRI corpus: stories, participants and stimulus windows", [&](ConfigVisitor& s) {
        s.value("corpus", o.data.corpus,
                Field("fMRI corpus file (.h5; docs/fmri-format.md)").non_empty());
        s.value("participants", o.data.participants,
                Field("participants to tune on, in the order each story trains them (empty: every "
                      "participant "
                      "whose role is train)"));
        s.value("train_stories", o.data.train_stories,
                Field("training stories (empty: the corpus' train split)"));
        s.value("val_stories", o.data.val_stories,
                Field("validation stories (empty: the corpus' val split)"));
        s.value(
            "max_train_stories", o.data.max_train_stories,
            Field("tune on the first N training stories only (0: all), for data-efficiency curves")
                .at_least(0));
        s.value(
            "window_s", o.data.window_s,
            Field(
                "seconds of audio per response row, ending at the row's TR end (the reference: 10)")
                .range(0.05, 600));
        s.value("shuffle", o.data.shuffle,
                Field("shuffle story order and rows within stories every epoch (the reference "
                      "keeps both in order)"));
      });
  v.value("seed", o.seed,
          Field("seed of the head and adapter initialisation, adapter dropout and shuffling")
              .at_least(0));
  v.section("train", "the training loop", [&](ConfigVisitor& s) {
    s.value("epochs", o.epochs,
            Field("passes over every participant's training rows").range(1, 1e6));
    s.value("max_steps", o.train.max_steps,
            Field("optimizer steps (0: epochs x steps per epoch, the count RUN_DIR/config.yaml "
                  "then records; "
                  "otherwise the run stops there)")
                .at_least(0));
    s.value("batch_rows", o.batch_rows,
            Field("response rows per optimizer step over all ranks and micro-batches (the "
                  "reference: 128); "
                  "a rank's micro-batch is batch_rows / (ranks x accumulate)")
                .range(1, 1 << 20));
    describe_engine(s, o.train);
  });
  v.section("checkpoint",
            "checkpoints under RUN_DIR/checkpoints (needs --run-dir): adapters, head and optimiser",
            [&](ConfigVisitor& s) { describe(s, o.checkpoint); });
  v.section("model", "the speech backbone, its adapters and the shared head",
            [&](ConfigVisitor& s) { describe(s, o.model); });
  v.section("optimizer", "the optimiser of the adapters and the head",
            [&](ConfigVisitor& s) { describe(s, o.optimizer); });
  v.section("schedule", "the learning-rate schedule (total_steps = the run's optimizer steps)",
            [&](ConfigVisitor& s) {
              describe(s, o.schedule);
              s.value("warmup_fraction", o.warmup_fraction,
                      Field("warmup steps as a fraction of the run's steps (0: use warmup_steps)")
                          .range(0, 1));
            });
}

void validate(const BraintuneConfig& o, const std::string& source) {
  try {
    o.model.options.backbone().validate();
  } catch (const ConfigError& e) {
    throw ConfigError(source + ": model: " + e.what());
  }
  NS_CHECK_AS(ConfigError, o.warmup_fraction == 0.0 || o.schedule.warmup_steps() == 0, source,
              ": set either 'schedule.warmup_fraction' or 'schedule.warmup_steps', not both");
}

}  // namespace neuroscale::jobs
