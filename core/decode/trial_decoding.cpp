#include "core/decode/trial_decoding.h"

#include "core/decode/phonemes.h"

namespace neuroscale::decode {

DecodedTrial decode_trial(const float* log_probs, int frames, const std::vector<int>& reference,
                          const std::string& reference_text, const TrialDecoder& decoder) {
  DecodedTrial trial;
  if (decoder.lexicon) {
    const auto best =
        beam_search(log_probs, frames, kClasses, *decoder.lexicon, decoder.lm, decoder.beam);
    trial.phonemes = best.phonemes;
    trial.text = best.text();
  } else {
    trial.phonemes = greedy_decode(log_probs, frames, kClasses);
  }
  if (!reference.empty()) trial.phoneme_errors.add_phonemes(trial.phonemes, reference);
  if (decoder.lexicon && !reference_text.empty())
    trial.word_errors.add_words(trial.text, reference_text);
  return trial;
}

}  // namespace neuroscale::decode
