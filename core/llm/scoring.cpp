#include "core/llm/scoring.h"

#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>

#include "core/check.h"

namespace neuroscale::llm {

std::vector<ContinuationScore> score_continuations(
    CausalLmImpl& model, const std::vector<std::vector<std::int64_t>>& prefixes,
    const std::vector<std::vector<std::int64_t>>& continuations, std::int64_t batch_size) {
  NS_CHECK_AS(UsageError, prefixes.size() == continuations.size(),
              "scoring needs one prefix per continuation (", prefixes.size(), " prefixes, ",
              continuations.size(), " continuations)");
  NS_CHECK_AS(UsageError, batch_size > 0, "scoring batch size must be > 0, got ", batch_size);
  const auto vocab = model.options().vocab();
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    NS_CHECK_AS(UsageError, !prefixes[i].empty(), "sequence ", i,
                ": the prefix is empty (the first token needs ",
                "one before it; use the BOS token)");
    const auto length = static_cast<std::int64_t>(prefixes[i].size() + continuations[i].size());
    NS_CHECK_AS(UsageError, length <= model.options().max_positions(), "sequence ", i, " has ",
                length, " tokens, more than the model's context (max_position_embeddings ",
                model.options().max_positions(), ")");
    for (const auto* part : {&prefixes[i], &continuations[i]}) {
      for (const auto id : *part) {
        NS_CHECK_AS(UsageError, id >= 0 && id < vocab, "sequence ", i, ": token ", id,
                    " is outside the vocabulary (", vocab, ")");
      }
    }
  }
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto device = model.model->embed_tokens->weight.device();
  std::vector<ContinuationScore> scores(prefixes.size());
  for (std::size_t begin = 0; begin < prefixes.size();
       begin += static_cast<std::size_t>(batch_size)) {
    const auto end = std::min(prefixes.size(), begin + static_cast<std::size_t>(batch_size));
    std::int64_t longest = 0;
    for (auto i = begin; i < end; ++i) {
      longest = std::max<std::int64_t>(
          longest, static_cast<std::int64_t>(prefixes[i].size() + continuations[i].size()));
    }
    const auto rows = static_cast<std::int64_t>(end - begin);
    auto ids = at::zeros({rows, longest}, at::kLong);
    auto mask = at::zeros({rows, longest}, at::kLong);
    // targets[r][t]: the token at t + 1 when it belongs to the continuation, else -1.
    auto targets = at::full({rows, longest}, -1, at::kLong);
    for (auto i = begin; i < end; ++i) {
      const auto r = static_cast<std::int64_t>(i - begin);
      std::int64_t t = 0;
      for (const auto id : prefixes[i]) ids[r][t++] = id;
      for (const auto id : continuations[i]) {
        targets[r][t - 1] = id;
        ids[r][t++] = id;
      }
      mask[r].narrow(0, 0, t).fill_(1);
    }
    const auto log_probs =
        at::log_softmax(model.forward(ids.to(device), mask.to(device)).to(at::kFloat), -1).cpu();
    const auto scored = targets.ge(0);
    const auto picked =
        log_probs.gather(2, targets.clamp_min(0).unsqueeze(2)).squeeze(2).to(at::kDouble) *
        scored.to(at::kDouble);
    const auto sums = picked.sum(1), counts = scored.sum(1);
    for (std::int64_t r = 0; r < rows; ++r) {
      scores[begin + static_cast<std::size_t>(r)] = {sums[r].item<double>(),
                                                     counts[r].item<std::int64_t>()};
    }
  }
  model.train(was_training);
  return scores;
}

}  // namespace neuroscale::llm
