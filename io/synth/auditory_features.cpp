#include "io/synth/auditory_features.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::io {
namespace {

// Columns with zero mean and unit variance (a constant column becomes zeros).
at::Tensor zscore_columns(const at::Tensor& x) {
  const at::Tensor mean = x.mean(0, /*keepdim=*/true);
  const at::Tensor centred = x - mean;
  const at::Tensor std = centred.pow(2).mean(0, /*keepdim=*/true).sqrt();
  return centred / at::clamp_min(std, 1e-12);
}

double gamma_pdf(double t, double shape) {  // scale 1
  if (t <= 0) return 0;
  return std::exp((shape - 1) * std::log(t) - t - std::lgamma(shape));
}

}  // namespace

at::Tensor auditory_features(const std::vector<float>& audio, double sample_rate, int bands) {
  NS_CHECK_AS(DataError, !audio.empty() && sample_rate > 0 && bands > 0, "auditory features of ",
              audio.size(), " samples at ", sample_rate, " Hz in ", bands, " bands");
  const auto hop = static_cast<std::int64_t>(std::llround(sample_rate / kFeatureRateHz));
  const std::int64_t length = 2 * hop;  // 200 ms windows, 50% overlap
  const auto n = static_cast<std::int64_t>(audio.size());
  const std::int64_t frames = (n + hop - 1) / hop;
  // Frame k covers [k*hop - hop, k*hop + hop): zero padding of `hop` before, enough after.
  at::Tensor padded = at::zeros({(frames + 1) * hop}, at::kDouble);
  padded.narrow(0, hop, n).copy_(
      at::from_blob(const_cast<float*>(audio.data()), {n}, at::kFloat).to(at::kDouble));
  const at::Tensor windows = padded.unfold(0, length, hop).narrow(0, 0, frames);
  const at::Tensor hann =
      at::hann_window(length, /*periodic=*/true, at::TensorOptions().dtype(at::kDouble));
  const at::Tensor power = at::abs(at::fft_rfft(windows * hann)).pow(2);

  // Log-spaced band edges from 100 Hz to 7.6 kHz (below the 8 kHz Nyquist of 16 kHz audio).
  const double low = 100, high = std::min(7600.0, 0.475 * sample_rate);
  const double bin_hz = sample_rate / static_cast<double>(length);
  at::Tensor energy = at::zeros({frames, bands}, at::kDouble);
  for (int b = 0; b < bands; ++b) {
    const double f0 = low * std::pow(high / low, static_cast<double>(b) / bands);
    const double f1 = low * std::pow(high / low, static_cast<double>(b + 1) / bands);
    auto first = static_cast<std::int64_t>(std::ceil(f0 / bin_hz));
    auto last = std::max(first + 1, static_cast<std::int64_t>(std::ceil(f1 / bin_hz)));
    energy.select(1, b).copy_(power.narrow(1, first, last - first).sum(1));
  }
  const at::Tensor log_energy = at::log(energy + 1e-10);

  // Modulation: |change| since the previous frame, averaged over the last second.
  at::Tensor change = at::zeros_like(log_energy);
  if (frames > 1)
    change.narrow(0, 1, frames - 1)
        .copy_(at::abs(log_energy.narrow(0, 1, frames - 1) - log_energy.narrow(0, 0, frames - 1)));
  const auto second = static_cast<std::int64_t>(kFeatureRateHz);
  const at::Tensor cumulative = at::cat({at::zeros({1, bands}, at::kDouble), change.cumsum(0)});
  at::Tensor modulation = at::empty_like(change);
  for (std::int64_t k = 0; k < frames; ++k) {
    const std::int64_t begin = std::max<std::int64_t>(0, k + 1 - second);
    modulation[k] = (cumulative[k + 1] - cumulative[begin]) / static_cast<double>(k + 1 - begin);
  }
  return at::cat({log_energy, modulation}, 1);
}

std::vector<double> canonical_hrf(double dt) {
  NS_CHECK_AS(DataError, dt > 0 && dt <= 1, "HRF sampling step ", dt, " s (expected in (0, 1])");
  // spm_hrf.m: p = [6 16 1 1 6 0 32]; hrf = gamma(6/1) - gamma(16/1)/6 at u*dt/1.
  const auto taps = static_cast<std::size_t>(std::llround(32.0 / dt)) + 1;
  std::vector<double> hrf(taps);
  double sum = 0;
  for (std::size_t i = 0; i < taps; ++i) {
    const double t = static_cast<double>(i) * dt;
    hrf[i] = gamma_pdf(t, 6.0) - gamma_pdf(t, 16.0) / 6.0;
    sum += hrf[i];
  }
  for (double& h : hrf) h /= sum;
  return hrf;
}

at::Tensor features_at_tr_times(const at::Tensor& features, const std::vector<double>& tr_times) {
  NS_CHECK_AS(DataError, features.dim() == 2 && features.size(0) > 1,
              "features should be [frames > 1, features]");
  const at::Tensor x = zscore_columns(features.to(at::kDouble)).contiguous();
  const std::int64_t frames = x.size(0), columns = x.size(1);
  const std::vector<double> hrf = canonical_hrf(1.0 / kFeatureRateHz);
  at::Tensor convolved = at::zeros_like(x);
  const double* in = x.data_ptr<double>();
  double* out = convolved.data_ptr<double>();
  for (std::int64_t k = 0; k < frames; ++k) {
    const std::int64_t taps = std::min<std::int64_t>(static_cast<std::int64_t>(hrf.size()), k + 1);
    for (std::int64_t j = 0; j < taps; ++j) {
      const double h = hrf[static_cast<std::size_t>(j)];
      for (std::int64_t c = 0; c < columns; ++c)
        out[k * columns + c] += h * in[(k - j) * columns + c];
    }
  }
  at::Tensor sampled =
      at::empty({static_cast<std::int64_t>(tr_times.size()), columns}, at::kDouble);
  for (std::size_t r = 0; r < tr_times.size(); ++r) {
    // Past the last frame the response holds the last value (the sound has ended).
    const double position =
        std::clamp(tr_times[r] * kFeatureRateHz, 0.0, static_cast<double>(frames - 1));
    const auto k0 = static_cast<std::int64_t>(std::floor(position));
    const std::int64_t k1 = std::min(k0 + 1, frames - 1);
    const double w = position - static_cast<double>(k0);
    sampled[static_cast<std::int64_t>(r)] = convolved[k0] * (1 - w) + convolved[k1] * w;
  }
  return zscore_columns(sampled);
}

}  // namespace neuroscale::io
