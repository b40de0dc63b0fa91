#include "io/synth/synth_corpus.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/check.h"
#include "core/interrupt.h"
#include "core/random.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::io {
namespace {

// Random-stream tags: each kind of draw has its own stream family.
enum Stream : std::uint64_t {
  kPlan = 1,
  kPhonemePattern,
  kSubjectReadout,
  kSessionDrift,
  kTrialNoise,
  kReach
};

// A small pronunciation lexicon (CMU dictionary pronunciations, stress removed), enough
// for varied sentences; phoneme ids follow the 41-class layout.
struct Word {
  const char* text;
  std::vector<int> phonemes;
};
// AA1 AE2 AH3 AO4 AW5 AY6 B7 CH8 D9 DH10 EH11 ER12 EY13 F14 G15 HH16 IH17 IY18 JH19 K20 L21
// M22 N23 NG24 OW25 OY26 P27 R28 S29 SH30 T31 TH32 UH33 UW34 V35 W36 Y37 Z38 ZH39
const std::vector<Word>& lexicon() {
  static const std::vector<Word> kWords = {
      {"i", {6}},
      {"want", {36, 1, 23, 31}},
      {"to", {31, 34}},
      {"go", {15, 25}},
      {"home", {16, 25, 22}},
      {"water", {36, 4, 31, 12}},
      {"please", {27, 21, 18, 38}},
      {"thank", {32, 2, 24, 20}},
      {"you", {37, 34}},
      {"my", {22, 6}},
      {"family", {14, 2, 22, 3, 21, 18}},
      {"is", {17, 38}},
      {"here", {16, 17, 28}},
      {"good", {15, 33, 9}},
      {"morning", {22, 4, 28, 23, 17, 24}},
      {"how", {16, 5}},
      {"are", {1, 28}},
      {"we", {36, 18}},
      {"need", {23, 18, 9}},
      {"more", {22, 4, 28}},
      {"time", {31, 6, 22}},
      {"the", {10, 3}},
      {"doctor", {9, 1, 20, 31, 12}},
      {"come", {20, 3, 22}},
      {"back", {7, 2, 20}},
      {"soon", {29, 34, 23}},
      {"yes", {37, 11, 29}},
      {"no", {23, 25}},
      {"chair", {8, 11, 28}},
      {"juice", {19, 34, 29}},
      {"voice", {35, 26, 29}},
      {"measure", {22, 11, 39, 12}},
      {"show", {30, 25}},
      {"day", {9, 13}},
      {"they", {10, 13}},
      {"her", {16, 12}},
  };
  return kWords;
}

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

// Per-trial plan: words (speech) or length (reaching), drawn from the trial's plan stream.
struct TrialPlan {
  std::vector<int> phonemes;  // labels: phonemes with SIL after every word
  std::vector<int> frames;    // bins per phoneme label (speech), aligned to `phonemes`
  std::string text;
  int lead_bins = 0;  // silence before speech
  int bins = 0;
  Split split = Split::kTrain;
};

TrialPlan plan_trial(const SynthOptions& o, std::size_t subject, std::size_t session,
                     std::size_t trial) {
  Rng rng(static_cast<std::uint64_t>(o.seed), {kPlan, subject, session, trial});
  TrialPlan plan;
  const double u = rng.uniform();
  plan.split = u < o.test_fraction
                   ? Split::kTest
                   : (u < o.test_fraction + o.val_fraction ? Split::kVal : Split::kTrain);
  if (!is_speech(o.subjects[subject].task)) {
    plan.bins = static_cast<int>(rng.uniform_int(o.reach_min_bins, o.reach_max_bins));
    return plan;
  }
  const auto& words = lexicon();
  const int n_words = static_cast<int>(rng.uniform_int(2, 6));
  plan.lead_bins = static_cast<int>(rng.uniform_int(5, 15));
  plan.bins = plan.lead_bins;
  for (int w = 0; w < n_words; ++w) {
    const Word& word = words[rng.uniform_int(0, static_cast<std::int64_t>(words.size()) - 1)];
    if (!plan.text.empty()) plan.text += ' ';
    plan.text += word.text;
    for (int p : word.phonemes) {
      plan.phonemes.push_back(p);
      plan.frames.push_back(static_cast<int>(rng.uniform_int(3, 7)));
    }
    plan.phonemes.push_back(kSilenceId);
    plan.frames.push_back(static_cast<int>(rng.uniform_int(2, 4)));
  }
  for (int f : plan.frames) plan.bins += f;
  plan.bins += static_cast<int>(rng.uniform_int(5, 10));  // trailing silence
  return plan;
}

// Global subject/session numbering: sessions are laid out subject by subject.
std::vector<std::pair<std::size_t, std::size_t>> session_table(const SynthOptions& o) {
  std::vector<std::pair<std::size_t, std::size_t>> table;  // (subject, session within subject)
  for (std::size_t s = 0; s < o.subjects.size(); ++s) {
    for (int d = 0; d < o.subjects[s].sessions; ++d) table.emplace_back(s, d);
  }
  return table;
}

// Latent trajectory [bins, latent_dim] of one trial.
std::vector<double> latent_trajectory(const SynthOptions& o, const TrialPlan& plan, bool speech,
                                      Rng& noise, std::uint64_t reach_seed,
                                      std::vector<int>& frame_labels) {
  const int k = o.latent_dim;
  std::vector<double> z(static_cast<std::size_t>(plan.bins) * k, 0.0);
  frame_labels.assign(static_cast<std::size_t>(plan.bins), 0);
  std::vector<double> target(k, 0.0);
  if (speech) {
    // Each phoneme has a fixed latent pattern shared by every subject and species.
    int t = plan.lead_bins;
    std::vector<int>& label_at = frame_labels;
    label_at.assign(static_cast<std::size_t>(plan.bins), 0);
    for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
      for (int f = 0; f < plan.frames[i] && t < plan.bins; ++f) label_at[t++] = plan.phonemes[i];
    }
    std::vector<double> state(k, 0.0);
    for (int t2 = 0; t2 < plan.bins; ++t2) {
      if (label_at[t2] != 0) {
        Rng pattern(static_cast<std::uint64_t>(o.seed),
                    {kPhonemePattern, static_cast<std::uint64_t>(label_at[t2])});
        for (int j = 0; j < k; ++j) target[j] = 1.5 * pattern.normal();
      } else {
        std::fill(target.begin(), target.end(), 0.0);
      }
      for (int j = 0; j < k; ++j) {
        state[j] += 0.5 * (target[j] - state[j]) + 0.15 * noise.normal();
        z[static_cast<std::size_t>(t2) * k + j] = state[j];
      }
    }
  } else {
    // Centre-out reaching to one of 8 targets: a bell-shaped speed profile along the target
    // direction; velocity enters the latents through one fixed map shared by every monkey,
    // so units are cosine-tuned to reach velocity.
    Rng shared(static_cast<std::uint64_t>(o.seed), {kReach});
    std::vector<double> map(static_cast<std::size_t>(k) * 2);
    for (double& w : map) w = shared.normal();
    Rng reach(reach_seed, {kReach});
    const double angle = 6.283185307179586 * static_cast<double>(reach.uniform_int(0, 7)) / 8.0;
    const double centre = plan.bins * (0.4 + 0.2 * reach.uniform());
    const double width = plan.bins * 0.15;
    std::vector<double> state(k, 0.0);
    for (int t = 0; t < plan.bins; ++t) {
      const double speed = 2.0 * std::exp(-0.5 * std::pow((t - centre) / width, 2));
      const double vx = speed * std::cos(angle), vy = speed * std::sin(angle);
      for (int j = 0; j < k; ++j) {
        const double drive = map[static_cast<std::size_t>(j) * 2] * vx +
                             map[static_cast<std::size_t>(j) * 2 + 1] * vy;
        state[j] = 0.8 * state[j] + 0.2 * drive + 0.15 * noise.normal();
        z[static_cast<std::size_t>(t) * k + j] = state[j];
      }
    }
  }
  return z;
}

}  // namespace

std::string synth_lexicon_text() {
  static const char* const kSymbols[] = {
      "",  "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
      "F", "G",  "HH", "IH", "IY", "JH", "K",  "L", "M",  "N", "NG", "OW", "OY", "P",
      "R", "S",  "SH", "T",  "TH", "UH", "UW", "V", "W",  "Y", "Z",  "ZH"};
  std::string text = ";;; the synthetic corpus' vocabulary (neuroscale synth)\n";
  for (const auto& word : lexicon()) {
    std::string upper = word.text;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    text += upper + " ";
    for (int id : word.phonemes) text += std::string(" ") + kSymbols[id];
    text += "\n";
  }
  return text;
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
    const auto [subject, day_index] = table[g];
    Rng days(static_cast<std::uint64_t>(o.seed), {kPlan, subject, 1000000 + day_index});
    // Sessions a few days apart, as in chronic recordings.
    const int day = static_cast<int>(day_index * 7 + days.uniform_int(0, 4));
    index.sessions.push_back(
        {static_cast<std::int32_t>(subject), format_date(day), day, o.subjects[subject].task});
    for (int t = 0; t < o.subjects[subject].trials_per_session; ++t) {
      TrialPlan plan = plan_trial(o, subject, day_index, static_cast<std::size_t>(t));
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
  const auto [subject, day_index] = table[session];
  const SynthSubjectOptions& spec = o.subjects[subject];
  const int k = o.latent_dim, electrodes = spec.electrodes, channels = spec.channels();
  const bool speech = is_speech(spec.task);
  const double bin_s = index.bin_ms / 1000.0;

  // Subject read-out: log-rate baseline and loading of each electrode on the latents.
  Rng readout(static_cast<std::uint64_t>(o.seed), {kSubjectReadout, subject});
  std::vector<double> baseline(electrodes), loading(static_cast<std::size_t>(electrodes) * k);
  for (int e = 0; e < electrodes; ++e)
    baseline[e] = std::log(o.base_rate_hz) + 0.5 * readout.normal();
  for (double& w : loading) w = readout.normal() / std::sqrt(static_cast<double>(k));
  // Day-to-day drift: per-electrode gain and offset change between sessions.
  Rng drift(static_cast<std::uint64_t>(o.seed), {kSessionDrift, subject, day_index});
  std::vector<double> gain(electrodes), offset(electrodes);
  std::vector<char> dropped(electrodes, 0);  // electrodes lost on this day (no signal)
  for (int e = 0; e < electrodes; ++e) {
    gain[e] = std::exp(0.1 * drift.normal());
    offset[e] = 0.2 * drift.normal();
    dropped[e] = drift.uniform() < o.dropped_fraction;
  }

  SessionFeatures out;
  std::vector<double> sum(channels, 0.0), sum_sq(channels, 0.0);
  std::int64_t rows = 0;
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    if (index.trial_session[t] != static_cast<std::int32_t>(session)) continue;
    const std::size_t trial_in_session = out.trials.size();
    TrialPlan plan = plan_trial(o, subject, day_index, trial_in_session);
    NS_ASSERT(plan.bins == index.trial_bins[t], "plan and index disagree on trial ", t);
    Rng noise(static_cast<std::uint64_t>(o.seed),
              {kTrialNoise, subject, day_index, trial_in_session});
    std::vector<int> frame_labels;
    const auto z = latent_trajectory(
        o, plan, speech, noise,
        static_cast<std::uint64_t>(o.seed) ^ (subject << 40) ^ (day_index << 20) ^ trial_in_session,
        frame_labels);
    std::vector<float> features(static_cast<std::size_t>(plan.bins) * channels);
    for (int b = 0; b < plan.bins; ++b) {
      for (int e = 0; e < electrodes; ++e) {
        double drive = 0.0;
        for (int j = 0; j < k; ++j)
          drive +=
              loading[static_cast<std::size_t>(e) * k + j] * z[static_cast<std::size_t>(b) * k + j];
        const double log_rate = std::clamp(baseline[e] + offset[e] + gain[e] * drive, -10.0, 8.0);
        const double mean_count = dropped[e] ? 0.0 : std::exp(log_rate) * bin_s;
        float* row = features.data() + static_cast<std::size_t>(b) * channels;
        row[e] = static_cast<float>(noise.poisson(mean_count));
        if (channels == 2 * electrodes) {
          row[electrodes + e] =
              static_cast<float>(std::log1p(50.0 * mean_count) + 0.1 * noise.normal());
        }
      }
      for (int c = 0; c < channels; ++c) {
        const double x = features[static_cast<std::size_t>(b) * channels + c];
        sum[c] += x;
        sum_sq[c] += x * x;
      }
      ++rows;
    }
    out.trials.push_back(t);
    out.features.push_back(std::move(features));
    out.frame_labels.push_back(std::move(frame_labels));
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
