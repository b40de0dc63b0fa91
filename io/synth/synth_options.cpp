#include "io/synth/synth_options.h"

#include <set>

#include "core/check.h"

namespace neuroscale::io {

void describe(ConfigVisitor& v, SynthSubjectOptions& o) {
  v.value("name", o.name, Field("unique subject name").non_empty());
  v.value("species", o.species, Field("species of the subject").one_of({"human", "monkey"}));
  v.value("electrodes", o.electrodes, Field("recording electrodes").range(48, 256));
  v.value("features", o.features,
          Field("feature layout: threshold crossings and spike-band power, or crossings only")
              .one_of({"tx+sbp", "tx"}));
  v.value("task", o.task,
          Field("behavioural task").one_of({"attempted_speech", "imagined_speech", "reaching"}));
  v.value("sessions", o.sessions, Field("recording days").range(1, 10000));
  v.value("trials_per_session", o.trials_per_session, Field("trials per day").range(1, 1000000));
}

void describe(ConfigVisitor& v, SynthOptions& o) {
  v.value("seed", o.seed,
          Field("random seed; the file is a pure function of the config").at_least(0));
  v.value("dtype", o.dtype, Field("feature storage type").one_of({"float32", "float16"}));
  v.value("latent_dim", o.latent_dim,
          Field("dimension of the shared latent dynamics").range(2, 256));
  v.value("base_rate_hz", o.base_rate_hz,
          Field("mean firing rate of an electrode (Hz)").range(0.5, 500));
  v.value("dropped_fraction", o.dropped_fraction,
          Field("chance that an electrode carries no signal on a given day").range(0, 0.5));
  v.value("val_fraction", o.val_fraction,
          Field("fraction of trials in the val split").range(0, 0.5));
  v.value("test_fraction", o.test_fraction,
          Field("fraction of trials in the test split").range(0, 0.5));
  v.value("reach_min_bins", o.reach_min_bins,
          Field("shortest reaching trial in 20 ms bins").range(5, 100000));
  v.value("reach_max_bins", o.reach_max_bins,
          Field("longest reaching trial in 20 ms bins").range(5, 100000));
  list(v, "subjects", "subjects to generate", o.subjects,
       [](ConfigVisitor& sub, SynthSubjectOptions& s) { describe(sub, s); });
}

void validate(const SynthOptions& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, !o.subjects.empty(), source,
              ": 'subjects' must list at least one subject");
  std::set<std::string> names;
  for (const auto& s : o.subjects) {
    NS_CHECK_AS(ConfigError, names.insert(s.name).second, source, ": subject name '", s.name,
                "' appears twice in 'subjects'");
  }
  NS_CHECK_AS(ConfigError, o.val_fraction + o.test_fraction < 1.0, source,
              ": 'val_fraction' + 'test_fraction' must be below 1, is ",
              o.val_fraction + o.test_fraction);
  NS_CHECK_AS(ConfigError, o.reach_min_bins <= o.reach_max_bins, source, ": 'reach_min_bins' (",
              o.reach_min_bins, ") exceeds 'reach_max_bins' (", o.reach_max_bins, ")");
}

}  // namespace neuroscale::io
