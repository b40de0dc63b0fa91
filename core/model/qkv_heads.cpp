#include "core/model/qkv_heads.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <vector>

#include "core/check.h"

namespace neuroscale::model {
namespace {

constexpr std::int64_t kRowGrain = 32;  // tokens per parallel task

// Shapes of one call: B trials, N tokens, H heads of `dim` features, model width H * dim.
struct Layout {
  std::int64_t batch, tokens, heads, dim;
  std::int64_t width() const { return heads * dim; }
};

// out = x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] over the halves.
template <class T>
inline void rotate(const T* x, const T* cos, const T* sin, T* out, std::int64_t dim) {
  const std::int64_t half = dim / 2;
  for (std::int64_t j = 0; j < half; ++j) out[j] = x[j] * cos[j] - x[j + half] * sin[j];
  for (std::int64_t j = half; j < dim; ++j) out[j] = x[j] * cos[j] + x[j - half] * sin[j];
}

// The adjoint of `rotate` applied to the gradient g:
// dx[i] = g[i] cos[i] + (i < half ? g[i + half] sin[i + half] : -g[i - half] sin[i - half]).
template <class T>
inline void rotate_back(const T* g, const T* cos, const T* sin, T* out, std::int64_t dim) {
  const std::int64_t half = dim / 2;
  for (std::int64_t i = 0; i < half; ++i) out[i] = g[i] * cos[i] + g[i + half] * sin[i + half];
  for (std::int64_t i = half; i < dim; ++i) out[i] = g[i] * cos[i] - g[i - half] * sin[i - half];
}

// One (trial, head) block [N, hd] of a gradient, contiguous: the block itself when its rows
// are, otherwise gathered into `buffer` (the key's gradient arrives transposed from q k^T).
template <class T>
const T* contiguous_block(const at::Tensor& grad, std::int64_t b, std::int64_t h,
                          std::vector<T>& buffer) {
  const T* base = grad.data_ptr<T>() + b * grad.stride(0) + h * grad.stride(1);
  const std::int64_t tokens = grad.size(2), dim = grad.size(3);
  const std::int64_t row = grad.stride(2), column = grad.stride(3);
  if (column == 1 && row == dim) return base;
  buffer.resize(static_cast<std::size_t>(tokens * dim));
  for (std::int64_t j = 0; j < dim; ++j) {
    for (std::int64_t n = 0; n < tokens; ++n) buffer[n * dim + j] = base[n * row + j * column];
  }
  return buffer.data();
}

template <class T>
void split_forward(const T* in, const T* tables[4], T* out[3], const Layout& l) {
  const std::int64_t d = l.width(), hd = l.dim;
  at::parallel_for(0, l.batch * l.tokens, kRowGrain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t r = first; r < last; ++r) {
      const std::int64_t b = r / l.tokens, n = r % l.tokens;
      const T* row = in + r * 3 * d;
      for (std::int64_t h = 0; h < l.heads; ++h) {
        const std::int64_t at = ((b * l.heads + h) * l.tokens + n) * hd;
        rotate(row + h * hd, tables[0] + n * hd, tables[1] + n * hd, out[0] + at, hd);
        rotate(row + d + h * hd, tables[2] + n * hd, tables[3] + n * hd, out[1] + at, hd);
        std::copy(row + 2 * d + h * hd, row + 2 * d + (h + 1) * hd, out[2] + at);
      }
    }
  });
}

template <class T>
void split_backward(const at::Tensor grads[3], const T* tables[4], T* out, const Layout& l) {
  const std::int64_t d = l.width(), hd = l.dim;
  at::parallel_for(0, l.batch * l.heads, 1, [&](std::int64_t first, std::int64_t last) {
    std::vector<T> buffers[3];
    for (std::int64_t block = first; block < last; ++block) {
      const std::int64_t b = block / l.heads, h = block % l.heads;
      const T* g[3];
      for (int part = 0; part < 3; ++part)
        g[part] = contiguous_block(grads[part], b, h, buffers[part]);
      for (std::int64_t n = 0; n < l.tokens; ++n) {
        T* row = out + (b * l.tokens + n) * 3 * d + h * hd;
        rotate_back(g[0] + n * hd, tables[0] + n * hd, tables[1] + n * hd, row, hd);
        rotate_back(g[1] + n * hd, tables[2] + n * hd, tables[3] + n * hd, row + d, hd);
        std::copy(g[2] + n * hd, g[2] + (n + 1) * hd, row + 2 * d);
      }
    }
  });
}

struct SplitQkvHeads : public torch::autograd::Function<SplitQkvHeads> {
  // tables: query cos, query sin, key cos, key sin, each [N, hd] of the input's dtype.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* context,
                                                const at::Tensor& projected, std::int64_t heads,
                                                const at::Tensor& query_cos,
                                                const at::Tensor& query_sin,
                                                const at::Tensor& key_cos,
                                                const at::Tensor& key_sin) {
    const auto input = projected.contiguous();
    const Layout layout{input.size(0), input.size(1), heads, input.size(2) / 3 / heads};
    const auto options = input.options();
    torch::autograd::variable_list out;
    for (int part = 0; part < 3; ++part) {
      out.push_back(at::empty({layout.batch, heads, layout.tokens, layout.dim}, options));
    }
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "neuroscale_split_qkv_heads", [&] {
      const scalar_t* tables[4] = {query_cos.data_ptr<scalar_t>(), query_sin.data_ptr<scalar_t>(),
                                   key_cos.data_ptr<scalar_t>(), key_sin.data_ptr<scalar_t>()};
      scalar_t* outputs[3] = {out[0].data_ptr<scalar_t>(), out[1].data_ptr<scalar_t>(),
                              out[2].data_ptr<scalar_t>()};
      split_forward<scalar_t>(input.data_ptr<scalar_t>(), tables, outputs, layout);
    });
    context->save_for_backward({query_cos, query_sin, key_cos, key_sin});
    context->saved_data["batch"] = layout.batch;
    context->saved_data["tokens"] = layout.tokens;
    context->saved_data["heads"] = heads;
    context->saved_data["dim"] = layout.dim;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grads) {
    const auto saved = context->get_saved_variables();
    const Layout layout{context->saved_data["batch"].toInt(), context->saved_data["tokens"].toInt(),
                        context->saved_data["heads"].toInt(), context->saved_data["dim"].toInt()};
    // Undefined gradients arrive as zeros (materialised by autograd).
    const at::Tensor parts[3] = {grads[0], grads[1], grads[2]};
    auto out = at::empty({layout.batch, layout.tokens, 3 * layout.width()}, saved[0].options());
    AT_DISPATCH_FLOATING_TYPES(out.scalar_type(), "neuroscale_split_qkv_heads_backward", [&] {
      const scalar_t* tables[4] = {saved[0].data_ptr<scalar_t>(), saved[1].data_ptr<scalar_t>(),
                                   saved[2].data_ptr<scalar_t>(), saved[3].data_ptr<scalar_t>()};
      split_backward<scalar_t>(parts, tables, out.data_ptr<scalar_t>(), layout);
    });
    return {out, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

void check_shapes(const at::Tensor& projected, std::int64_t heads, const RotaryTables& query,
                  const RotaryTables& key) {
  NS_CHECK_AS(UsageError,
              projected.dim() == 3 && heads >= 1 && projected.size(2) % (3 * heads) == 0,
              "split_qkv_heads expects [B, N, 3 * heads * head_dim] with ", heads, " heads, got ",
              projected.sizes());
  const auto dim = projected.size(2) / 3 / heads;
  for (const auto* table : {&query.cos, &query.sin, &key.cos, &key.sin}) {
    NS_CHECK_AS(UsageError,
                table->dim() == 2 && table->size(0) == projected.size(1) && table->size(1) == dim,
                "rotary tables must be [", projected.size(1), ", ", dim, "], got ", table->sizes());
  }
}

}  // namespace

QkvHeads split_qkv_heads_composite(const at::Tensor& projected, std::int64_t heads,
                                   const RotaryTables& query_tables,
                                   const RotaryTables& key_tables) {
  check_shapes(projected, heads, query_tables, key_tables);
  const auto batch = projected.size(0), tokens = projected.size(1);
  const auto dim = projected.size(2) / 3 / heads;
  // [B, N, 3d] -> [3, B, H, N, hd]; unbind has one backward pass (stack), not three selects.
  const auto parts =
      projected.view({batch, tokens, 3, heads, dim}).permute({2, 0, 3, 1, 4}).unbind(0);
  return {apply_rotary(parts[0], query_tables), apply_rotary(parts[1], key_tables), parts[2]};
}

QkvHeads split_qkv_heads(const at::Tensor& projected, std::int64_t heads,
                         const RotaryTables& query_tables, const RotaryTables& key_tables) {
  const auto type = projected.scalar_type();
  const bool fused = projected.device().is_cpu() && (type == at::kFloat || type == at::kDouble);
  if (!fused) return split_qkv_heads_composite(projected, heads, query_tables, key_tables);
  check_shapes(projected, heads, query_tables, key_tables);
  const auto as_input = [&](const at::Tensor& table) { return table.to(type).contiguous(); };
  const auto out =
      SplitQkvHeads::apply(projected, heads, as_input(query_tables.cos), as_input(query_tables.sin),
                           as_input(key_tables.cos), as_input(key_tables.sin));
  return {out[0], out[1], out[2]};
}

}  // namespace neuroscale::model
