// Log-probabilities of whole texts under a causal LM, as `lm score` reports them and n-best
// rescoring (`evaluate` with decode.rescore.llm) uses them: with a BOS token every token is
// scored after it; without one the first token is the context and the rest are scored.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/llm/causal_lm.h"
#include "core/llm/scoring.h"
#include "io/llm/tokenizer.h"

namespace neuroscale::jobs {

// One score per text (same order). A text without tokens (or, without a BOS, with one token)
// scores 0 over 0 tokens. `done(n)` is called after each batch with the texts scored so far.
std::vector<llm::ContinuationScore> score_texts(llm::CausalLmImpl& model,
                                                const io::BpeTokenizer& tokenizer,
                                                const std::vector<std::string>& texts,
                                                std::int64_t batch_size,
                                                const std::function<void(std::size_t)>& done = {});

}  // namespace neuroscale::jobs
