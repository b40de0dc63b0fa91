// Generation from a causal LM with a KV cache: greedy decoding and beam search with n-best
// output, as transformers' generate() does them (same token ids on the same model and
// inputs): greedy takes the arg-max token and pads rows that have finished; beam search
// keeps `beams` running hypotheses, takes the top max(2, 1 + EOS ids) x beams continuations
// each step, finishes a hypothesis at an EOS among the top `beams` or at the length limit
// with score sum(log p) / generated_length ^ length_penalty, and stops when no running beam
// can beat the worst finished one (transformers' early_stopping=False heuristic).
#pragma once

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <cstdint>
#include <vector>

#include "core/llm/causal_lm.h"

namespace neuroscale::llm {

struct GenerationOptions {
  // Throws ConfigError naming the field ("generation.beams", ...) when out of range.
  void validate() const;

  /// tokens generated at most per prompt (generation.max_new_tokens)
  TORCH_ARG(std::int64_t, max_new_tokens) = 20;
  /// beams; 1 = greedy (generation.beams)
  TORCH_ARG(std::int64_t, beams) = 1;
  /// hypotheses returned per prompt, best first; at most `beams` (generation.nbest)
  TORCH_ARG(std::int64_t, nbest) = 1;
  /// exponent of the generated length that divides a finished beam's log-probability
  TORCH_ARG(double, length_penalty) = 1.0;
  /// ids that end a hypothesis; empty: the model's eos_token_id
  TORCH_ARG(std::vector<std::int64_t>, eos) = {};
  /// false: no token ends a hypothesis, every one runs to max_new_tokens (benchmarks)
  TORCH_ARG(bool, stop_at_eos) = true;
};

struct Hypothesis {
  std::vector<std::int64_t> tokens;  ///< generated tokens, through the EOS when one ended it
  double score = 0.0;                ///< beam: length-normalised log-probability; greedy: summed
  double log_probability = 0.0;      ///< summed log-probability of `tokens`
};

// Continues prompts given as input embeddings `embeddings` [B, T, hidden] with `mask`
// [B, T] (1 real, 0 padding on the left; undefined: all real). Returns per prompt up to
// `nbest` hypotheses, best first. The model is used in inference mode, on its device.
std::vector<std::vector<Hypothesis>> generate(CausalLmImpl& model, const at::Tensor& embeddings,
                                              const at::Tensor& mask,
                                              const GenerationOptions& options);

// The same for prompts of token ids (left-padded into one batch). Throws UsageError for an
// empty prompt or a token outside the vocabulary.
std::vector<std::vector<Hypothesis>> generate(CausalLmImpl& model,
                                              const std::vector<std::vector<std::int64_t>>& prompts,
                                              const GenerationOptions& options);

// Left-pads `prompts` with `pad` into ids [B, T] and a mask [B, T] (1 real).
std::pair<at::Tensor, at::Tensor> left_pad(const std::vector<std::vector<std::int64_t>>& prompts,
                                           std::int64_t pad);

}  // namespace neuroscale::llm
