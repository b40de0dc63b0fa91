#include "jobs/sentence_decoding.h"

#include <torch/torch.h>

#include <algorithm>

#include "jobs/evaluate_decoding.h"

namespace neuroscale::jobs {

std::vector<std::vector<Candidate>> generate_sentences(SentenceModel& model, const Batch& batch,
                                                       const llm::GenerationOptions& generation) {
  auto& task = *model.task;
  const auto& tokenizer = io::require_tokenizer(model.lm);
  const auto [projected, valid] = task.neural_tokens(batch);
  const auto [embeddings, mask] = task.model()->generation_inputs(
      projected, valid, task.options().prompt_a(), task.options().prompt_b());
  std::vector<std::vector<Candidate>> out;
  for (const auto& hypotheses : llm::generate(*task.model()->llm, embeddings, mask, generation)) {
    out.emplace_back();
    for (const auto& h : hypotheses)
      out.back().push_back({tokenizer.decode(h.tokens, true), h.score, h.log_probability});
  }
  return out;
}

std::vector<std::vector<double>> score_sentences(
    SentenceModel& model, const Batch& batch, const std::vector<std::vector<std::string>>& texts) {
  auto& task = *model.task;
  const auto& tokenizer = io::require_tokenizer(model.lm);
  const auto [projected, valid] = task.neural_tokens(batch);
  std::vector<std::int64_t> rows;
  std::vector<std::vector<std::int64_t>> targets;
  for (std::size_t b = 0; b < texts.size(); ++b) {
    for (const auto& text : texts[b]) {
      rows.push_back(static_cast<std::int64_t>(b));
      targets.push_back(tokenizer.encode(text));
      targets.back().push_back(task.options().eos());
    }
  }
  const auto index = at::tensor(rows, at::kLong);
  const auto s = task.model()->sequences(projected.index_select(0, index.to(projected.device())),
                                         valid.index_select(0, index), task.options().prompt_a(),
                                         task.options().prompt_b(), targets);
  const auto sums = task.model()->target_log_likelihoods(s);
  std::vector<std::vector<double>> out(texts.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    out[static_cast<std::size_t>(rows[r])].push_back(sums[r]);
  return out;
}

std::vector<std::vector<Candidate>> decode_batch(
    const std::vector<std::unique_ptr<SentenceModel>>& models, const Batch& batch,
    const llm::GenerationOptions& generation) {
  std::vector<std::vector<std::vector<Candidate>>> generated;
  for (const auto& model : models)
    generated.push_back(generate_sentences(*model, batch, generation));
  if (models.size() == 1) return generated.front();
  const auto trials = static_cast<std::size_t>(batch.size());
  std::vector<std::vector<std::string>> pooled(trials);
  for (std::size_t b = 0; b < trials; ++b) {
    std::vector<std::vector<std::string>> per_member;
    for (const auto& member : generated) {
      per_member.emplace_back();
      for (const auto& c : member[b]) per_member.back().push_back(c.text);
    }
    pooled[b] = pool_candidates(per_member);
  }
  std::vector<std::vector<std::vector<double>>> scores;  // [member][trial][candidate]
  for (const auto& model : models) scores.push_back(score_sentences(*model, batch, pooled));
  std::vector<std::vector<Candidate>> out(trials);
  for (std::size_t b = 0; b < trials; ++b) {
    std::vector<std::vector<double>> trial_scores;
    for (const auto& member : scores) trial_scores.push_back(member[b]);
    const auto best = best_mean_candidate(trial_scores);
    for (std::size_t c = 0; c < pooled[b].size(); ++c) {
      double mean = 0.0;
      for (const auto& member : trial_scores)
        mean += member[c] / static_cast<double>(models.size());
      out[b].push_back({pooled[b][c], mean, mean});
    }
    std::rotate(out[b].begin(), out[b].begin() + static_cast<std::ptrdiff_t>(best),
                out[b].begin() + static_cast<std::ptrdiff_t>(best) + 1);
    std::stable_sort(out[b].begin() + 1, out[b].end(),
                     [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  }
  return out;
}

llm::GenerationOptions generation_options(const LlmDecodingConfig& c) {
  auto options = llm::GenerationOptions()
                     .beams(c.beams)
                     .nbest(c.nbest)
                     .max_new_tokens(c.max_new_tokens)
                     .length_penalty(c.length_penalty);
  options.validate();
  return options;
}

std::vector<std::string> checkpoint_paths(
    const std::vector<std::unique_ptr<SentenceModel>>& models) {
  std::vector<std::string> out;
  for (const auto& m : models) out.push_back(m->checkpoint);
  return out;
}

}  // namespace neuroscale::jobs
