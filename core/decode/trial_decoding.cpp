#include "core/decode/trial_decoding.h"

#include "core/decode/phonemes.h"

namespace neuroscale::decode {

DecodedTrial decode_trial(const float* log_probs, int frames, const std::vector<int>& reference,
                          const std::string& reference_text, const TrialDecoder& decoder) {
  DecodedTrial trial;
  if (decoder.lexicon) {
    const int n = decoder.llm ? decoder.rescore.nbest : 1;
    const auto nbest = beam_search_nbest(log_probs, frames, kClasses, *decoder.lexicon, decoder.lm,
                                         decoder.beam, n);
    std::size_t best = 0;
    if (decoder.llm && nbest.size() > 1) {
      std::vector<std::string> texts;
      for (const auto& h : nbest) texts.push_back(h.text());
      best = best_index(rescore(nbest, decoder.llm(texts), decoder.rescore));
    }
    trial.phonemes = nbest[best].phonemes;
    trial.text = nbest[best].text();
  } else {
    trial.phonemes = greedy_decode(log_probs, frames, kClasses);
  }
  if (!reference.empty()) trial.phoneme_errors.add_phonemes(trial.phonemes, reference);
  if (decoder.lexicon && !reference_text.empty())
    trial.word_errors.add_words(trial.text, reference_text);
  return trial;
}

}  // namespace neuroscale::decode
