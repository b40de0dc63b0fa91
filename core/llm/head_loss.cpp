#include "core/llm/head_loss.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/check.h"
#include "core/model/packed_gemm.h"
#include "core/model/vector_math.h"

namespace neuroscale::llm {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Throws UsageError naming the first row whose target is outside [0, vocab).
void check_targets(const at::Tensor& targets, std::int64_t vocab) {
  if (targets.numel() == 0) return;
  const auto outside = targets.lt(0).logical_or(targets.ge(vocab));
  if (!outside.any().item<bool>()) return;
  const auto row = outside.nonzero().select(1, 0)[0].item<std::int64_t>();
  NS_THROW(UsageError, "target token ", targets[row].item<std::int64_t>(), " of row ", row,
           " is outside the vocabulary [0, ", vocab, ")");
}

// Lanes of independent partial maxima and sums, so that the row loops vectorize.
constexpr int kLanes = 16;

// One row of float32 logits [vocab]: returns -log softmax(row)[target] (in double) and,
// `gradient`, overwrites the row with softmax(row) - one_hot(target). Three passes over a
// row that stays in cache (the max, the exponentials and their sum, the scaling) instead of
// LibTorch's log_softmax, gather, exp_ and scatter_add_ over the whole chunk. A NaN logit
// makes the loss NaN.
NS_VECTOR_CLONES double row_cross_entropy(float* row, std::int64_t vocab, std::int64_t target,
                                          bool gradient) {
  float lane_max[kLanes];
  for (auto& m : lane_max) m = -std::numeric_limits<float>::infinity();
  std::int64_t i = 0;
  for (; i + kLanes <= vocab; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lane_max[l] = std::max(lane_max[l], row[i + l]);
  float max = -std::numeric_limits<float>::infinity();
  for (; i < vocab; ++i) max = std::max(max, row[i]);
  for (const float m : lane_max) max = std::max(max, m);
  const float chosen = row[target];
  float lane_sum[kLanes] = {};
  for (i = 0; i + kLanes <= vocab; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const float e = model::vector_exp(row[i + l] - max);
      lane_sum[l] += e;
      row[i + l] = e;
    }
  }
  float sum = 0.0f;
  for (; i < vocab; ++i) {
    row[i] = model::vector_exp(row[i] - max);
    sum += row[i];
  }
  for (const float s : lane_sum) sum += s;
  if (gradient) {
    const float inverse = 1.0f / sum;
    for (i = 0; i < vocab; ++i) row[i] *= inverse;
    row[target] -= 1.0f;
  }
  return std::log(static_cast<double>(sum)) + static_cast<double>(max) -
         static_cast<double>(chosen);
}

// The summed loss of a chunk's float32 logits [count, vocab] (contiguous, on the CPU), the
// rows in parallel and summed in row order; `gradient` as row_cross_entropy.
double chunk_cross_entropy(at::Tensor& logits, const at::Tensor& targets, bool gradient) {
  const auto count = logits.size(0), vocab = logits.size(1);
  std::vector<double> losses(static_cast<std::size_t>(count));
  const auto target = targets.contiguous();
  const auto* t = target.data_ptr<std::int64_t>();
  float* data = logits.data_ptr<float>();
  at::parallel_for(0, count, 1, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t r = first; r < last; ++r)
      losses[static_cast<std::size_t>(r)] =
          row_cross_entropy(data + r * vocab, vocab, t[r], gradient);
  });
  double sum = 0.0;
  for (const double loss : losses) sum += loss;
  return sum;
}

// Forward computes the loss and, for the inputs that need them, the gradients of the loss
// itself (incoming gradient 1); backward scales those by the incoming gradient.
struct HeadCrossEntropy : public torch::autograd::Function<HeadCrossEntropy> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& hidden,
                            const at::Tensor& head, const at::Tensor& targets,
                            std::int64_t chunk_rows, bool grad_hidden, bool grad_head,
                            const model::PackedWeight* packed) {
    const auto rows = hidden.size(0);
    const auto h = hidden.contiguous();
    at::Tensor hidden_gradient, head_gradient;
    if (grad_hidden) hidden_gradient = at::empty_like(h);
    // Accumulated in float32 across chunks, converted to the head's dtype at the end.
    if (grad_head) head_gradient = at::zeros(head.sizes(), head.options().dtype(at::kFloat));
    auto loss = at::zeros({}, h.options().dtype(at::kDouble));
    for (std::int64_t first = 0; first < rows; first += chunk_rows) {
      const auto count = std::min(chunk_rows, rows - first);
      const auto x = h.narrow(0, first, count);
      const auto chosen = targets.narrow(0, first, count).unsqueeze(1);
      at::Tensor logits;
      if (packed != nullptr) {
        logits = at::empty({count, head.size(0)}, x.options());
        packed->times_transposed_out(logits, x);
      } else {
        logits = at::mm(x, head.t());
      }
      const bool any_gradient = grad_hidden || grad_head;
      auto scores = logits.to(at::kFloat).contiguous();
      if (scores.is_cpu()) {
        // d loss / d logits = softmax - one_hot(target), in the logits' buffer.
        loss.add_(chunk_cross_entropy(scores, targets.narrow(0, first, count), any_gradient));
      } else {
        scores = at::log_softmax(scores, 1);
        loss.sub_(scores.gather(1, chosen).sum(at::kDouble));
        // The gradient in the log-probabilities' buffer.
        if (any_gradient)
          scores.exp_().scatter_add_(1, chosen, at::full({count, 1}, -1.0f, scores.options()));
      }
      if (!any_gradient) continue;
      const auto gradient = scores.to(head.scalar_type());
      if (grad_hidden) {
        auto rows_gradient = hidden_gradient.narrow(0, first, count);
        if (packed != nullptr) {
          packed->times_out(rows_gradient, gradient);
        } else {
          at::mm_out(rows_gradient, gradient, head);
        }
      }
      if (grad_head) head_gradient.add_(at::mm(gradient.t(), x).to(at::kFloat));
    }
    if (grad_head) head_gradient = head_gradient.to(head.scalar_type());
    context->saved_data["hidden_gradient"] = hidden_gradient;
    context->saved_data["head_gradient"] = head_gradient;
    return loss.to(at::kFloat);
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto& incoming = grads[0];
    auto scaled = [&](const char* name) {
      const auto gradient = context->saved_data[name].toTensor();
      return gradient.defined() ? gradient * incoming.to(gradient.scalar_type()) : at::Tensor();
    };
    return {scaled("hidden_gradient"),
            scaled("head_gradient"),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor head_cross_entropy_sum(const at::Tensor& hidden, const at::Tensor& head,
                                  const at::Tensor& targets, std::int64_t chunk_bytes,
                                  const model::PackedWeight* packed_head) {
  NS_CHECK_AS(UsageError, hidden.dim() == 2 && head.dim() == 2 && hidden.size(1) == head.size(1),
              "the head loss needs hidden rows [N, H] and a head [V, H], got ", hidden.sizes(),
              " and ", head.sizes());
  NS_CHECK_AS(
      UsageError,
      targets.dim() == 1 && targets.size(0) == hidden.size(0) && targets.scalar_type() == at::kLong,
      "the head loss needs one int64 target per hidden row (", hidden.size(0), "), got ",
      targets.sizes(), " ", targets.scalar_type());
  NS_CHECK_AS(UsageError, hidden.scalar_type() == head.scalar_type(),
              "hidden rows and head must share a dtype, got ", hidden.scalar_type(), " and ",
              head.scalar_type());
  NS_CHECK_AS(UsageError, chunk_bytes > 0, "head loss chunk must be positive, got ", chunk_bytes);
  const auto vocab = head.size(0);
  check_targets(targets, vocab);
  const auto row_bytes = vocab * static_cast<std::int64_t>(sizeof(float));
  const auto chunk_rows = std::max<std::int64_t>(1, chunk_bytes / row_bytes);
  const bool grad = at::GradMode::is_enabled();
  const bool grad_hidden = grad && hidden.requires_grad(), grad_head = grad && head.requires_grad();
  // The packs hold the frozen head's values: a head that trains is multiplied as it is.
  const bool use_pack = packed_head != nullptr && packed_head->current_for(head) && !grad_head &&
                        packed_head->serves(hidden, {});
  return HeadCrossEntropy::apply(hidden, head, targets.to(hidden.device()), chunk_rows, grad_hidden,
                                 grad_head, use_pack ? packed_head : nullptr);
}

}  // namespace neuroscale::llm
