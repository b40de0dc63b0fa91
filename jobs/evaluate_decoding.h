// What `neuroscale evaluate` (phonemes) decodes with: the fine-tuned model or ensemble of
// models whose phoneme log-probabilities it averages, and the decoder (greedy, or beam
// search over a lexicon with an n-gram LM and an LLM rescoring its n-best list).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/decode/trial_decoding.h"
#include "core/log.h"
#include "io/corpus/corpus_index.h"
#include "io/llm/hf_model.h"
#include "jobs/phoneme_model.h"
#include "jobs/schema/evaluate_schema.h"

namespace neuroscale::jobs {

// The ensemble's phoneme log-probabilities: log_softmax of the mean of the members'
// log-probabilities [..., classes] (a normalised geometric mean of their distributions).
// Members must have one shape; one member is returned as it is.
at::Tensor average_log_probs(const std::vector<at::Tensor>& members);

// An ensemble of end-to-end models: the members' n-best texts pooled, each text once, in the
// order first seen (member by member, best first).
std::vector<std::string> pool_candidates(const std::vector<std::vector<std::string>>& per_member);
// The candidate whose log-likelihood, averaged over the members (`scores[member][candidate]`),
// is highest; the first of equals. Throws when the members' lists differ in length.
std::size_t best_mean_candidate(const std::vector<std::vector<double>>& scores);

// config.checkpoint and config.ensemble's checkpoints, on `device` in evaluation mode.
class PhonemeEnsemble {
 public:
  // Throws ConfigError when the members' patch sizes differ (their token counts would).
  PhonemeEnsemble(const EvaluateConfig& config, const io::CorpusIndex& index, at::Device device,
                  Logger& log);

  // Log-probabilities [B, tokens, classes] and tokens per trial [B]: the single model's, or
  // the members' averaged (average_log_probs).
  std::pair<at::Tensor, at::Tensor> log_probs(const Batch& batch);

  const PhonemeModel& first() const { return models_.front(); }
  std::size_t size() const { return models_.size(); }
  std::vector<std::string> checkpoints() const;

 private:
  std::vector<PhonemeModel> models_;
};

// The lexicon, n-gram LM and rescoring LLM of config.decode, and the decoder over them.
struct SentenceDecoding {
  std::unique_ptr<decode::Lexicon> lexicon;
  std::unique_ptr<decode::NgramLm> lm;
  std::optional<io::HfCausalLm> llm;
  decode::TrialDecoder decoder;
  nlohmann::ordered_json description;  ///< evaluation.json's "decoder"
};

// Reads what config.decode names, logging each; DataError naming the file at fault (an LLM
// whose tokenizer does not fit its vocabulary included).
// The LLM goes to `device`.
std::unique_ptr<SentenceDecoding> open_decoding(const EvaluateConfig& config,
                                                const std::vector<std::string>& checkpoints,
                                                at::Device device, Logger& log);

}  // namespace neuroscale::jobs
