#include "core/llm/generation.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::llm {
namespace {

// transformers' stand-in for "impossible" in beam scores.
constexpr double kImpossible = -1.0e9;

std::vector<std::int64_t> eos_ids(const CausalLmImpl& model, const GenerationOptions& options) {
  if (!options.stop_at_eos()) return {};
  const auto eos = options.eos().empty() ? model.options().eos() : options.eos();
  for (const auto id : eos) {
    NS_CHECK_AS(UsageError, id >= 0 && id < model.options().vocab(), "generation: EOS id ", id,
                " is outside the vocabulary (", model.options().vocab(), ")");
  }
  return eos;
}

// The token that fills a finished row: pad_token_id, else the first EOS, else 0.
std::int64_t fill_token(const CausalLmImpl& model, const std::vector<std::int64_t>& eos) {
  if (model.options().pad() >= 0) return model.options().pad();
  return eos.empty() ? 0 : eos.front();
}

at::Tensor is_eos(const at::Tensor& tokens, const std::vector<std::int64_t>& eos) {
  auto hits = at::zeros(tokens.sizes(), tokens.options().dtype(at::kBool));
  for (const auto id : eos) hits = hits.logical_or(tokens.eq(id));
  return hits;
}

// Tokens of row `row` up to `length`, cut after the first EOS.
std::vector<std::int64_t> row_tokens(const at::Tensor& row, std::int64_t length,
                                     const std::vector<std::int64_t>& eos) {
  std::vector<std::int64_t> tokens;
  const auto values = row.narrow(0, 0, length).to(at::kCPU).contiguous();
  const auto* data = values.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < length; ++i) {
    tokens.push_back(data[i]);
    if (std::find(eos.begin(), eos.end(), data[i]) != eos.end()) break;
  }
  return tokens;
}

std::vector<std::vector<Hypothesis>> greedy(CausalLmImpl& model, const at::Tensor& embeddings,
                                            const at::Tensor& mask,
                                            const GenerationOptions& options,
                                            const std::vector<std::int64_t>& eos) {
  const auto batch = embeddings.size(0);
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(embeddings.device());
  const auto fill = fill_token(model, eos);
  KvCache cache;
  auto logits = model.forward_embeddings(embeddings, mask, &cache, true);
  auto unfinished = at::ones({batch}, long_options);
  auto generated = at::full({batch, options.max_new_tokens()}, fill, long_options);
  auto total =
      at::zeros({batch}, at::TensorOptions().dtype(at::kDouble).device(embeddings.device()));
  std::int64_t steps = 0;
  for (std::int64_t step = 0; step < options.max_new_tokens(); ++step) {
    const auto scores = logits.select(1, 0).to(at::kFloat);
    auto next = scores.argmax(-1);
    const auto log_p =
        at::log_softmax(scores, -1).gather(1, next.unsqueeze(1)).squeeze(1).to(at::kDouble);
    total += log_p * unfinished.to(at::kDouble);
    next = next * unfinished + fill * (1 - unfinished);
    generated.select(1, step).copy_(next);
    steps = step + 1;
    unfinished = unfinished * is_eos(next, eos).logical_not().to(at::kLong);
    if (unfinished.max().item<std::int64_t>() == 0 || step + 1 == options.max_new_tokens()) break;
    logits =
        model.forward(next.unsqueeze(1),
                      at::cat({cache.mask, at::ones({batch, 1}, long_options)}, 1), &cache, true);
  }
  std::vector<std::vector<Hypothesis>> results(static_cast<std::size_t>(batch));
  for (std::int64_t b = 0; b < batch; ++b) {
    Hypothesis h;
    h.tokens = row_tokens(generated[b], steps, eos);
    h.log_probability = total[b].item<double>();
    h.score = h.log_probability;
    results[static_cast<std::size_t>(b)].push_back(std::move(h));
  }
  return results;
}

// x [B, K, ...] rows picked per batch item by `index` [B, N].
at::Tensor gather_beams(const at::Tensor& x, const at::Tensor& index) {
  auto expanded = index;
  while (expanded.dim() < x.dim()) expanded = expanded.unsqueeze(-1);
  std::vector<std::int64_t> sizes = x.sizes().vec();
  sizes[1] = index.size(1);
  return x.gather(1, expanded.expand(sizes));
}

std::vector<std::vector<Hypothesis>> beam_search(CausalLmImpl& model, const at::Tensor& embeddings,
                                                 const at::Tensor& mask_in,
                                                 const GenerationOptions& options,
                                                 const std::vector<std::int64_t>& eos) {
  const auto batch = embeddings.size(0), prompt = embeddings.size(1), beams = options.beams();
  const auto steps = options.max_new_tokens();
  const auto device = embeddings.device();
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(device);
  const auto float_options = at::TensorOptions().dtype(at::kFloat).device(device);
  const auto keep = std::max<std::int64_t>(2, 1 + static_cast<std::int64_t>(eos.size())) * beams;
  const auto fill = fill_token(model, eos);
  const double penalty = options.length_penalty();

  auto mask = mask_in.defined() ? mask_in.to(at::kLong) : at::ones({batch, prompt}, long_options);
  // The prompt goes through the model once per sequence; its cache and last logits are then
  // copied to each beam (transformers runs the prompt once per beam: beams times the work).
  KvCache cache;
  auto logits =
      model.forward_embeddings(embeddings, mask, &cache, true).repeat_interleave(beams, 0);
  cache.select_rows(at::arange(batch, long_options).repeat_interleave(beams));
  auto running = at::full({batch, beams, steps}, fill, long_options);
  auto running_scores = at::zeros({batch, beams}, float_options);
  running_scores.narrow(1, 1, beams - 1).fill_(kImpossible);
  auto finished = running.clone();
  auto finished_scores = at::full({batch, beams}, kImpossible, float_options);
  auto finished_length = at::zeros({batch, beams}, long_options);
  auto is_finished = at::zeros({batch, beams}, long_options.dtype(at::kBool));
  auto can_improve = at::ones({batch, 1}, long_options.dtype(at::kBool));
  auto top_beams = at::zeros({keep}, long_options.dtype(at::kBool));
  top_beams.narrow(0, 0, beams).fill_(true);
  const auto row_offset = at::arange(batch, long_options).unsqueeze(1) * beams;

  for (std::int64_t step = 0; step < steps; ++step) {
    const auto vocab = logits.size(-1);
    auto log_probs =
        at::log_softmax(logits.select(1, 0).to(at::kFloat), -1).view({batch, beams, vocab});
    log_probs = (log_probs + running_scores.unsqueeze(2)).view({batch, beams * vocab});
    const auto top = log_probs.topk(keep);
    const auto top_scores = std::get<0>(top), top_index = std::get<1>(top);
    const auto source_beam = top_index.div(vocab, "floor"), token = top_index.remainder(vocab);
    auto candidates = gather_beams(running, source_beam);
    candidates.select(2, step).copy_(token);
    const auto hits =
        is_eos(token, eos)
            .logical_or(at::full_like(token, step + 1 >= steps ? 1 : 0).to(at::kBool));

    // The best `beams` candidates that did not finish keep running.
    const auto running_candidates = top_scores + hits.to(at::kFloat) * kImpossible;
    const auto next = std::get<1>(running_candidates.topk(beams));
    running = gather_beams(candidates, next);
    running_scores = gather_beams(running_candidates, next);
    const auto reorder = gather_beams(source_beam, next);

    // Finished candidates among the top `beams` compete with the finished so far.
    const auto just_finished = hits.logical_and(top_beams.unsqueeze(0));
    auto scores = top_scores / std::pow(static_cast<double>(step + 1), penalty);
    scores = scores + can_improve.logical_not().to(at::kFloat) * kImpossible;
    scores = scores + just_finished.logical_not().to(at::kFloat) * kImpossible;
    const auto merged_scores = at::cat({finished_scores, scores}, 1);
    const auto merged = at::cat({finished, candidates}, 1);
    const auto merged_length =
        at::cat({finished_length, at::full({batch, keep}, step + 1, long_options)}, 1);
    const auto merged_finished = at::cat({is_finished, just_finished}, 1);
    const auto chosen = std::get<1>(merged_scores.topk(beams));
    finished = gather_beams(merged, chosen);
    finished_scores = gather_beams(merged_scores, chosen);
    finished_length = gather_beams(merged_length, chosen);
    is_finished = gather_beams(merged_finished, chosen);

    // Can a running beam still beat the worst finished one?
    const auto best_running =
        running_scores.narrow(1, 0, 1) / std::pow(static_cast<double>(step + 1), penalty);
    const auto worst_finished = at::where(is_finished, std::get<0>(finished_scores.min(1, true)),
                                          at::full_like(finished_scores, kImpossible));
    can_improve = can_improve.logical_and(best_running.gt(worst_finished).any(1, true));
    if (!can_improve.any().item<bool>() || hits.all().item<bool>()) break;

    cache.select_rows((row_offset + reorder).reshape({-1}));
    const auto tokens = running.select(2, step).reshape({batch * beams, 1});
    logits = model.forward(
        tokens, at::cat({cache.mask, at::ones({batch * beams, 1}, long_options)}, 1), &cache, true);
  }

  std::vector<std::vector<Hypothesis>> results(static_cast<std::size_t>(batch));
  const auto scores_cpu = finished_scores.to(at::kCPU);
  const auto lengths_cpu = finished_length.to(at::kCPU);
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t k = 0; k < options.nbest(); ++k) {
      Hypothesis h;
      h.tokens = row_tokens(finished[b][k], lengths_cpu[b][k].item<std::int64_t>(), eos);
      h.score = scores_cpu[b][k].item<double>();
      h.log_probability =
          h.score * std::pow(static_cast<double>(lengths_cpu[b][k].item<std::int64_t>()), penalty);
      results[static_cast<std::size_t>(b)].push_back(std::move(h));
    }
  }
  return results;
}

}  // namespace

void GenerationOptions::validate() const {
  NS_CHECK_AS(ConfigError, max_new_tokens() > 0, "generation.max_new_tokens must be > 0, got ",
              max_new_tokens());
  NS_CHECK_AS(ConfigError, beams() > 0, "generation.beams must be > 0, got ", beams());
  NS_CHECK_AS(ConfigError, nbest() > 0 && nbest() <= beams(),
              "generation.nbest must be in [1, generation.beams = ", beams(), "], got ", nbest());
  NS_CHECK_AS(ConfigError, std::isfinite(length_penalty()),
              "generation.length_penalty must be finite");
}

std::vector<std::vector<Hypothesis>> generate(CausalLmImpl& model, const at::Tensor& embeddings,
                                              const at::Tensor& mask,
                                              const GenerationOptions& options) {
  options.validate();
  NS_CHECK_AS(UsageError, embeddings.dim() == 3 && embeddings.size(0) > 0 && embeddings.size(1) > 0,
              "generation needs prompt embeddings [batch, tokens, hidden], got ",
              embeddings.sizes());
  NS_CHECK_AS(UsageError,
              embeddings.size(1) + options.max_new_tokens() <= model.options().max_positions(),
              "a prompt of ", embeddings.size(1), " tokens plus max_new_tokens ",
              options.max_new_tokens(), " exceeds the model's context (max_position_embeddings ",
              model.options().max_positions(), ")");
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto eos = eos_ids(model, options);
  auto results = options.beams() == 1 ? greedy(model, embeddings, mask, options, eos)
                                      : beam_search(model, embeddings, mask, options, eos);
  model.train(was_training);
  return results;
}

std::pair<at::Tensor, at::Tensor> left_pad(const std::vector<std::vector<std::int64_t>>& prompts,
                                           std::int64_t pad) {
  std::size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  const auto batch = static_cast<std::int64_t>(prompts.size()),
             length = static_cast<std::int64_t>(longest);
  auto ids = at::full({batch, length}, pad, at::kLong);
  auto mask = at::zeros({batch, length}, at::kLong);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto& p = prompts[static_cast<std::size_t>(b)];
    const auto start = length - static_cast<std::int64_t>(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) ids[b][start + static_cast<std::int64_t>(i)] = p[i];
    mask[b].narrow(0, start, static_cast<std::int64_t>(p.size())).fill_(1);
  }
  return {ids, mask};
}

std::vector<std::vector<Hypothesis>> generate(CausalLmImpl& model,
                                              const std::vector<std::vector<std::int64_t>>& prompts,
                                              const GenerationOptions& options) {
  NS_CHECK_AS(UsageError, !prompts.empty(), "generation needs at least one prompt");
  const auto vocab = model.options().vocab();
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    NS_CHECK_AS(UsageError, !prompts[i].empty(), "prompt ", i, " is empty");
    for (const auto id : prompts[i]) {
      NS_CHECK_AS(UsageError, id >= 0 && id < vocab, "prompt ", i, ": token ", id,
                  " is outside the vocabulary (", vocab, ")");
    }
  }
  const auto eos = eos_ids(model, options);
  const auto [ids, mask] = left_pad(prompts, fill_token(model, eos));
  const auto device = model.model->embed_tokens->weight.device();
  torch::NoGradGuard no_grad;
  return generate(model, model.embed(ids.to(device)), mask.to(device), options);
}

}  // namespace neuroscale::llm
