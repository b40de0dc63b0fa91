#include "core/llm/causal_lm.h"

#include <torch/version.h>

#include <cmath>
#include <limits>

#include "core/check.h"
#include "core/model/affine.h"
#include "core/model/packed_gemm.h"
#include "core/model/rms_norm.h"
#include "core/model/rotary.h"
#include "core/model/swiglu.h"

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
#define NS_CAUSAL_GQA_ATTENTION 1
#else
#define NS_CAUSAL_GQA_ATTENTION 0
#endif

namespace neuroscale::llm {
namespace {

// transformers' initializer_range default.
constexpr double kInitStd = 0.02;

at::Tensor normal_weight(std::int64_t rows, std::int64_t width, bool initialize) {
  auto weight = at::empty({rows, width});
  if (initialize) {
    torch::NoGradGuard no_grad;
    weight.normal_(0.0, kInitStd);
  }
  return weight;
}

// A projection as transformers initialises it: normal(0, 0.02), zero bias.
model::LoraLinear projection(std::int64_t in, std::int64_t out, bool bias, const std::string& name,
                             const CausalLmOptions& options, bool initialize) {
  const bool adapted = options.lora().rank() > 0 && options.lora_targets().count(name) > 0;
  model::LoraLinear layer(in, out, adapted ? options.lora() : model::LoraOptions{}, bias, false);
  torch::NoGradGuard no_grad;
  if (initialize) {
    layer->weight.normal_(0.0, kInitStd);
    if (bias) layer->bias.zero_();
  }
  return layer;
}

// Whether this LibTorch's attention takes grouped-query heads with a causal mask
// (scaled_dot_product_attention's enable_gqa, from 2.5).
constexpr bool kCausalAttention = NS_CAUSAL_GQA_ATTENTION;

// The additive attention bias [B, 1, T, S] for queries at the last T of S positions: a key
// is visible when it is real (mask 1) and not after the query.
at::Tensor attention_bias(const at::Tensor& mask, std::int64_t queries, at::ScalarType dtype) {
  const auto keys = mask.size(1);
  const auto device = mask.device();
  const auto query_index =
      at::arange(keys - queries, keys, at::TensorOptions().dtype(at::kLong).device(device));
  const auto key_index = at::arange(keys, at::TensorOptions().dtype(at::kLong).device(device));
  const auto causal = key_index.unsqueeze(0).le(query_index.unsqueeze(1));  // [T, S]
  const auto visible =
      causal.unsqueeze(0).logical_and(mask.to(at::kBool).unsqueeze(1));  // [B, T, S]
  double lowest = std::numeric_limits<float>::lowest();
  if (dtype == at::kBFloat16)
    lowest = static_cast<float>(std::numeric_limits<c10::BFloat16>::lowest());
  if (dtype == at::kHalf) lowest = static_cast<float>(std::numeric_limits<c10::Half>::lowest());
  if (dtype == at::kDouble) lowest = std::numeric_limits<double>::lowest();
  return at::zeros(visible.sizes(), mask.options().dtype(dtype))
      .masked_fill_(visible.logical_not(), lowest)
      .unsqueeze(1);
}

}  // namespace

void KvCache::select_rows(const at::Tensor& rows) {
  for (auto& k : keys) k = k.index_select(0, rows);
  for (auto& v : values) v = v.index_select(0, rows);
  if (mask.defined()) mask = mask.index_select(0, rows);
  if (next_position.defined()) next_position = next_position.index_select(0, rows);
}

RmsNormImpl::RmsNormImpl(std::int64_t width, double eps_) : eps(eps_) {
  weight = register_parameter("weight", at::ones({width}));
}

at::Tensor RmsNormImpl::forward(const at::Tensor& x) { return model::rms_norm(x, weight, eps); }

AttentionImpl::AttentionImpl(const CausalLmOptions& options, bool initialize)
    : heads(options.heads()),
      kv_heads(options.kv_heads()),
      head_dim(options.head_dim_or_default()) {
  const auto hidden = options.hidden();
  const bool bias = options.qkv_bias();
  q_proj = register_module(
      "q_proj", projection(hidden, heads * head_dim, bias, "q_proj", options, initialize));
  k_proj = register_module(
      "k_proj", projection(hidden, kv_heads * head_dim, bias, "k_proj", options, initialize));
  v_proj = register_module(
      "v_proj", projection(hidden, kv_heads * head_dim, bias, "v_proj", options, initialize));
  o_proj = register_module(
      "o_proj", projection(heads * head_dim, hidden, false, "o_proj", options, initialize));
}

at::Tensor AttentionImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                  const at::Tensor& bias, at::Tensor& keys, at::Tensor& values) {
  const auto batch = x.size(0), tokens = x.size(1);
  // Projections write [B, T, heads · D]: rotated per token as they are, then [B, heads, T, D].
  auto heads_of = [&](const at::Tensor& y, std::int64_t n) {
    return y.view({batch, tokens, n, head_dim});
  };
  const auto query = model::rotate_heads(heads_of(q_proj(x), heads), cos, sin).transpose(1, 2);
  const auto key = model::rotate_heads(heads_of(k_proj(x), kv_heads), cos, sin).transpose(1, 2);
  const auto value = heads_of(v_proj(x), kv_heads).transpose(1, 2);
  keys = keys.defined() ? at::cat({keys, key}, 2) : key;
  values = values.defined() ? at::cat({values, value}, 2) : value;
#if NS_CAUSAL_GQA_ATTENTION
  // No bias: every key real and none cached, so the causal mask alone applies; LibTorch's
  // grouped-query attention skips the masked blocks instead of adding a bias to them.
  if (!bias.defined()) {
    const auto context = at::scaled_dot_product_attention(query, keys, values, {}, 0.0,
                                                          /*is_causal=*/true, {},
                                                          /*enable_gqa=*/true);
    return o_proj(context.transpose(1, 2).reshape({batch, tokens, heads * head_dim}));
  }
#endif
  // Grouped-query attention without copying the cache per query head: query head h reads
  // KV head h / groups, so the `groups` heads of one KV head are stacked as one head with
  // groups * T query rows ([B, H, T, D] -> [B, H_kv, groups * T, D], rows g-major), each row
  // with its position's bias.
  const auto groups = heads / kv_heads;
  const auto grouped_query = query.reshape({batch, kv_heads, groups * tokens, head_dim});
  const auto grouped_bias = groups == 1 ? bias : bias.repeat({1, 1, groups, 1});
#if TORCH_VERSION_MAJOR >= 2
  const auto grouped = at::scaled_dot_product_attention(grouped_query, keys, values, grouped_bias);
#else
  const auto scores =
      at::matmul(grouped_query, keys.transpose(-2, -1)) / std::sqrt(static_cast<double>(head_dim)) +
      grouped_bias;
  const auto grouped =
      at::matmul(at::softmax(scores, -1, at::kFloat).to(query.scalar_type()), values);
#endif
  const auto context = grouped.reshape({batch, heads, tokens, head_dim});
  return o_proj(context.transpose(1, 2).reshape({batch, tokens, heads * head_dim}));
}

MlpImpl::MlpImpl(const CausalLmOptions& options, bool initialize) {
  const auto hidden = options.hidden(), inner = options.intermediate();
  gate_proj = register_module("gate_proj",
                              projection(hidden, inner, false, "gate_proj", options, initialize));
  up_proj =
      register_module("up_proj", projection(hidden, inner, false, "up_proj", options, initialize));
  down_proj = register_module("down_proj",
                              projection(inner, hidden, false, "down_proj", options, initialize));
}

at::Tensor MlpImpl::forward(const at::Tensor& x) {
  return down_proj(model::silu_mul(gate_proj(x), up_proj(x)));
}

DecoderLayerImpl::DecoderLayerImpl(const CausalLmOptions& options, bool initialize) {
  input_layernorm =
      register_module("input_layernorm", RmsNorm(options.hidden(), options.rms_eps()));
  self_attn = register_module("self_attn", Attention(options, initialize));
  post_attention_layernorm =
      register_module("post_attention_layernorm", RmsNorm(options.hidden(), options.rms_eps()));
  mlp = register_module("mlp", Mlp(options, initialize));
}

WeightMatrixImpl::WeightMatrixImpl(std::int64_t rows, std::int64_t width, bool initialize) {
  weight = register_parameter("weight", normal_weight(rows, width, initialize));
}

DecoderStackImpl::DecoderStackImpl(const CausalLmOptions& options, bool initialize) {
  embed_tokens =
      register_module("embed_tokens", WeightMatrix(options.vocab(), options.hidden(), initialize));
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < options.layers(); ++i)
    layers->push_back(DecoderLayer(options, initialize));
  norm = register_module("norm", RmsNorm(options.hidden(), options.rms_eps()));
}

CausalLmImpl::CausalLmImpl(const CausalLmOptions& options, bool initialize) : options_(options) {
  options_.validate();
  model = register_module("model", DecoderStack(options_, initialize));
  if (!options_.tie_embeddings()) {
    lm_head =
        register_module("lm_head", WeightMatrix(options_.vocab(), options_.hidden(), initialize));
  }
}

at::Tensor CausalLmImpl::embed(const at::Tensor& ids) {
  NS_CHECK_AS(UsageError, ids.dim() == 2 && ids.scalar_type() == at::kLong,
              "token ids must be [batch, tokens] int64, got ", ids.sizes(), " ", ids.scalar_type());
  return at::embedding(model->embed_tokens->weight, ids);
}

at::Tensor CausalLmImpl::hidden_states(const at::Tensor& x, const at::Tensor& mask_in,
                                       KvCache* cache) {
  NS_CHECK_AS(UsageError, x.dim() == 3 && x.size(2) == options_.hidden(),
              "input embeddings must be [batch, tokens, ", options_.hidden(), "], got ", x.sizes());
  const auto batch = x.size(0), tokens = x.size(1);
  const auto past = cache != nullptr ? cache->length() : 0;
  const auto long_options = at::TensorOptions().dtype(at::kLong).device(x.device());
  at::Tensor mask = mask_in.defined() ? mask_in.to(at::kLong) : at::Tensor();
  if (!mask.defined()) {
    const auto fresh = at::ones({batch, tokens}, long_options);
    mask = past > 0 ? at::cat({cache->mask, fresh}, 1) : fresh;
  }
  NS_CHECK_AS(UsageError, mask.dim() == 2 && mask.size(0) == batch && mask.size(1) == past + tokens,
              "attention mask must be [", batch, ", ", past + tokens,
              "] (cached and new tokens), got ", mask.sizes());
  NS_CHECK_AS(UsageError, past + tokens <= options_.max_positions(), "sequence of ", past + tokens,
              " tokens is longer than the model's context (max_position_embeddings ",
              options_.max_positions(), ")");
  // Positions: real tokens before each one (padding gets 0, as transformers).
  at::Tensor positions;
  const auto new_mask = mask.narrow(1, past, tokens);
  if (past > 0 && cache->next_position.defined()) {
    positions = cache->next_position.unsqueeze(1) + new_mask.cumsum(1) - 1;
  } else {
    positions = mask.cumsum(1) - 1;
    positions = positions.narrow(1, past, tokens);
  }
  positions = positions.masked_fill(new_mask.eq(0), 0);
  const auto head_dim = options_.head_dim_or_default();
  const auto tables =
      model::rotary_tables(positions.reshape({-1}), head_dim, options_.rope_theta());
  const auto dtype = x.scalar_type();
  const auto cos = tables.cos.view({batch, tokens, head_dim}).to(dtype);
  const auto sin = tables.sin.view({batch, tokens, head_dim}).to(dtype);
  // Without padding and cache the causal mask is all there is to attention's bias: LibTorch's
  // causal attention then applies it (AttentionImpl::forward gets an undefined bias).
  const bool causal_only = past == 0 && kCausalAttention && mask.all().item<bool>();
  const auto bias = causal_only ? at::Tensor() : attention_bias(mask, tokens, dtype);

  if (cache != nullptr && cache->keys.empty()) {
    cache->keys.resize(static_cast<std::size_t>(options_.layers()));
    cache->values.resize(static_cast<std::size_t>(options_.layers()));
  }
  at::Tensor h = x;
  for (std::size_t i = 0; i < model->layers->size(); ++i) {
    auto& layer = *model->layers[i]->as<DecoderLayerImpl>();
    at::Tensor scratch_k, scratch_v;
    at::Tensor& keys = cache != nullptr ? cache->keys[i] : scratch_k;
    at::Tensor& values = cache != nullptr ? cache->values[i] : scratch_v;
    h = h + layer.self_attn(layer.input_layernorm(h), cos, sin, bias, keys, values);
    h = h + layer.mlp(layer.post_attention_layernorm(h));
  }
  if (cache != nullptr) {
    cache->next_position = past > 0 && cache->next_position.defined()
                               ? cache->next_position + new_mask.sum(1)
                               : mask.sum(1);
    cache->mask = mask;
  }
  return model->norm(h);
}

const at::Tensor& CausalLmImpl::head_weight() const {
  return lm_head ? lm_head->weight : model->embed_tokens->weight;
}

at::Tensor CausalLmImpl::logits(const at::Tensor& hidden) {
  const auto& head = head_weight();
  auto sizes = hidden.sizes().vec();
  sizes.back() = head.size(0);
  const auto rows = hidden.reshape({-1, hidden.size(-1)});
  const auto* pack = packed_head();
  return (pack != nullptr && pack->serves(rows, {}) ? pack->linear(rows, {})
                                                    : model::affine(rows, head, {}))
      .view(sizes);
}

std::int64_t CausalLmImpl::pack_frozen_weights(bool with_gradient) {
  NS_CHECK_AS(UsageError, model::packed_gemm_available(),
              "packing frozen weights needs MKL's packed GEMM (cblas_sgemm_pack), which this "
              "LibTorch does not export (PyTorch's wheels do; Debian's libtorch-dev does not)");
  std::int64_t bytes = 0;
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<model::LoraLinearImpl>())
      bytes += linear->pack_weight(with_gradient);
  }
  packed_head_.reset();
  if (model::packable(head_weight())) {
    packed_head_ = std::make_shared<model::PackedWeight>(head_weight(), with_gradient);
    bytes += packed_head_->bytes();
  }
  return bytes;
}

const model::PackedWeight* CausalLmImpl::packed_head() {
  return model::refresh_pack(packed_head_, head_weight());
}

at::Tensor CausalLmImpl::forward_embeddings(const at::Tensor& x, const at::Tensor& mask,
                                            KvCache* cache, bool last_only) {
  auto hidden = hidden_states(x, mask, cache);
  if (last_only) hidden = hidden.narrow(1, hidden.size(1) - 1, 1);
  return logits(hidden);
}

at::Tensor CausalLmImpl::forward(const at::Tensor& ids, const at::Tensor& mask, KvCache* cache,
                                 bool last_only) {
  return forward_embeddings(embed(ids), mask, cache, last_only);
}

}  // namespace neuroscale::llm
