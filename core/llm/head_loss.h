// The summed next-token cross-entropy through a language model's output head, without the
// [rows, vocab] logits of the whole batch.
//
// The unfused loss keeps the logits, their log-softmax and, backward, a gradient of each:
// three or four [rows, vocab] float32 tensors (for Qwen2's 151,936-token vocabulary and a
// batch of 8 x 512 tokens, 2.5 GB each). Here the rows are taken a chunk at a time: the
// chunk's logits, log-softmax, loss and softmax-minus-one-hot gradient share one buffer, and
// the gradients of the hidden rows (and of the head, when it trains) are computed during the
// forward pass, as fused linear cross-entropy kernels do; backward only scales them by the
// loss's incoming gradient. The FLOPs are those of the unfused loss. On the CPU each row's
// softmax, loss and gradient are one kernel over the row while it is in cache.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace neuroscale::model {
class PackedWeight;
}

namespace neuroscale::llm {

// The logits one chunk may hold, in bytes: 256 MiB (32,000-token vocabularies take up to
// 2,097 rows at a time, Qwen2's 441).
constexpr std::int64_t kHeadLossChunkBytes = std::int64_t{256} << 20;

// sum over i of -log softmax(hidden[i] · headᵀ)[targets[i]], as float32; hidden [N, H] and
// head [V, H] in the model's dtype (the logits are computed in it and the softmax in
// float32, as the unfused loss), targets [N] int64 in [0, V). Differentiable in `hidden`
// and `head` (each gradient only when that input requires one). `chunk_bytes` bounds the
// float32 logits held at once (at least one row). Throws UsageError on mismatched shapes or
// a target outside the vocabulary (naming the row). `packed_head`, when given and current
// for `head` (core/model/packed_gemm.h), computes the products with the head from its packs
// (float32 on the CPU, the head frozen); otherwise it is ignored.
at::Tensor head_cross_entropy_sum(const at::Tensor& hidden, const at::Tensor& head,
                                  const at::Tensor& targets,
                                  std::int64_t chunk_bytes = kHeadLossChunkBytes,
                                  const model::PackedWeight* packed_head = nullptr);

}  // namespace neuroscale::llm
