#include "io/synth/synth_fmri.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/check.h"
#include "core/random.h"
#include "io/synth/auditory_features.h"
#include "io/synth/espeak_engine.h"
#include "io/synth/phonetic_features.h"

namespace neuroscale::io {
namespace {

// Random-stream tags: each kind of draw has its own stream family.
enum Stream : std::uint64_t {
  kStoryText = 101,
  kSharedWeights,
  kVoxelFraction,
  kParticipantWeights,
  kNoise
};

// Plain, frequent English words: espeak-ng pronounces them all without surprises.
const std::vector<const char*>& vocabulary() {
  static const std::vector<const char*> kWords = {
      "the",      "a",        "old",    "man",     "woman",      "child",   "dog",
      "house",    "river",    "town",   "road",    "night",      "morning", "light",
      "water",    "door",     "window", "garden",  "mountain",   "forest",  "city",
      "train",    "letter",   "story",  "friend",  "mother",     "father",  "sister",
      "brother",  "teacher",  "doctor", "farmer",  "king",       "queen",   "bird",
      "horse",    "boat",     "sea",    "sky",     "rain",       "snow",    "wind",
      "fire",     "stone",    "tree",   "field",   "school",     "market",  "walked",
      "ran",      "saw",      "heard",  "found",   "lost",       "opened",  "closed",
      "carried",  "watched",  "called", "waited",  "remembered", "laughed", "whispered",
      "followed", "painted",  "built",  "broke",   "gave",       "took",    "told",
      "asked",    "wanted",   "needed", "knew",    "thought",    "slowly",  "quickly",
      "quietly",  "suddenly", "again",  "always",  "never",      "later",   "together",
      "alone",    "home",     "away",   "inside",  "outside",    "near",    "under",
      "over",     "through",  "across", "behind",  "before",     "after",   "with",
      "without",  "and",      "but",    "because", "while",      "when",    "then",
      "there",    "here",     "every",  "little",  "big",        "long",    "short",
      "warm",     "cold",     "dark",   "bright",  "green",      "blue",    "red",
      "white",    "quiet",    "loud",   "happy",   "tired",      "strange", "simple",
      "early",
  };
  return kWords;
}

std::string story_name(int index) {
  char name[24];  // "story" and any int
  std::snprintf(name, sizeof(name), "story%02d", index + 1);
  return name;
}

at::Tensor normal_matrix(Rng& rng, std::int64_t rows, std::int64_t columns, double scale) {
  at::Tensor m = at::empty({rows, columns}, at::kDouble);
  double* data = m.data_ptr<double>();
  for (std::int64_t i = 0; i < rows * columns; ++i) data[i] = scale * rng.normal();
  return m;
}

at::Tensor zscore_columns(const at::Tensor& x) {
  const at::Tensor centred = x - x.mean(0, /*keepdim=*/true);
  return centred / at::clamp_min(centred.pow(2).mean(0, /*keepdim=*/true).sqrt(), 1e-12);
}

// [rows, V] AR(1) noise with unit variance per column.
at::Tensor ar1_noise(Rng& rng, std::int64_t rows, std::int64_t voxels, double rho) {
  at::Tensor noise = at::empty({rows, voxels}, at::kDouble);
  double* data = noise.data_ptr<double>();
  const double innovation = std::sqrt(1 - rho * rho);
  for (std::int64_t v = 0; v < voxels; ++v) data[v] = rng.normal();
  for (std::int64_t r = 1; r < rows; ++r) {
    for (std::int64_t v = 0; v < voxels; ++v) {
      data[r * voxels + v] = rho * data[(r - 1) * voxels + v] + innovation * rng.normal();
    }
  }
  return noise;
}

// The columns of the hidden features, comma-separated: band_00.., modulation_00.., then the
// phonetic features.
std::string feature_names(int bands) {
  std::string names;
  char name[32];  // "modulation_" and any int
  for (const char* kind : {"band", "modulation"}) {
    for (int b = 0; b < bands; ++b) {
      std::snprintf(name, sizeof(name), "%s_%02d", kind, b);
      names += (names.empty() ? "" : ",") + std::string(name);
    }
  }
  for (const char* phonetic : phonetic_feature_names()) names += std::string(",") + phonetic;
  return names;
}

}  // namespace

std::vector<SynthStoryPlan> plan_synth_fmri_stories(const SynthFmriOptions& options) {
  const auto& words = vocabulary();
  std::vector<SynthStoryPlan> plans;
  for (int s = 0; s < options.stories; ++s) {
    Rng rng(static_cast<std::uint64_t>(options.seed), {kStoryText, static_cast<std::uint64_t>(s)});
    SynthStoryPlan plan;
    plan.name = story_name(s);
    plan.split = s == 0 ? "test" : s == 1 ? "val" : "train";
    plan.voice = options.voices[static_cast<std::size_t>(s) % options.voices.size()];
    plan.words_per_minute = static_cast<int>(rng.uniform_int(options.min_wpm, options.max_wpm));
    const double seconds =
        options.min_story_s + rng.uniform() * (options.max_story_s - options.min_story_s);
    // espeak-ng's pauses at sentence ends take about a word's time: 6% fewer words.
    const auto target =
        static_cast<std::int64_t>(std::llround(0.94 * seconds * plan.words_per_minute / 60.0));
    std::int64_t count = 0;
    while (count < target) {
      const std::int64_t length = rng.uniform_int(5, 12);
      for (std::int64_t w = 0; w < length; ++w, ++count) {
        std::string word = words[static_cast<std::size_t>(
            rng.uniform_int(0, static_cast<std::int64_t>(words.size()) - 1))];
        if (w == 0) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
        plan.text += (plan.text.empty() ? "" : " ") + word;
      }
      plan.text += ".";
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

std::vector<double> synth_tr_times(std::int64_t samples, double sample_rate, double tr_s,
                                   int trim_start_trs) {
  const auto trs =
      static_cast<std::int64_t>(std::floor(static_cast<double>(samples) / sample_rate / tr_s));
  std::vector<double> times;
  for (std::int64_t k = trim_start_trs; k < trs; ++k)
    times.push_back((static_cast<double>(k) + 0.5) * tr_s);
  return times;
}

at::Tensor synth_fmri_frame_features(const SynthFmriOptions& options,
                                     const std::vector<float>& audio,
                                     const std::vector<PhonemeSegment>& phonemes) {
  const at::Tensor auditory = auditory_features(audio, kSynthFmriSampleRate, options.bands);
  const at::Tensor phonetic =
      phonetic_features(phonemes, static_cast<std::int64_t>(audio.size()), kSynthFmriSampleRate);
  NS_ASSERT(auditory.size(0) == phonetic.size(0), "auditory (", auditory.size(0),
            ") and phonetic (", phonetic.size(0), ") frames differ");
  return at::cat({auditory, phonetic}, 1);
}

SynthFmriModel make_synth_fmri_model(const SynthFmriOptions& options,
                                     const std::vector<at::Tensor>& features) {
  const std::int64_t auditory = 2 * options.bands, phonetic = kPhoneticFeatures;
  const std::int64_t voxels = options.voxels;
  // Each group's rows N(0, 1/rows of the group).
  const auto draw = [&](Rng& rng) {
    return at::cat({normal_matrix(rng, auditory, voxels, 1 / std::sqrt(double(auditory))),
                    normal_matrix(rng, phonetic, voxels, 1 / std::sqrt(double(phonetic)))});
  };
  // Scales each group's rows per voxel: its part of X W gets the group's variance share.
  const at::Tensor x = at::cat(features).to(at::kDouble);
  const auto balance = [&](const at::Tensor& w) {
    const at::Tensor wa = w.narrow(0, 0, auditory), wp = w.narrow(0, auditory, phonetic);
    const at::Tensor sd_a = at::matmul(x.narrow(1, 0, auditory), wa).std(0, false);
    const at::Tensor sd_p = at::matmul(x.narrow(1, auditory, phonetic), wp).std(0, false);
    return at::cat({wa * (std::sqrt(1 - options.phonetic_weight) / sd_a.clamp_min(1e-12)),
                    wp * (std::sqrt(options.phonetic_weight) / sd_p.clamp_min(1e-12))});
  };
  SynthFmriModel model;
  Rng shared(static_cast<std::uint64_t>(options.seed), {kSharedWeights});
  const at::Tensor shared_raw = draw(shared);
  model.shared_weights = balance(shared_raw);
  Rng fraction_rng(static_cast<std::uint64_t>(options.seed), {kVoxelFraction});
  model.voxel_signal_fraction = at::zeros({voxels}, at::kDouble);
  for (std::int64_t v = 0; v < voxels; ++v) {
    const bool noise_only = fraction_rng.uniform() < options.noise_voxel_fraction;
    const double fraction =
        options.min_signal_fraction +
        fraction_rng.uniform() * (options.max_signal_fraction - options.min_signal_fraction);
    model.voxel_signal_fraction[v] = noise_only ? 0.0 : fraction;
  }
  const double m = options.participant_specificity;
  const std::size_t participants = synth_fmri_participants(options).size();
  for (std::size_t p = 0; p < participants; ++p) {
    Rng rng(static_cast<std::uint64_t>(options.seed), {kParticipantWeights, p});
    const at::Tensor own = draw(rng);
    model.weights.push_back(balance(std::sqrt(1 - m * m) * shared_raw + m * own));
    const double quality =
        options.min_participant_quality + rng.uniform() * (1 - options.min_participant_quality);
    model.signal_fraction.push_back(model.voxel_signal_fraction * quality);
  }
  return model;
}

SynthStoryResponses synth_story_responses(const SynthFmriOptions& options,
                                          const SynthFmriModel& model, std::size_t participant,
                                          std::size_t story, const at::Tensor& features,
                                          bool with_repeats) {
  const std::int64_t rows = features.size(0), voxels = options.voxels;
  SynthStoryResponses out;
  out.signal = zscore_columns(at::matmul(features.to(at::kDouble), model.weights[participant]));
  const at::Tensor fraction = model.signal_fraction[participant];
  const at::Tensor signal_part = out.signal * fraction.sqrt();
  const at::Tensor noise_scale = (1 - fraction).sqrt();
  const int presentations = with_repeats ? options.test_repeats : 1;
  std::vector<at::Tensor> repeats;
  for (int r = 0; r < presentations; ++r) {
    Rng rng(static_cast<std::uint64_t>(options.seed),
            {kNoise, participant, story, static_cast<std::uint64_t>(r)});
    const at::Tensor noise = ar1_noise(rng, rows, voxels, options.noise_ar1);
    repeats.push_back(zscore_columns(signal_part + noise * noise_scale));
  }
  if (with_repeats) {
    out.repeats = at::stack(repeats).to(at::kFloat);
    out.responses = at::stack(repeats).mean(0).to(at::kFloat);
  } else {
    out.responses = repeats[0].to(at::kFloat);
  }
  return out;
}

void write_synth_fmri(const SynthFmriOptions& options, const std::string& path, bool overwrite,
                      const std::string& provenance,
                      const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::vector<SynthStoryPlan> plans = plan_synth_fmri_stories(options);
  const std::vector<std::string> participants = synth_fmri_participants(options);
  const std::size_t total = plans.size() + participants.size();
  std::size_t done = 0;
  FmriWriter writer(
      path, kSynthFmriSampleRate, options.tr_s, options.voxels,
      "synth: neuroscale synth --kind fmri, seed " + std::to_string(options.seed) +
          ", speech by espeak-ng, responses from a hidden auditory and phonetic encoding model",
      overwrite);
  if (!provenance.empty()) writer.add_attribute("/", "provenance", provenance);

  // ---- stories: speech, rows and hidden features
  const EspeakEngine engine;
  std::vector<at::Tensor> features;
  std::vector<FmriStory> stories;
  for (const SynthStoryPlan& plan : plans) {
    const SpokenText spoken = engine.speak(
        plan.text, EspeakVoice{plan.voice, plan.words_per_minute}, kSynthFmriSampleRate);
    const std::vector<float>& audio = spoken.samples;
    FmriStory story;
    story.name = plan.name;
    story.split = plan.split;
    story.samples = static_cast<std::int64_t>(audio.size());
    story.tr_times =
        synth_tr_times(story.samples, kSynthFmriSampleRate, options.tr_s, options.trim_start_trs);
    NS_CHECK_AS(DataError, story.rows() >= 5, "synthetic story '", plan.name, "' (", plan.voice,
                ", ", plan.words_per_minute, " wpm) is ",
                static_cast<double>(audio.size()) / kSynthFmriSampleRate,
                " s long: fewer than 5 response rows after trim_start_trs; raise min_story_s");
    const at::Tensor audio_tensor =
        at::from_blob(const_cast<float*>(audio.data()), {story.samples}, at::kFloat).clone();
    writer.add_story(story, audio_tensor);
    const std::string story_path = "/ground_truth/stories/" + plan.name;
    writer.add_attribute(story_path, "text", plan.text);
    writer.add_attribute(story_path, "voice", plan.voice);
    writer.add_attribute(story_path, "words_per_minute",
                         static_cast<double>(plan.words_per_minute));
    std::string phonemes;
    for (const PhonemeSegment& segment : spoken.phonemes) {
      if (segment.end <= segment.start || segment.phoneme[0] == '_') continue;
      phonemes += (phonemes.empty() ? "" : " ") + segment.phoneme;
    }
    writer.add_attribute(story_path, "phonemes", phonemes);
    features.push_back(features_at_tr_times(
        synth_fmri_frame_features(options, audio, spoken.phonemes), story.tr_times));
    writer.add_dataset(story_path + "/features", features.back());
    stories.push_back(std::move(story));
    if (progress) progress(++done, total);
  }

  // ---- participants: responses through the hidden model
  const SynthFmriModel model = make_synth_fmri_model(options, features);
  writer.add_attribute(
      "/ground_truth", "model",
      std::string("features: log energies of ") + std::to_string(options.bands) +
          " bands (100 Hz - 7.6 kHz) and their modulation at 10 Hz, then 20 articulatory "
          "features of espeak-ng's phonemes (fraction of each 100 ms frame), convolved with "
          "SPM's canonical HRF, sampled at tr_times; weights scaled so the phonetic part has " +
          std::to_string(options.phonetic_weight) +
          " of the signal variance; responses = zscore(sqrt(f) signal + sqrt(1-f) AR(1) noise)");
  writer.add_attribute("/ground_truth", "phonetic_weight", options.phonetic_weight);
  writer.add_attribute("/ground_truth", "feature_names", feature_names(options.bands));
  writer.add_dataset("/ground_truth/shared_weights", model.shared_weights);
  writer.add_dataset("/ground_truth/voxel_signal_fraction", model.voxel_signal_fraction);
  for (std::size_t p = 0; p < participants.size(); ++p) {
    const std::string role =
        static_cast<int>(p) < options.train_participants ? "train" : "held_out";
    const std::string truth = "/ground_truth/participants/" + participants[p];
    writer.add_dataset(truth + "/weights", model.weights[p]);
    writer.add_dataset(truth + "/signal_fraction", model.signal_fraction[p]);
    for (std::size_t s = 0; s < stories.size(); ++s) {
      const bool test = stories[s].split == "test";
      SynthStoryResponses data = synth_story_responses(options, model, p, s, features[s], test);
      writer.add_responses(participants[p], stories[s].name, data.responses, data.repeats, role);
      writer.add_dataset(truth + "/" + stories[s].name + "/signal", data.signal);
    }
    if (progress) progress(++done, total);
  }
  writer.commit();
}

}  // namespace neuroscale::io
