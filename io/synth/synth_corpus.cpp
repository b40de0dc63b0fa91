#include "io/synth/synth_corpus.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/check.h"
#include "core/interrupt.h"
#include "core/random.h"
#include "io/mpi/mpi_check.h"
#include "io/synth/generator_v1.h"
#include "io/synth/generator_v2.h"
#include "io/synth/latent_dynamics.h"
#include "io/synth/synth_streams.h"
#include "io/synth/synth_vocabulary.h"

namespace neuroscale::io {
namespace {

bool is_speech(const std::string& task) { return task != "reaching"; }

std::string format_date(int day_offset) {
  // Sessions start on 2024-01-01 and follow at the generated day offsets.
  static const int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = 2024, month = 0, day = day_offset;
  while (true) {
    int days = kDaysInMonth[month] - (month == 1 && year % 4 != 0 ? 1 : 0);
    if (day < days) break;
    day -= days;
    if (++month == 12) month = 0, ++year;
  }
  char text[48];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d", year, month + 1, day + 1);
  return text;
}

// One session of the corpus: its subject, the subject's own numbering (attempted sessions,
// then imagined ones), and the week whose electrode tuning it sees.
struct SessionSlot {
  std::size_t subject = 0;
  std::size_t number = 0;
  bool imagined = false;
  std::size_t week = 0;
};

// Global session numbering: subject by subject, each subject's imagined sessions after its
// attempted ones (generator 2), recorded in the weeks of its first attempted sessions.
std::vector<SessionSlot> session_table(const SynthOptions& o) {
  std::vector<SessionSlot> table;
  for (std::size_t s = 0; s < o.subjects.size(); ++s) {
    const auto days = static_cast<std::size_t>(o.subjects[s].sessions);
    for (std::size_t d = 0; d < days; ++d) table.push_back({s, d, false, d});
    for (int j = 0; j < o.subjects[s].imagined_sessions; ++j) {
      const auto k = static_cast<std::size_t>(j);
      table.push_back({s, days + k, true, k % days});
    }
  }
  return table;
}

TrialPlan plan_trial(const SynthOptions& o, const SessionSlot& slot, std::size_t trial) {
  return o.generator == 1 ? v1::plan_trial(o, slot.subject, slot.number, trial)
                          : v2::plan_trial(o, slot.subject, slot.number, trial, slot.imagined);
}

// One bin of an electrode: Poisson threshold crossings and, with spike-band power, log1p of
// the rate plus noise.
void emit(double log_rate, bool dropped, double bin_s, int electrodes, int channels, int e,
          Rng& noise, float* row) {
  const double mean_count = dropped ? 0.0 : std::exp(std::clamp(log_rate, -10.0, 8.0)) * bin_s;
  row[e] = static_cast<float>(noise.poisson(mean_count));
  if (channels == 2 * electrodes)
    row[electrodes + e] = static_cast<float>(std::log1p(50.0 * mean_count) + 0.1 * noise.normal());
}

}  // namespace

std::string synth_lexicon_text(const SynthOptions& options) {
  if (options.generator == 1) return lexicon_text(synth_words_v1());
  const auto& all = synth_words_v2();
  return lexicon_text({all.begin(), all.begin() + options.words});
}

CorpusContent plan_synth_corpus(const SynthOptions& o) {
  CorpusContent content;
  CorpusIndex& index = content.index;
  index.bin_ms = 20.0;
  index.feature_dtype = o.dtype;
  index.source = "synth";
  for (const auto& s : o.subjects) {
    std::string layout = s.features == "tx+sbp"
                             ? std::to_string(s.electrodes) + " threshold crossings + " +
                                   std::to_string(s.electrodes) + " spike-band power"
                             : std::to_string(s.electrodes) + " threshold crossings";
    index.subjects.push_back({s.name, s.species, s.channels(), layout});
  }
  const auto table = session_table(o);
  for (std::size_t g = 0; g < table.size(); ++g) {
    const auto& slot = table[g];
    Rng days(static_cast<std::uint64_t>(o.seed), {kPlan, slot.subject, 1000000 + slot.week});
    // Sessions a few days apart, as in chronic recordings; imagined speech later in the week.
    const int day =
        static_cast<int>(slot.week * 7 + days.uniform_int(0, 4)) + (slot.imagined ? 5 : 0);
    index.sessions.push_back({static_cast<std::int32_t>(slot.subject), format_date(day), day,
                              slot.imagined ? "imagined_speech" : o.subjects[slot.subject].task});
    for (int t = 0; t < o.subjects[slot.subject].trials_per_session; ++t) {
      TrialPlan plan = plan_trial(o, slot, static_cast<std::size_t>(t));
      index.add_trial(static_cast<std::int32_t>(g), plan.split, plan.bins,
                      static_cast<std::int32_t>(plan.phonemes.size()),
                      static_cast<std::int32_t>(plan.text.size()));
      for (int p : plan.phonemes) content.phonemes.push_back(static_cast<std::uint8_t>(p));
      content.text += plan.text;
    }
  }
  index.normalization = "per_day";
  index.assign_norm_groups();
  return content;
}

SessionFeatures generate_session(const SynthOptions& o, const CorpusContent& content,
                                 std::size_t session) {
  const CorpusIndex& index = content.index;
  const auto table = session_table(o);
  NS_ASSERT(session < table.size(), "session ", session, " out of range");
  const SessionSlot& slot = table[session];
  const SynthSubjectOptions& spec = o.subjects[slot.subject];
  const int k = o.latent_dim, electrodes = spec.electrodes, channels = spec.channels();
  const bool speech = is_speech(spec.task);
  const double bin_s = index.bin_ms / 1000.0;
  const auto tuning =
      o.generator == 1 ? v1::electrode_tuning(o, slot.subject, slot.number, electrodes)
                       : v2::electrode_tuning(o, slot.subject, slot.number, slot.week, electrodes);
  std::optional<v2::Generator> generator;
  if (o.generator == 2) generator.emplace(o, bin_s);

  SessionFeatures out;
  std::vector<double> sum(channels, 0.0), sum_sq(channels, 0.0);
  std::int64_t rows = 0;
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    if (index.trial_session[t] != static_cast<std::int32_t>(session)) continue;
    const std::size_t trial_in_session = out.trials.size();
    TrialPlan plan = plan_trial(o, slot, trial_in_session);
    NS_ASSERT(plan.bins == index.trial_bins[t], "plan and index disagree on trial ", t);
    Rng noise(static_cast<std::uint64_t>(o.seed),
              {kTrialNoise, slot.subject, slot.number, trial_in_session});
    std::vector<int> labels;
    std::vector<double> z;
    if (generator) {
      z = generator->latents(plan, speech, slot.imagined || spec.task == "imagined_speech", noise)
              .latents();
      labels = frame_labels(plan);
    } else {
      z = v1::latent_trajectory(o, plan, speech, noise,
                                static_cast<std::uint64_t>(o.seed) ^ (slot.subject << 40) ^
                                    (slot.number << 20) ^ trial_in_session,
                                labels);
    }
    std::vector<float> features(static_cast<std::size_t>(plan.bins) * channels);
    for (int b = 0; b < plan.bins; ++b) {
      float* row = features.data() + static_cast<std::size_t>(b) * channels;
      for (int e = 0; e < electrodes; ++e) {
        double drive = 0.0;
        for (int j = 0; j < k; ++j)
          drive += tuning.loading[static_cast<std::size_t>(e) * k + j] *
                   z[static_cast<std::size_t>(b) * k + j];
        emit(tuning.baseline[e] + tuning.offset[e] + tuning.gain[e] * drive, tuning.dropped[e],
             bin_s, electrodes, channels, e, noise, row);
      }
      for (int c = 0; c < channels; ++c) {
        const double x = row[c];
        sum[c] += x;
        sum_sq[c] += x * x;
      }
      ++rows;
    }
    out.trials.push_back(t);
    out.features.push_back(std::move(features));
    out.frame_labels.push_back(std::move(labels));
  }
  // Per-day z-score, as applied to real recordings before they reach the model.
  out.mean.resize(channels);
  out.std.resize(channels);
  for (int c = 0; c < channels; ++c) {
    const double mean = rows > 0 ? sum[c] / rows : 0.0;
    const double var = rows > 0 ? std::max(0.0, sum_sq[c] / rows - mean * mean) : 0.0;
    const double sd = std::sqrt(var);
    out.mean[c] = static_cast<float>(mean);
    out.std[c] = static_cast<float>(sd > 1e-6 ? sd : 1.0);
  }
  for (auto& features : out.features) {
    for (std::size_t i = 0; i < features.size(); ++i) {
      const std::size_t c = i % static_cast<std::size_t>(channels);
      features[i] = (features[i] - out.mean[c]) / out.std[c];
    }
  }
  return out;
}

void write_synth_corpus(const SynthOptions& options, const std::string& path, MPI_Comm comm,
                        bool overwrite,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
  int rank = 0, size = 1;
  NS_MPI_CHECK(MPI_Comm_rank(comm, &rank));
  NS_MPI_CHECK(MPI_Comm_size(comm, &size));
  CorpusContent content = plan_synth_corpus(options);
  SynthOptions copy = options;
  content.provenance = to_yaml([&](ConfigVisitor& v) { describe(v, copy); });
  CorpusWriter writer(path, comm, content, overwrite);
  const std::size_t sessions = content.index.sessions.size();
  std::size_t local_done = 0;
  for (std::size_t s = static_cast<std::size_t>(rank); s < sessions;
       s += static_cast<std::size_t>(size)) {
    throw_if_interrupted("synth");
    SessionFeatures generated = generate_session(options, content, s);
    for (std::size_t i = 0; i < generated.trials.size(); ++i) {
      writer.write_trial(generated.trials[i], generated.features[i]);
    }
    writer.write_norm_stats(s, generated.mean, generated.std);  // per-day: group == session
    // Rank 0 reports for all: ranks hold equal shares and advance at about the same pace.
    ++local_done;
    if (rank == 0 && progress)
      progress(std::min(sessions, local_done * static_cast<std::size_t>(size)), sessions);
  }
  writer.commit();
}

}  // namespace neuroscale::io
