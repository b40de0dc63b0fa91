#include "core/task/losses.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <optional>
#include <vector>

#include "core/check.h"

namespace neuroscale::task {
namespace {

constexpr std::int64_t kRowsPerChunk = 256;

// The fused kernels' view of (prediction, target, weight): `rows` rows of `width` values,
// contiguous, with one weight per row. Weight shaped like the values is the width-1 case.
struct Rows {
  std::int64_t rows = 0, width = 0;
};

// Rows when the fused CPU kernels apply: same-shaped contiguous float32/float64 CPU values
// and a weight of their shape, or of their shape with the last extent 1.
std::optional<Rows> fused_rows(const at::Tensor& values, const at::Tensor& weight) {
  const auto type = values.scalar_type();
  if (!values.device().is_cpu() || !weight.device().is_cpu() || values.dim() == 0 ||
      (type != at::kFloat && type != at::kDouble) || weight.scalar_type() != type) {
    return std::nullopt;
  }
  if (weight.sizes() == values.sizes()) return Rows{values.numel(), 1};
  auto per_row = values.sizes().vec();
  per_row.back() = 1;
  if (weight.sizes() == at::IntArrayRef(per_row)) {
    return Rows{weight.numel(), values.size(-1)};
  }
  return std::nullopt;
}

// sum over rows of term(row) in double, chunked by a fixed row count so that the result
// does not depend on the thread count.
template <class Term>
double sum_rows(std::int64_t rows, const Term& term) {
  const std::int64_t chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
  std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
  at::parallel_for(0, chunks, 1, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t c = first; c < last; ++c) {
      double sum = 0.0;
      for (std::int64_t r = c * kRowsPerChunk; r < std::min(rows, (c + 1) * kRowsPerChunk); ++r) {
        sum += term(r);
      }
      partial[static_cast<std::size_t>(c)] = sum;
    }
  });
  double total = 0.0;
  for (const double value : partial) total += value;
  return total;
}

// sum(w * (p - t)^2) in one pass; backward 2 g w (p - t) in one pass. The unfused form was
// seven elementwise passes over the read-out (about 5% of a default BIT step on the CPU).
struct MaskedMseFunction : public torch::autograd::Function<MaskedMseFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* context, const at::Tensor& prediction,
                            const at::Tensor& target, const at::Tensor& weight,
                            std::int64_t width) {
    const auto p = prediction.contiguous(), t = target.contiguous(), w = weight.contiguous();
    double total = 0.0;
    AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "neuroscale_masked_mse", [&] {
      const scalar_t *pp = p.data_ptr<scalar_t>(), *tp = t.data_ptr<scalar_t>(),
                     *wp = w.data_ptr<scalar_t>();
      total = sum_rows(w.numel(), [&](std::int64_t r) {
        if (wp[r] == scalar_t(0)) return 0.0;
        // Eight running sums, so that the compiler can keep them in one vector register.
        scalar_t lanes[8] = {};
        const std::int64_t begin = r * width, end = begin + width;
        std::int64_t j = begin;
        for (; j + 8 <= end; j += 8) {
          for (int k = 0; k < 8; ++k) {
            const scalar_t difference = pp[j + k] - tp[j + k];
            lanes[k] += difference * difference;
          }
        }
        double sum = 0.0;
        for (; j < end; ++j) sum += static_cast<double>(pp[j] - tp[j]) * (pp[j] - tp[j]);
        for (const scalar_t lane : lanes) sum += lane;
        return static_cast<double>(wp[r]) * sum;
      });
    });
    context->save_for_backward({p, t, w});
    context->saved_data["width"] = width;
    return at::scalar_tensor(total, p.options());
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* context,
                                               torch::autograd::tensor_list grads) {
    const auto saved = context->get_saved_variables();
    const auto &p = saved[0], &t = saved[1], &w = saved[2];
    const std::int64_t width = context->saved_data["width"].toInt();
    auto out = at::empty_like(p);
    AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "neuroscale_masked_mse_backward", [&] {
      const auto scale = 2 * grads[0].item<scalar_t>();
      const scalar_t *pp = p.data_ptr<scalar_t>(), *tp = t.data_ptr<scalar_t>(),
                     *wp = w.data_ptr<scalar_t>();
      scalar_t* op = out.data_ptr<scalar_t>();
      at::parallel_for(0, w.numel(), kRowsPerChunk, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t r = first; r < last; ++r) {
          const scalar_t factor = scale * wp[r];
          for (std::int64_t j = r * width; j < (r + 1) * width; ++j) {
            op[j] = factor * (pp[j] - tp[j]);
          }
        }
      });
    });
    return {out, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

ReconstructionLoss parse_reconstruction_loss(const std::string& name) {
  if (name == "mse") return ReconstructionLoss::kMse;
  if (name == "poisson_nll") return ReconstructionLoss::kPoissonNll;
  NS_THROW(UsageError, "unknown reconstruction loss '", name, "' (expected mse or poisson_nll)");
}

std::string to_string(ReconstructionLoss loss) {
  return loss == ReconstructionLoss::kMse ? "mse" : "poisson_nll";
}

at::Tensor masked_mse_sum(const at::Tensor& prediction, const at::Tensor& target,
                          const at::Tensor& weight) {
  const auto rows =
      prediction.sizes() == target.sizes() && !target.requires_grad() && !weight.requires_grad()
          ? fused_rows(prediction, weight)
          : std::nullopt;
  if (rows && target.scalar_type() == prediction.scalar_type() && target.device().is_cpu()) {
    return MaskedMseFunction::apply(prediction, target, weight, rows->width);
  }
  const auto difference = prediction - target;
  return (difference * difference * weight).sum();
}

at::Tensor masked_moments(const at::Tensor& values, const at::Tensor& weight) {
  if (const auto rows = fused_rows(values, weight)) {
    const auto v = values.contiguous(), w = weight.contiguous();
    double sum = 0.0, squares = 0.0;
    AT_DISPATCH_FLOATING_TYPES(v.scalar_type(), "neuroscale_masked_moments", [&] {
      const scalar_t *vp = v.data_ptr<scalar_t>(), *wp = w.data_ptr<scalar_t>();
      const std::int64_t width = rows->width;
      const auto weighted = [&](std::int64_t r, bool square) {
        double total = 0.0;
        for (std::int64_t j = r * width; j < (r + 1) * width; ++j) {
          total += square ? static_cast<double>(vp[j]) * vp[j] : static_cast<double>(vp[j]);
        }
        const double scale = wp[r];
        return (square ? scale * scale : scale) * total;
      };
      sum = sum_rows(rows->rows, [&](std::int64_t r) { return weighted(r, false); });
      squares = sum_rows(rows->rows, [&](std::int64_t r) { return weighted(r, true); });
    });
    return at::tensor({sum, squares}, at::kDouble);
  }
  const auto scored = values * weight;
  return at::stack({scored.sum().to(at::kDouble), (scored * scored).sum().to(at::kDouble)});
}

at::Tensor masked_poisson_nll_sum(const at::Tensor& prediction, const at::Tensor& target,
                                  const at::Tensor& weight, bool log_input, double eps) {
  const auto elementwise = log_input ? at::exp(prediction) - target * prediction
                                     : prediction - target * at::log(prediction + eps);
  return (elementwise * weight).sum();
}

}  // namespace neuroscale::task
