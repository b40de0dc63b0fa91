#include "core/speech/mfcc.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/check.h"

namespace neuroscale::speech {
namespace {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

// Regression deltas over +-n frames along dim 0, edge frames repeated.
at::Tensor deltas(const at::Tensor& c, std::int64_t n) {
  const std::int64_t frames = c.size(0);
  const at::Tensor padded = at::cat({c.slice(0, 0, 1).expand({n, c.size(1)}), c,
                                     c.slice(0, frames - 1, frames).expand({n, c.size(1)})});
  at::Tensor sum = at::zeros_like(c);
  double norm = 0;
  for (std::int64_t k = 1; k <= n; ++k) {
    sum += static_cast<double>(k) *
           (padded.slice(0, n + k, n + k + frames) - padded.slice(0, n - k, n - k + frames));
    norm += 2.0 * static_cast<double>(k * k);
  }
  return sum / norm;
}

}  // namespace

void MfccOptions::validate() const {
  NS_CHECK_AS(ConfigError, sample_rate_ > 0, "mfcc: sample_rate ", sample_rate_, " (expected > 0)");
  NS_CHECK_AS(ConfigError, window_ >= 2 && hop_ >= 1, "mfcc: window ", window_, " and hop ", hop_,
              " (expected window >= 2, hop >= 1)");
  NS_CHECK_AS(ConfigError, fft_ >= window_, "mfcc: fft ", fft_, " is shorter than the window ",
              window_);
  NS_CHECK_AS(ConfigError, 0 <= low_hz_ && low_hz_ < high_hz_ && high_hz_ <= sample_rate_ / 2,
              "mfcc: filter edges [", low_hz_, ", ", high_hz_,
              "] Hz (expected 0 <= low < high <= ", sample_rate_ / 2, ", half the sample rate)");
  NS_CHECK_AS(ConfigError, mel_bands_ >= 2 && coefficients_ >= 1 && coefficients_ <= mel_bands_,
              "mfcc: ", coefficients_, " coefficients of ", mel_bands_,
              " mel bands (expected 1 <= coefficients <= bands, bands >= 2)");
  NS_CHECK_AS(ConfigError, preemphasis_ >= 0 && preemphasis_ < 1 && lifter_ >= 0,
              "mfcc: preemphasis ", preemphasis_, " (expected [0, 1)), lifter ", lifter_,
              " (expected >= 0)");
  NS_CHECK_AS(ConfigError, delta_window_ >= 1 && delta_order_ >= 0 && delta_order_ <= 3,
              "mfcc: delta_window ", delta_window_, " (expected >= 1), delta_order ", delta_order_,
              " (expected 0-3)");
}

std::int64_t MfccOptions::frames(std::int64_t samples) const {
  return samples < window_ ? 0 : (samples - window_) / hop_ + 1;
}

at::Tensor mel_filterbank(const MfccOptions& o) {
  o.validate();
  const std::int64_t bins = o.fft() / 2 + 1;
  const double low = hz_to_mel(o.low_hz()), high = hz_to_mel(o.high_hz());
  std::vector<double> edges(static_cast<std::size_t>(o.mel_bands() + 2));
  for (std::size_t i = 0; i < edges.size(); ++i) {
    edges[i] = mel_to_hz(low + (high - low) * static_cast<double>(i) /
                                   static_cast<double>(o.mel_bands() + 1));
  }
  at::Tensor bank = at::zeros({o.mel_bands(), bins}, at::kDouble);
  auto b = bank.accessor<double, 2>();
  for (std::int64_t m = 0; m < o.mel_bands(); ++m) {
    const double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
    for (std::int64_t k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * o.sample_rate() / static_cast<double>(o.fft());
      if (f > left && f < right) {
        b[m][k] = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
      }
    }
  }
  return bank;
}

at::Tensor mfcc(const at::Tensor& audio, const MfccOptions& o) {
  o.validate();
  NS_CHECK(audio.dim() == 1 && audio.is_floating_point() && audio.device().is_cpu(),
           "mfcc: audio must be 1-D floating point on the CPU, got ", audio.sizes(), " ",
           audio.scalar_type());
  const std::int64_t frames = o.frames(audio.size(0));
  if (frames == 0) return at::zeros({0, o.dim()}, at::kFloat);

  // Frames [frames, window], in float64 (the log of small energies needs it).
  at::Tensor x = audio.to(at::kDouble).unfold(0, o.window(), o.hop()).contiguous();
  x = x - x.mean(1, true);
  if (o.preemphasis() > 0) {
    const at::Tensor previous = at::cat({x.slice(1, 0, 1), x.slice(1, 0, o.window() - 1)}, 1);
    x = x - o.preemphasis() * previous;
  }
  x = x * at::hamming_window(o.window(), /*periodic=*/false, at::kDouble);
  const at::Tensor power = at::fft_rfft(x, o.fft(), 1).abs().pow(2);  // [frames, bins]
  const at::Tensor energies = at::matmul(power, mel_filterbank(o).t()).clamp_min(1e-10).log();

  // Orthonormal DCT-II as a matrix: c_n = s_n sum_m e_m cos(pi n (m + 1/2) / M).
  const std::int64_t bands = o.mel_bands();
  const at::Tensor n = at::arange(o.coefficients(), at::kDouble).unsqueeze(1);
  const at::Tensor m = at::arange(bands, at::kDouble).unsqueeze(0);
  at::Tensor dct = at::cos(M_PI * n * (m + 0.5) / static_cast<double>(bands)) *
                   std::sqrt(2.0 / static_cast<double>(bands));
  dct[0] /= std::sqrt(2.0);
  at::Tensor c = at::matmul(energies, dct.t());  // [frames, coefficients]
  if (o.lifter() > 0) {
    c = c * (1.0 + o.lifter() / 2.0 *
                       at::sin(M_PI * at::arange(o.coefficients(), at::kDouble) / o.lifter()));
  }
  std::vector<at::Tensor> parts{c};
  for (std::int64_t order = 0; order < o.delta_order(); ++order) {
    parts.push_back(deltas(parts.back(), o.delta_window()));
  }
  return at::cat(parts, 1).to(at::kFloat);
}

}  // namespace neuroscale::speech
