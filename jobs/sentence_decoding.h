// How `evaluate` (decode.method llm) turns a micro-batch into sentences with one end-to-end
// model or an ensemble of them: each model's n-best texts by generation, and for an
// ensemble the pooled candidates scored by every member (evaluate_decoding.h's
// pool_candidates and best_mean_candidate). With an acoustic scale, as BIT, each candidate's
// phonemes (grapheme-to-phoneme by the lexicon) are also scored against the encoder's CTC
// head, and the candidates are ordered by
//   total = score + acoustic_scale * acoustic
// (acoustic: the CTC log-likelihood, core/decode/ctc_score.h; an ensemble's averaged
// phoneme log-probabilities, as its cascaded decoding uses). A candidate with a word the
// lexicon lacks has no acoustic score: it ranks after every candidate that has one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/decode/lexicon.h"
#include "core/llm/generation.h"
#include "jobs/schema/evaluate_schema.h"
#include "jobs/sentence_model.h"

namespace neuroscale::jobs {

struct Candidate {
  std::string text;
  double score = 0.0;  ///< one model: generation's (length-normalised) score; ensemble: mean LL
  double log_probability = 0.0;
  double acoustic = 0.0;        ///< CTC log-likelihood of its phonemes (when scored)
  bool out_of_lexicon = false;  ///< a word the lexicon lacks: no acoustic score
  double total = 0.0;           ///< what orders the candidates (score without acoustic scoring)
};

// The acoustic part of the ordering: off without a lexicon or with scale 0.
struct AcousticScoring {
  const decode::Lexicon* lexicon = nullptr;
  double scale = 0.0;
  bool on() const { return lexicon != nullptr && scale > 0.0; }
};

// Each trial's candidates, best first: the one model's n-best, or an ensemble's pooled
// candidates scored by every member, ordered by their mean log-likelihood; then, with
// `acoustic` on, reordered by the total above (stable: equal totals keep that order).
// Throws ConfigError when `acoustic` is on and a model has no CTC head.
std::vector<std::vector<Candidate>> decode_batch(
    const std::vector<std::unique_ptr<SentenceModel>>& models, const Batch& batch,
    const llm::GenerationOptions& generation, const AcousticScoring& acoustic = {});

// Sets each candidate's acoustic score from `log_probs` [B, tokens, classes] (tokens per
// trial `valid` [B]) and orders every trial's candidates by their total.
void score_acoustics(std::vector<std::vector<Candidate>>& candidates, const at::Tensor& log_probs,
                     const at::Tensor& valid, const AcousticScoring& acoustic);

// decode.llm as generation options (validated: ConfigError naming the key).
llm::GenerationOptions generation_options(const LlmDecodingConfig& c);

// The checkpoint each model was loaded from.
std::vector<std::string> checkpoint_paths(
    const std::vector<std::unique_ptr<SentenceModel>>& models);

}  // namespace neuroscale::jobs
