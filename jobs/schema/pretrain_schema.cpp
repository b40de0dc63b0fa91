#include "jobs/schema/pretrain_schema.h"

#include "core/check.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, PretrainConfig& o) {
  v.section("data", "the corpus and its loader", [&](ConfigVisitor& s) {
    describe(s, o.data);
    s.value("fraction", o.fraction,
            Field("fraction of each subject's training trials to pretrain on (the hours of a "
                  "scaling study)")
                .range(1e-6, 1));
    s.value("fraction_seed", o.fraction_seed,
            Field("which subset fraction keeps (a smaller fraction's subset lies inside a larger "
                  "one's)")
                .at_least(0));
  });
  v.value("seed", o.seed,
          Field("seed of initialisation, dropout, shuffling and masking").at_least(0));
  v.section("train", "the training loop", [&](ConfigVisitor& s) { describe(s, o.train); });
  v.section("checkpoint", "checkpoints under RUN_DIR/checkpoints (needs --run-dir)",
            [&](ConfigVisitor& s) { describe(s, o.checkpoint); });
  describe(v, o.task);
  v.section("optimizer", "the optimiser", [&](ConfigVisitor& s) { describe(s, o.optimizer); });
  v.section("schedule", "the learning-rate schedule (total_steps = train.max_steps)",
            [&](ConfigVisitor& s) { describe(s, o.schedule); });
}

void validate(const PretrainConfig& o, const std::string& source) {
  validate(o.task, source);
  NS_CHECK_AS(ConfigError, o.schedule.warmup_steps() <= o.train.max_steps, source,
              ": 'schedule.warmup_steps' (", o.schedule.warmup_steps(),
              ") exceeds 'train.max_steps' (", o.train.max_steps, ")");
}

}  // namespace neuroscale::jobs
