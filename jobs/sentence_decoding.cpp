#include "jobs/sentence_decoding.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/decode/ctc_score.h"
#include "core/decode/sentence_phonemes.h"
#include "jobs/evaluate_decoding.h"

namespace neuroscale::jobs {

namespace {

// One model's n-best texts per trial, generated from its encoder pass `inputs`.
std::vector<std::vector<Candidate>> generate_sentences(SentenceModel& model,
                                                       const task::SentenceTask::Decoding& inputs,
                                                       const llm::GenerationOptions& generation) {
  auto& task = *model.task;
  const auto& tokenizer = io::require_tokenizer(model.lm);
  const auto [embeddings, mask] = task.model()->generation_inputs(
      inputs.projected, inputs.valid, task.options().prompt_a(), task.options().prompt_b());
  std::vector<std::vector<Candidate>> out;
  for (const auto& hypotheses : llm::generate(*task.model()->llm, embeddings, mask, generation)) {
    out.emplace_back();
    for (const auto& h : hypotheses) {
      Candidate c{tokenizer.decode(h.tokens, true), h.score, h.log_probability};
      c.total = c.score;
      out.back().push_back(std::move(c));
    }
  }
  return out;
}

// log p(text, EOS | prompt, the trial's neural tokens) under `model`, for each text of
// `texts[b]` and trial b (its encoder pass `inputs`).
std::vector<std::vector<double>> score_sentences(
    SentenceModel& model, const task::SentenceTask::Decoding& inputs,
    const std::vector<std::vector<std::string>>& texts) {
  auto& task = *model.task;
  const auto& tokenizer = io::require_tokenizer(model.lm);
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
  const auto s =
      task.model()->sequences(inputs.projected.index_select(0, index.to(inputs.projected.device())),
                              inputs.valid.index_select(0, index), task.options().prompt_a(),
                              task.options().prompt_b(), targets);
  const auto sums = task.model()->target_log_likelihoods(s);
  std::vector<std::vector<double>> out(texts.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    out[static_cast<std::size_t>(rows[r])].push_back(sums[r]);
  return out;
}

// The ensemble's candidates per trial: the members' n-best texts pooled, each scored by
// every member, best mean log-likelihood first.
std::vector<std::vector<Candidate>> pool_and_score(
    const std::vector<std::unique_ptr<SentenceModel>>& models,
    const std::vector<task::SentenceTask::Decoding>& inputs,
    const std::vector<std::vector<std::vector<Candidate>>>& generated) {
  const auto trials = generated.front().size();
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
  for (std::size_t m = 0; m < models.size(); ++m)
    scores.push_back(score_sentences(*models[m], inputs[m], pooled));
  std::vector<std::vector<Candidate>> out(trials);
  for (std::size_t b = 0; b < trials; ++b) {
    std::vector<std::vector<double>> trial_scores;
    for (const auto& member : scores) trial_scores.push_back(member[b]);
    const auto best = best_mean_candidate(trial_scores);
    for (std::size_t c = 0; c < pooled[b].size(); ++c) {
      double mean = 0.0;
      for (const auto& member : trial_scores)
        mean += member[c] / static_cast<double>(models.size());
      Candidate candidate{pooled[b][c], mean, mean};
      candidate.total = mean;
      out[b].push_back(std::move(candidate));
    }
    std::rotate(out[b].begin(), out[b].begin() + static_cast<std::ptrdiff_t>(best),
                out[b].begin() + static_cast<std::ptrdiff_t>(best) + 1);
    std::stable_sort(out[b].begin() + 1, out[b].end(),
                     [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  }
  return out;
}

}  // namespace

std::vector<std::vector<Candidate>> decode_batch(
    const std::vector<std::unique_ptr<SentenceModel>>& models, const Batch& batch,
    const llm::GenerationOptions& generation, const AcousticScoring& acoustic) {
  std::vector<task::SentenceTask::Decoding> inputs;
  std::vector<std::vector<std::vector<Candidate>>> generated;
  std::vector<at::Tensor> phonemes;
  for (const auto& model : models) {
    inputs.push_back(model->task->decoding_inputs(batch, acoustic.on()));
    generated.push_back(generate_sentences(*model, inputs.back(), generation));
    if (acoustic.on()) phonemes.push_back(inputs.back().phoneme_log_probs);
  }
  auto out =
      models.size() == 1 ? std::move(generated.front()) : pool_and_score(models, inputs, generated);
  if (acoustic.on())
    score_acoustics(out, average_log_probs(phonemes), inputs.front().valid, acoustic);
  return out;
}

void score_acoustics(std::vector<std::vector<Candidate>>& candidates, const at::Tensor& log_probs,
                     const at::Tensor& valid, const AcousticScoring& acoustic) {
  const auto probs = log_probs.to(at::kCPU, at::kFloat);
  const auto lengths = valid.to(at::kCPU, at::kLong);
  for (std::size_t b = 0; b < candidates.size(); ++b) {
    const auto i = static_cast<std::int64_t>(b);
    const auto trial = probs[i].slice(0, 0, lengths[i].item<std::int64_t>());
    std::vector<std::vector<int>> labels;
    std::vector<std::size_t> pronounced;
    for (std::size_t c = 0; c < candidates[b].size(); ++c) {
      auto phonemes = decode::sentence_phonemes(candidates[b][c].text, *acoustic.lexicon);
      candidates[b][c].out_of_lexicon = !phonemes.unknown.empty();
      if (candidates[b][c].out_of_lexicon) continue;
      labels.push_back(std::move(phonemes.labels));
      pronounced.push_back(c);
    }
    const auto scores = decode::ctc_log_likelihoods(trial, labels);
    for (std::size_t k = 0; k < pronounced.size(); ++k) {
      auto& c = candidates[b][pronounced[k]];
      c.acoustic = scores[k];
      c.total = c.score + acoustic.scale * c.acoustic;
    }
    std::stable_sort(candidates[b].begin(), candidates[b].end(),
                     [](const Candidate& x, const Candidate& y) {
                       if (x.out_of_lexicon != y.out_of_lexicon) return y.out_of_lexicon;
                       return !x.out_of_lexicon && x.total > y.total;
                     });
  }
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
