#include "core/llm/neural_lm.h"

#include <ATen/Functions.h>
#include <torch/nn/modules/activation.h>

#include <cmath>

#include "core/check.h"
#include "core/llm/head_loss.h"

namespace neuroscale::llm {
namespace {

at::Tensor ids_tensor(const std::vector<std::int64_t>& ids, at::Device device) {
  return at::tensor(ids, at::TensorOptions().dtype(at::kLong)).to(device);
}

}  // namespace

NeuralLmImpl::NeuralLmImpl(const NeuralLmOptions& options, CausalLm lm) : options_(options) {
  NS_CHECK_AS(ConfigError, options.projector_hidden() >= 0,
              "the projector's inner width must be >= 0, got ", options.projector_hidden());
  NS_CHECK_AS(ConfigError, options.aligner_width() > 0, "the aligner's width must be > 0, got ",
              options.aligner_width());
  NS_CHECK_AS(ConfigError, options.temperature() > 0 && options.max_logit_scale() > 0,
              "the aligner's temperature and logit-scale cap must be > 0, got ",
              options.temperature(), " and ", options.max_logit_scale());
  encoder = register_module("encoder", model::BitEncoder(options.encoder()));
  const auto width = options.encoder().transformer().hidden();
  const auto hidden = lm->options().hidden();
  projector = torch::nn::Sequential();
  if (options.projector_hidden() == 0) {
    projector->push_back(torch::nn::Linear(width, hidden));
  } else {
    projector->push_back(torch::nn::Linear(width, options.projector_hidden()));
    projector->push_back(torch::nn::ReLU());
    projector->push_back(torch::nn::Linear(options.projector_hidden(), hidden));
  }
  register_module("projector", projector);
  llm = register_module("llm", std::move(lm));
  neural_align =
      register_module("neural_align", torch::nn::Linear(hidden, options.aligner_width()));
  text_align = register_module("text_align", torch::nn::Linear(hidden, options.aligner_width()));
  logit_scale =
      register_parameter("logit_scale", at::full({}, std::log(1.0 / options.temperature())));
  if (options.ctc_classes() > 0) {
    ctc_head = register_module("ctc_head", torch::nn::Linear(width, options.ctc_classes()));
  }
}

at::Tensor NeuralLmImpl::encode(const at::Tensor& tokens, const at::Tensor& padding,
                                const at::Tensor& positions, std::int64_t subject,
                                const at::Tensor& mask) {
  return encoder->forward(tokens, padding, positions, subject, mask);
}

at::Tensor NeuralLmImpl::project(const at::Tensor& encoded) {
  return projector->forward(encoded.to(at::kFloat));
}

NeuralLmSequences NeuralLmImpl::sequences(const at::Tensor& projected, const at::Tensor& valid,
                                          const std::vector<std::int64_t>& prompt_a,
                                          const std::vector<std::int64_t>& prompt_b,
                                          const std::vector<std::vector<std::int64_t>>& targets) {
  const auto batch = projected.size(0);
  NS_CHECK_AS(UsageError,
              valid.numel() == batch && static_cast<std::int64_t>(targets.size()) == batch,
              "neural LM sequences: ", batch, " trials, ", valid.numel(), " token counts, ",
              targets.size(), " targets");
  const auto device = projected.device();
  const auto& table = llm->model->embed_tokens->weight;
  const auto dtype = table.scalar_type();
  const auto embed = [&](const std::vector<std::int64_t>& ids) {
    return ids.empty() ? at::zeros({0, table.size(1)}, table.options())
                       : llm->embed(ids_tensor(ids, device).unsqueeze(0)).squeeze(0);
  };
  const auto part_a = embed(prompt_a), part_b = embed(prompt_b);
  const auto counts = valid.to(at::kCPU, at::kLong);
  std::vector<at::Tensor> rows;
  std::vector<std::int64_t> lengths;
  NeuralLmSequences out;
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto n = counts[b].item<std::int64_t>();
    const auto& target = targets[static_cast<std::size_t>(b)];
    const auto start = static_cast<std::int64_t>(prompt_a.size() + prompt_b.size()) + n;
    NS_CHECK_AS(UsageError, target.empty() || start > 0, "neural LM sequences: trial ", b,
                " has no prompt and no neural tokens before its "
                "first target token");
    rows.push_back(
        at::cat({part_a, projected[b].narrow(0, 0, n).to(dtype), part_b, embed(target)}));
    lengths.push_back(start + static_cast<std::int64_t>(target.size()));
    out.starts.push_back(start);
    NS_CHECK_AS(UsageError, lengths.back() <= llm->options().max_positions(), "trial ", b,
                ": the prompt, ", n, " neural tokens and ", target.size(), " target tokens make ",
                lengths.back(), " positions, more than the LM's context (",
                llm->options().max_positions(), ")");
  }
  const auto longest = *std::max_element(lengths.begin(), lengths.end());
  std::vector<at::Tensor> padded;
  std::vector<std::int64_t> predictors, target_ids;
  out.mask = at::zeros({batch, longest}, at::kLong);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto length = lengths[static_cast<std::size_t>(b)];
    auto& row = rows[static_cast<std::size_t>(b)];
    padded.push_back(length == longest ? row
                                       : at::cat({row, at::zeros({longest - length, row.size(1)},
                                                                 row.options())}));
    out.mask[b].narrow(0, 0, length).fill_(1);
    const auto& target = targets[static_cast<std::size_t>(b)];
    for (std::size_t j = 0; j < target.size(); ++j) {
      predictors.push_back(b * longest + out.starts[static_cast<std::size_t>(b)] - 1 +
                           static_cast<std::int64_t>(j));
      target_ids.push_back(target[j]);
      out.target_rows.push_back(b);
    }
  }
  out.embeddings = at::stack(padded);
  out.mask = out.mask.to(device);
  out.predictors = ids_tensor(predictors, device);
  out.targets = ids_tensor(target_ids, device);
  return out;
}

std::pair<at::Tensor, at::Tensor> NeuralLmImpl::generation_inputs(
    const at::Tensor& projected, const at::Tensor& valid, const std::vector<std::int64_t>& prompt_a,
    const std::vector<std::int64_t>& prompt_b) {
  const auto batch = projected.size(0);
  const auto s = sequences(projected, valid, prompt_a, prompt_b,
                           std::vector<std::vector<std::int64_t>>(static_cast<std::size_t>(batch)));
  const auto longest = s.embeddings.size(1);
  auto embeddings = at::zeros_like(s.embeddings);
  auto mask = at::zeros_like(s.mask);
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto length = s.starts[static_cast<std::size_t>(b)];
    embeddings[b].narrow(0, longest - length, length).copy_(s.embeddings[b].narrow(0, 0, length));
    mask[b].narrow(0, longest - length, length).fill_(1);
  }
  return {embeddings, mask};
}

at::Tensor NeuralLmImpl::cross_entropy_sum(const NeuralLmSequences& s) {
  const auto hidden = llm->hidden_states(s.embeddings, s.mask);
  const auto picked = hidden.reshape({-1, hidden.size(-1)}).index_select(0, s.predictors);
  return head_cross_entropy_sum(picked, llm->head_weight(), s.targets, kHeadLossChunkBytes,
                                llm->packed_head());
}

std::vector<double> NeuralLmImpl::target_log_likelihoods(const NeuralLmSequences& s) {
  std::vector<double> sums(static_cast<std::size_t>(s.embeddings.size(0)), 0.0);
  if (s.targets.numel() == 0) return sums;
  const auto hidden = llm->hidden_states(s.embeddings, s.mask);
  const auto picked = hidden.reshape({-1, hidden.size(-1)}).index_select(0, s.predictors);
  const auto log_probs = at::log_softmax(llm->logits(picked).to(at::kFloat), -1)
                             .gather(1, s.targets.unsqueeze(1))
                             .squeeze(1)
                             .to(at::kCPU, at::kDouble)
                             .contiguous();
  const double* values = log_probs.data_ptr<double>();
  for (std::size_t i = 0; i < s.target_rows.size(); ++i)
    sums[static_cast<std::size_t>(s.target_rows[i])] += values[i];
  return sums;
}

at::Tensor NeuralLmImpl::logit_scale_value() const {
  return logit_scale.exp().clamp_max(options_.max_logit_scale());
}

at::Tensor NeuralLmImpl::contrastive_loss(const at::Tensor& projected, const at::Tensor& valid,
                                          const std::vector<std::vector<std::int64_t>>& sentences) {
  const auto batch = projected.size(0);
  const auto counts = valid.to(at::kCPU, at::kLong);
  const auto& table = llm->model->embed_tokens->weight;
  std::vector<at::Tensor> neural, text;
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto n = counts[b].item<std::int64_t>();
    neural.push_back(n > 0 ? projected[b].narrow(0, 0, n).mean(0)
                           : at::zeros({projected.size(2)}, projected.options()));
    const auto& ids = sentences[static_cast<std::size_t>(b)];
    text.push_back(ids.empty() ? at::zeros({table.size(1)}, projected.options())
                               : llm->embed(ids_tensor(ids, projected.device()).unsqueeze(0))
                                     .squeeze(0)
                                     .to(at::kFloat)
                                     .mean(0));
  }
  const auto unit = [](const at::Tensor& x) {
    return x / x.norm(2, -1, true).clamp_min(1e-12);  // F.normalize
  };
  const auto n = unit(neural_align->forward(at::stack(neural)));
  const auto t = unit(text_align->forward(at::stack(text)));
  const auto scores = logit_scale_value() * n.matmul(t.t());
  const auto labels = at::arange(batch, at::TensorOptions().dtype(at::kLong).device(n.device()));
  return (at::cross_entropy_loss(scores, labels) + at::cross_entropy_loss(scores.t(), labels)) /
         2.0;
}

}  // namespace neuroscale::llm
