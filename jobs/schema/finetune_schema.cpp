#include "jobs/schema/finetune_schema.h"

#include "core/check.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, FinetuneConfig& o) {
  v.value("task", o.objective,
          Field("phonemes: CTC phoneme decoding; sentence: BIT's end-to-end stage (the encoder "
                "into an LLM that writes the sentence)")
              .one_of({"phonemes", "sentence"}));
  v.section("data", "the corpus (labelled trials only) and its loader", [&](ConfigVisitor& s) {
    describe(s, o.data);
    s.value("label_fraction", o.label_fraction,
            Field("fraction of each subject's labelled training trials to fine-tune on")
                .range(1e-6, 1));
    s.value("label_seed", o.label_seed,
            Field("which subset label_fraction keeps (a smaller fraction's subset lies inside a "
                  "larger one's)")
                .at_least(0));
  });
  v.section("init", "where the encoder starts", [&](ConfigVisitor& s) {
    s.value("checkpoint", o.init_checkpoint,
            Field("pretrained run directory or checkpoint (its newest verified one); empty: from "
                  "scratch"));
    s.value("new_read_ins", o.init_new_read_ins,
            Field("subjects whose read-in starts anew even when the checkpoint has one, as a new "
                  "subject's does (the others' are reused)"));
  });
  v.value("seed", o.seed, Field("seed of new layers, dropout, shuffling and masking").at_least(0));
  v.section("train", "the training loop", [&](ConfigVisitor& s) { describe(s, o.train); });
  v.section("checkpoint", "checkpoints under RUN_DIR/checkpoints (needs --run-dir)",
            [&](ConfigVisitor& s) { describe(s, o.checkpoint); });
  describe(v, o.task);
  v.section("optimizer", "the optimiser", [&](ConfigVisitor& s) {
    describe(s, o.optimizer);
    s.value("body_lr_scale", o.body_lr_scale,
            Field("learning rate of the pretrained layers relative to the new ones (CTC head, new "
                  "read-ins)")
                .range(0, 100));
  });
  v.section("schedule", "the learning-rate schedule (total_steps = train.max_steps)",
            [&](ConfigVisitor& s) { describe(s, o.schedule); });
  v.section("sentence", "task: sentence: the LLM, its adapters, the projector and the aligner",
            [&](ConfigVisitor& s) { describe(s, o.sentence); });
}

void validate(const FinetuneConfig& o, const std::string& source) {
  validate(o.task.model().encoder(), source);
  if (o.objective == "sentence") validate(o.sentence, source);
  NS_CHECK_AS(ConfigError, o.init_new_read_ins.empty() || !o.init_checkpoint.empty(), source,
              ": 'init.new_read_ins' needs 'init.checkpoint' (from scratch every read-in is new)");
  NS_CHECK_AS(ConfigError, o.schedule.warmup_steps() <= o.train.max_steps, source,
              ": 'schedule.warmup_steps' (", o.schedule.warmup_steps(),
              ") exceeds 'train.max_steps' (", o.train.max_steps, ")");
}

}  // namespace neuroscale::jobs
