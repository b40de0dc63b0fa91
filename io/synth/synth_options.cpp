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
  v.value("imagined_sessions", o.imagined_sessions,
          Field("generator 2, speech subjects: more days of imagined speech (a second task)")
              .range(0, 10000));
}

void describe(ConfigVisitor& v, SynthOptions& o) {
  v.value("seed", o.seed,
          Field("random seed; the file is a pure function of the config").at_least(0));
  v.value("generator", o.generator,
          Field("1: the original generator; 2: rotational latent dynamics, coarticulation, "
                "trial variability, tuning drift, imagined speech (docs/corpus-format.md)")
              .range(1, 2));
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
  v.value("words", o.words,
          Field("generator 2: vocabulary size, most frequent words first").range(2, 248));
  v.value("min_words", o.min_words, Field("generator 2: shortest sentence").range(1, 100));
  v.value("max_words", o.max_words, Field("generator 2: longest sentence").range(1, 100));
  v.section("dynamics", "generator 2: the shared latent dynamical system", [&](ConfigVisitor& d) {
    d.value("input_fraction", o.dynamics.input_fraction,
            Field("share of the latent variance the task's input drives (the rest: ongoing "
                  "dynamics)")
                .range(0.01, 0.99));
    d.value("decay", o.dynamics.decay,
            Field("per-bin radius of the latent rotations").range(0.5, 0.999));
    d.value(
        "input_decay", o.dynamics.input_decay,
        Field("per-bin radius of the response to the input (same rotations)").range(0.1, 0.999));
    d.value("min_hz", o.dynamics.min_hz, Field("slowest rotation (Hz)").range(0.01, 25));
    d.value("max_hz", o.dynamics.max_hz, Field("fastest rotation (Hz)").range(0.01, 25));
  });
  v.section("coarticulation", "generator 2: context dependence of a phoneme's drive",
            [&](ConfigVisitor& c) {
              c.value(
                  "neighbour", o.coarticulation.neighbour,
                  Field("weight of the previous and next phonemes' context patterns").range(0, 10));
              c.value("position", o.coarticulation.position,
                      Field("weight of the position-in-word pattern").range(0, 10));
              c.value("blend_bins", o.coarticulation.blend_bins,
                      Field("bins over which the drive ramps into the next phoneme").range(0, 10));
            });
  v.section("variability", "generator 2: trial-to-trial variability", [&](ConfigVisitor& t) {
    t.value("rate_sd", o.variability.rate_sd,
            Field("sd of a trial's log speaking rate").range(0, 2));
    t.value("duration_sd", o.variability.duration_sd,
            Field("sd of a phoneme's log duration").range(0, 2));
    t.value("amplitude_sd", o.variability.amplitude_sd,
            Field("sd of a trial's log drive amplitude").range(0, 2));
    t.value("missing", o.variability.missing,
            Field("chance that a phoneme drives nothing").range(0, 0.9));
    t.value("substituted", o.variability.substituted,
            Field("chance that a phoneme drives another phoneme's pattern").range(0, 0.9));
  });
  v.section("drift", "generator 2: day-to-day changes of each electrode", [&](ConfigVisitor& d) {
    d.value(
        "tuning", o.drift.tuning,
        Field("per session, the sine of the angle each electrode's tuning turns by").range(0, 1));
    d.value("gain_sd", o.drift.gain_sd, Field("sd of a day's log gain").range(0, 2));
    d.value("offset_sd", o.drift.offset_sd, Field("sd of a day's log-rate offset").range(0, 5));
  });
  v.section("imagined", "generator 2: imagined speech sessions", [&](ConfigVisitor& m) {
    m.value("gain", o.imagined.gain, Field("drive against attempted speech").range(0, 1));
    m.value("words", o.imagined.words, Field("vocabulary: the most frequent words").range(2, 248));
  });
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
  NS_CHECK_AS(ConfigError, o.min_words <= o.max_words, source, ": 'min_words' (", o.min_words,
              ") exceeds 'max_words' (", o.max_words, ")");
  NS_CHECK_AS(ConfigError, o.dynamics.min_hz <= o.dynamics.max_hz, source, ": 'dynamics.min_hz' (",
              o.dynamics.min_hz, ") exceeds 'dynamics.max_hz' (", o.dynamics.max_hz, ")");
  if (o.generator == 2) {
    NS_CHECK_AS(ConfigError, o.latent_dim % 2 == 0, source,
                ": generator 2 needs an even 'latent_dim' (its dynamics rotate planes), got ",
                o.latent_dim);
    NS_CHECK_AS(ConfigError, o.imagined.words <= o.words, source, ": 'imagined.words' (",
                o.imagined.words, ") exceeds 'words' (", o.words, ")");
  }
  for (const auto& s : o.subjects) {
    NS_CHECK_AS(ConfigError, s.imagined_sessions == 0 || (o.generator == 2 && s.task != "reaching"),
                source, ": subject '", s.name,
                "': 'imagined_sessions' needs generator 2 and a speech task");
  }
}

}  // namespace neuroscale::io
