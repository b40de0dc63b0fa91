// Rescoring an n-best list with a large language model, as the Brain-to-Text baselines do:
//   total = alpha * (llm - length_penalty * llm_tokens) + (1 - alpha) * ngram
//           + acoustic_scale * acoustic
// with `llm` the candidate's summed token log-probability (natural log) under the LLM,
// `ngram` its n-gram log-probability and `acoustic` its CTC log-probability (Hypothesis).
// The LLM scores come from the caller (core/llm/scoring.h over the tokenizer's ids).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/decode/ctc_decode.h"

namespace neuroscale::decode {

struct RescoreOptions {
  int nbest = 100;              ///< candidates kept from the beam search
  double alpha = 0.5;           ///< weight of the LLM against the n-gram
  double acoustic_scale = 0.5;  ///< weight of the acoustic score
  double length_penalty = 0.0;  ///< subtracted from the LLM score per token
  // Throws ConfigError naming the key (under `prefix`, e.g. "decode.rescore.") when a value
  // is out of range.
  void validate(const std::string& prefix) const;
};

struct LlmScore {
  double log_probability = 0.0;  ///< summed over the candidate's tokens
  std::int64_t tokens = 0;
};

// The rescored total of each candidate (same order as `nbest`; `llm` has one score each).
std::vector<double> rescore(const std::vector<Hypothesis>& nbest, const std::vector<LlmScore>& llm,
                            const RescoreOptions& options);

// The index of the largest total (the first of equals); `totals` must not be empty.
std::size_t best_index(const std::vector<double>& totals);

}  // namespace neuroscale::decode
