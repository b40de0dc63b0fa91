// A decoder-only language model of the Llama family (Llama 2/3, Qwen2/2.5, SmolLM,
// TinyLlama) as Hugging Face transformers computes it, with the same parameter names, so a
// checkpoint's state dict loads as it is (io/llm/llm_weights.h):
//   model.embed_tokens.weight, model.layers.{i}.input_layernorm.weight,
//   model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}, model.layers.{i}.
//   post_attention_layernorm.weight, model.layers.{i}.mlp.{gate,up,down}_proj.weight,
//   model.norm.weight, lm_head.weight (absent when the embeddings are tied).
// Each block: x + attn(rms(x)), then h + mlp(rms(h)); RMSNorm in float32; rotary embeddings
// (rotate-half) at each token's position; grouped-query attention (KV heads shared by
// heads / kv_heads query heads); MLP down(silu(gate(x)) * up(x)). LoRA adapters
// (`lora_A`, `lora_B` beside a projection's weight) on the projections options name.
//
// Batches may mix lengths: an attention mask [B, S] marks real tokens (1) and padding (0,
// on the left for generation); a token's position is the number of real tokens before it,
// as transformers derives position ids from the mask.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/llm/causal_lm_options.h"
#include "core/model/lora.h"

namespace neuroscale::llm {

// Keys and values of every layer for the tokens seen so far, their mask and positions:
// what incremental decoding needs. Empty until the first forward that is given it.
struct KvCache {
  std::vector<at::Tensor> keys, values;  ///< per layer [B, kv_heads, S, head_dim]
  at::Tensor mask;                       ///< [B, S] int64: 1 real token, 0 padding
  at::Tensor next_position;              ///< [B] int64: the position of each row's next token

  std::int64_t length() const { return mask.defined() ? mask.size(1) : 0; }
  // Keeps rows `rows` [B'] (int64) of every tensor, in that order: beam search's reorder.
  void select_rows(const at::Tensor& rows);
};

// x * rsqrt(mean(x²) + eps) in float32, cast back, times `weight`.
class RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(std::int64_t width, double eps);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor weight;
  double eps;
};
TORCH_MODULE(RmsNorm);

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const CausalLmOptions& options, bool initialize);
  // x [B, T, hidden]; `cos`/`sin` [B, T, head_dim] in x's dtype; `bias` [B, 1, T, S]
  // additive (0 or the dtype's lowest value), or undefined for the causal mask alone (no
  // padding, nothing cached; LibTorch 2.5 or later); appends this call's keys and values to
  // `keys`/`values` (undefined at first).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                     const at::Tensor& bias, at::Tensor& keys, at::Tensor& values);
  model::LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  std::int64_t heads, kv_heads, head_dim;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const CausalLmOptions& options, bool initialize);
  at::Tensor forward(const at::Tensor& x);
  model::LoraLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const CausalLmOptions& options, bool initialize);
  RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// A weight matrix [rows, width] under the name `weight`: the token embeddings, and the
// output head when it is not tied to them.
class WeightMatrixImpl : public torch::nn::Module {
 public:
  WeightMatrixImpl(std::int64_t rows, std::int64_t width, bool initialize);
  at::Tensor weight;
};
TORCH_MODULE(WeightMatrix);

// The stack under `model.`: embeddings, layers, final norm.
class DecoderStackImpl : public torch::nn::Module {
 public:
  DecoderStackImpl(const CausalLmOptions& options, bool initialize);
  WeightMatrix embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RmsNorm norm{nullptr};
};
TORCH_MODULE(DecoderStack);

class CausalLmImpl : public torch::nn::Module {
 public:
  // Validates `options`. `initialize` draws the weights as transformers' _init_weights
  // (normal(0, 0.02) for projections and embeddings, zero biases, unit norms; adapters as
  // PEFT's); false leaves the base weights untouched, to be loaded from a checkpoint.
  explicit CausalLmImpl(const CausalLmOptions& options, bool initialize = true);

  // [B, T] int64 token ids -> [B, T, hidden] input embeddings.
  at::Tensor embed(const at::Tensor& ids);
  // Logits [B, T, vocab] (or [B, 1, vocab] for the last position only, `last_only`) in the
  // weights' dtype for input embeddings `x` [B, T, hidden]. `mask` [B, S] covers the cached
  // tokens and these (S = cache length + T), or is undefined: every token real. With
  // `cache`, attends to its keys and values and appends this call's. Throws UsageError when
  // the sequence would exceed max_positions or the shapes disagree.
  at::Tensor forward_embeddings(const at::Tensor& x, const at::Tensor& mask = {},
                                KvCache* cache = nullptr, bool last_only = false);
  // The same for token ids [B, T].
  at::Tensor forward(const at::Tensor& ids, const at::Tensor& mask = {}, KvCache* cache = nullptr,
                     bool last_only = false);
  // The final hidden states [B, T, hidden] (after the last norm) for input embeddings.
  at::Tensor hidden_states(const at::Tensor& x, const at::Tensor& mask = {},
                           KvCache* cache = nullptr);
  // hidden [.., hidden] -> logits [.., vocab].
  at::Tensor logits(const at::Tensor& hidden);
  // The output head [vocab, hidden]: lm_head's weight, or the embeddings' when tied.
  const at::Tensor& head_weight() const;

  const CausalLmOptions& options() const { return options_; }

  // Packs the frozen float32 CPU base weights for MKL's packed GEMM (core/model/packed_gemm.h):
  // every projection whose weight does not train, and the output head when it does not. The
  // products with them then skip re-packing the weight each call; the packs are private memory, one
  // copy of those weights for x·Wᵀ and, `with_gradient` (training), one more for g·W.
  // Returns the bytes MKL asked for (it fills about the weights' bytes of each pack). Throws
  // UsageError when this LibTorch has no packed GEMM (packed_gemm_available()).
  std::int64_t pack_frozen_weights(bool with_gradient);
  // The head's pack when one was asked for and the head is still packable (packed again if
  // it changed since), else null.
  const model::PackedWeight* packed_head();

  DecoderStack model{nullptr};
  WeightMatrix lm_head{nullptr};  ///< [vocab, hidden]; null when tied to the embeddings

 private:
  CausalLmOptions options_;
  std::shared_ptr<model::PackedWeight> packed_head_;
};
TORCH_MODULE(CausalLm);

}  // namespace neuroscale::llm
