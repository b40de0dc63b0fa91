// How `evaluate` (decode.method llm) turns a micro-batch into sentences with one end-to-end
// model or an ensemble of them: each model's n-best texts by generation, and for an
// ensemble the pooled candidates scored by every member (evaluate_decoding.h's
// pool_candidates and best_mean_candidate).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/llm/generation.h"
#include "jobs/schema/evaluate_schema.h"
#include "jobs/sentence_model.h"

namespace neuroscale::jobs {

struct Candidate {
  std::string text;
  double score = 0.0;  ///< one model: generation's (length-normalised) score; ensemble: mean LL
  double log_probability = 0.0;
};

// One model's n-best texts per trial of `batch`, with their scores.
std::vector<std::vector<Candidate>> generate_sentences(SentenceModel& model, const Batch& batch,
                                                       const llm::GenerationOptions& generation);

// log p(text, EOS | prompt, the trial's neural tokens) under `model`, for each text of
// `texts[b]` and trial b of `batch`.
std::vector<std::vector<double>> score_sentences(
    SentenceModel& model, const Batch& batch, const std::vector<std::vector<std::string>>& texts);

// Each trial's candidates, best first: the one model's n-best, or an ensemble's pooled
// candidates scored by every member, ordered by their mean log-likelihood.
std::vector<std::vector<Candidate>> decode_batch(
    const std::vector<std::unique_ptr<SentenceModel>>& models, const Batch& batch,
    const llm::GenerationOptions& generation);

// decode.llm as generation options (validated: ConfigError naming the key).
llm::GenerationOptions generation_options(const LlmDecodingConfig& c);

// The checkpoint each model was loaded from.
std::vector<std::string> checkpoint_paths(
    const std::vector<std::unique_ptr<SentenceModel>>& models);

}  // namespace neuroscale::jobs
