#include "core/model/attention.h"

#include <torch/version.h>

#include <cmath>
#include <limits>
#include <optional>

#include "core/check.h"
#include "core/model/dropout.h"
#include "core/model/linear.h"
#include "core/model/qkv_heads.h"

namespace neuroscale::model {

KeyMask make_key_mask(const at::Tensor& padding) {
  KeyMask mask;
  mask.any_padding = padding.any().item<bool>();
  mask.keep = padding.logical_not().unsqueeze(1).unsqueeze(1);
  mask.additive =
      at::zeros(mask.keep.sizes(), padding.options().dtype(at::kFloat))
          .masked_fill_(mask.keep.logical_not(), -std::numeric_limits<float>::infinity());
  return mask;
}

SelfAttentionImpl::SelfAttentionImpl(const AttentionOptions& options_) : options(options_) {
  NS_CHECK_AS(UsageError, options.hidden() % options.heads() == 0,
              "attention width must be divisible by the number of heads (", options.hidden(),
              " vs ", options.heads(), ")");
  NS_CHECK_AS(UsageError, (options.hidden() / options.heads()) % 2 == 0,
              "rotary embeddings need an even head dimension, got ",
              options.hidden() / options.heads());
  const auto d = options.hidden();
  qkv = register_module("qkv", torch::nn::Linear(d, 3 * d));
  out_proj = register_module("out_proj", torch::nn::Linear(d, d));
  // The fused [3d, d] Linear draws from the same U(-1/sqrt(d), 1/sqrt(d)) as three
  // separate [d, d] ones; only the layout differs from the reference's query/key/value.
}

at::Tensor SelfAttentionImpl::forward(const at::Tensor& x, const RotaryTables& rope,
                                      const RotaryTables& query_rope, const KeyMask& mask) {
  const auto batch = x.size(0), tokens = x.size(1);
  const double dropout = is_training() ? options.dropout() : 0.0;
#if TORCH_VERSION_MAJOR >= 2
  // One fused kernel (flash / memory-efficient on GPU, flash on CPU) where LibTorch has it.
  // Not for attention dropout on CPU: there LibTorch's SDPA falls back to its unfused math
  // path and draws the dropout mask with bernoulli_ (about 8% of a default BIT step), so the
  // unfused path below with the engine's own dropout is faster.
  const bool fused = dropout == 0.0 || x.is_cuda();
#else
  const bool fused = false;
#endif
  // The fused kernel applies the 1/sqrt(hd) scale itself; the unfused path folds it into
  // the query's rotation.
  const auto [query, key, value] =
      split_qkv_heads(linear(x, qkv), options.heads(), fused ? rope : query_rope, rope);
  at::Tensor context;
  if (fused) {
#if TORCH_VERSION_MAJOR >= 2
    // No padding: no mask at all (an empty optional, never an undefined tensor), so the
    // kernel may take its unmasked fast path.
    const auto keep = mask.any_padding ? std::optional<at::Tensor>(mask.keep) : std::nullopt;
    context = at::scaled_dot_product_attention(query, key, value, keep, dropout, false);
#endif
  } else {
    auto scores = at::matmul(query, key.transpose(-2, -1));
    if (mask.any_padding) scores.add_(mask.additive);
    auto probabilities = at::softmax(scores, -1);
    probabilities = model::dropout(probabilities, dropout, true);
    context = at::matmul(probabilities, value);
  }
  return linear(context.transpose(1, 2).reshape({batch, tokens, options.hidden()}), out_proj);
}

}  // namespace neuroscale::model
