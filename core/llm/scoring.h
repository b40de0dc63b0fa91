// Log-probabilities of continuations given prefixes under a causal LM, in batches: what
// n-best rescoring and `neuroscale lm score` need. Each continuation token is scored by the
// logits at the position before it (float32 log-softmax), and the scores are summed.
#pragma once

#include <cstdint>
#include <vector>

#include "core/llm/causal_lm.h"

namespace neuroscale::llm {

struct ContinuationScore {
  double log_probability = 0.0;  ///< summed natural-log probability of the continuation
  std::int64_t tokens = 0;       ///< tokens scored
};

// Scores continuations[i] after prefixes[i] (same count; every prefix non-empty: the first
// continuation token needs a token before it; put the BOS there to score a whole text).
// `batch_size` sequences go through the model at once (right-padded). Throws UsageError for
// an empty prefix, a token outside the vocabulary, or a sequence longer than the context.
std::vector<ContinuationScore> score_continuations(
    CausalLmImpl& model, const std::vector<std::vector<std::int64_t>>& prefixes,
    const std::vector<std::vector<std::int64_t>>& continuations, std::int64_t batch_size = 16);

}  // namespace neuroscale::llm
