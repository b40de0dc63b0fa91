#include "core/model/transformer.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/init.h>

#include <cmath>

#include "core/check.h"
#include "core/model/dropout.h"
#include "core/model/linear.h"

namespace neuroscale::model {

MlpImpl::MlpImpl(std::int64_t hidden, std::int64_t inner) {
  up_proj = register_module("up_proj", torch::nn::Linear(hidden, inner));
  down_proj = register_module("down_proj", torch::nn::Linear(inner, hidden));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
  return linear(at::gelu(linear(x, up_proj)), down_proj);
}

TransformerBlockImpl::TransformerBlockImpl(const TransformerOptions& options_) : options(options_) {
  norm1 = register_module("norm1", make_layer_norm(options.hidden()));
  attn = register_module(
      "attn", SelfAttention(
                  AttentionOptions(options.hidden(), options.heads()).dropout(options.dropout())));
  norm2 = register_module("norm2", make_layer_norm(options.hidden()));
  mlp = register_module("mlp", Mlp(options.hidden(), options.mlp()));
}

at::Tensor TransformerBlockImpl::forward(const at::Tensor& x, const RotaryTables& rope,
                                         const RotaryTables& query_rope, const KeyMask& mask) {
  const bool training = is_training();
  auto h = x + model::dropout(attn(layer_norm(x, norm1), rope, query_rope, mask), options.dropout(),
                              training);
  return h + model::dropout(mlp(layer_norm(h, norm2)), options.dropout(), training);
}

TransformerImpl::TransformerImpl(const TransformerOptions& options_) : options(options_) {
  NS_CHECK_AS(UsageError, options.layers() >= 1, "the transformer needs at least one layer");
  NS_CHECK_AS(UsageError, options.hidden() >= 2 && options.mlp() >= 1,
              "transformer widths must be positive (hidden ", options.hidden(), ", mlp ",
              options.mlp(), ")");
  NS_CHECK_AS(UsageError, options.dropout() >= 0.0 && options.dropout() < 1.0,
              "dropout must be in [0, 1), got ", options.dropout());
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < options.layers(); ++i) layers->push_back(TransformerBlock(options));
  final_norm = register_module("final_norm", make_layer_norm(options.hidden()));

  if (!options.fixup_init()) return;
  const double scale = 0.67 * std::pow(static_cast<double>(options.layers()), -0.25);
  torch::NoGradGuard no_grad;
  const auto d = options.hidden();
  for (const auto& module : *layers) {
    auto& block = *module->as<TransformerBlock>();
    block.attn->out_proj->weight.mul_(scale);
    block.mlp->up_proj->weight.mul_(scale);
    block.mlp->down_proj->weight.mul_(scale);
    block.attn->qkv->weight.narrow(0, 2 * d, d).mul_(scale * std::sqrt(2.0));
  }
}

at::Tensor TransformerImpl::forward(const at::Tensor& x, const at::Tensor& padding,
                                    const at::Tensor& positions) {
  const auto head_dim = options.hidden() / options.heads();
  const auto rope = rotary_tables(positions, head_dim, options.rope_theta());
  const auto query_rope = rotary_tables(positions, head_dim, options.rope_theta(),
                                        1.0 / std::sqrt(static_cast<double>(head_dim)));
  const auto mask = make_key_mask(padding);
  auto h = x;
  for (const auto& module : *layers) {
    h = module->as<TransformerBlock>()->forward(h, rope, query_rope, mask);
  }
  return layer_norm(h, final_norm);
}

}  // namespace neuroscale::model
