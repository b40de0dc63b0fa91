#include "io/synth/latent_dynamics.h"

#include <cmath>

#include "core/check.h"

namespace neuroscale::io {
namespace {

enum Stream : std::uint64_t { kSystem = 101 };

// A random rotation [n, n] (Gram-Schmidt of a Gaussian matrix, row-major).
std::vector<double> random_rotation(int n, Rng& rng) {
  std::vector<double> q(static_cast<std::size_t>(n) * n);
  for (auto& v : q) v = rng.normal();
  for (int i = 0; i < n; ++i) {
    double* row = q.data() + static_cast<std::size_t>(i) * n;
    for (int j = 0; j < i; ++j) {
      const double* prev = q.data() + static_cast<std::size_t>(j) * n;
      double dot = 0.0;
      for (int c = 0; c < n; ++c) dot += row[c] * prev[c];
      for (int c = 0; c < n; ++c) row[c] -= dot * prev[c];
    }
    double norm = 0.0;
    for (int c = 0; c < n; ++c) norm += row[c] * row[c];
    norm = std::sqrt(norm);
    for (int c = 0; c < n; ++c) row[c] /= norm;
  }
  return q;
}

}  // namespace

LatentSystem latent_system(const SynthOptions& o, double bin_s) {
  const int n = o.latent_dim;
  NS_ASSERT(n % 2 == 0, "latent_system: latent_dim must be even, is ", n);
  LatentSystem system;
  system.dim = n;
  system.decay = o.dynamics.decay;
  system.input_decay = o.dynamics.input_decay;
  system.noise_sd = std::sqrt(1.0 - o.dynamics.decay * o.dynamics.decay);
  // R: plane j turns at frequencies log-spaced from min_hz to max_hz.
  std::vector<double> r(static_cast<std::size_t>(n) * n, 0.0);
  const int planes = n / 2;
  for (int j = 0; j < planes; ++j) {
    const double t = planes > 1 ? static_cast<double>(j) / (planes - 1) : 0.0;
    const double hz = o.dynamics.min_hz * std::pow(o.dynamics.max_hz / o.dynamics.min_hz, t);
    system.plane_hz.push_back(hz);
    const double angle = 2.0 * M_PI * hz * bin_s;
    const auto a = static_cast<std::size_t>(2 * j), b = a + 1;
    r[a * n + a] = o.dynamics.decay * std::cos(angle);
    r[a * n + b] = -o.dynamics.decay * std::sin(angle);
    r[b * n + a] = o.dynamics.decay * std::sin(angle);
    r[b * n + b] = o.dynamics.decay * std::cos(angle);
  }
  Rng rng(static_cast<std::uint64_t>(o.seed), {kSystem});
  const auto q = random_rotation(n, rng);
  // A = Q^T R Q (rows of q are the basis).
  std::vector<double> rq(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j) rq[i * n + j] += r[i * n + k] * q[k * n + j];
  system.transition.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j) system.transition[i * n + j] += q[k * n + i] * rq[k * n + j];
  system.input_transition = system.transition;
  for (double& v : system.input_transition) v *= o.dynamics.input_decay / o.dynamics.decay;
  return system;
}

std::vector<double> LatentParts::latents() const {
  std::vector<double> sum(input.size());
  for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = input[i] + ongoing[i];
  return sum;
}

LatentParts simulate_latents(const LatentSystem& s, const std::vector<double>& drive, int bins,
                             Rng& noise) {
  const int n = s.dim;
  NS_ASSERT(drive.size() == static_cast<std::size_t>(bins) * n, "simulate_latents: drive has ",
            drive.size(), " values, expected ", bins, " x ", n);
  LatentParts parts;
  parts.input.assign(drive.size(), 0.0);
  parts.ongoing.assign(drive.size(), 0.0);
  std::vector<double> in(n, 0.0), on(n), next(n);
  for (auto& v : on) v = noise.normal();  // stationary: unit variance per dimension
  for (int t = 0; t < bins; ++t) {
    const double* d = drive.data() + static_cast<std::size_t>(t) * n;
    for (int i = 0; i < n; ++i) {
      double v = d[i];
      for (int j = 0; j < n; ++j) v += s.input_transition[i * n + j] * in[j];
      next[i] = v;
    }
    in.swap(next);
    for (int i = 0; i < n; ++i) {
      double v = s.noise_sd * noise.normal();
      for (int j = 0; j < n; ++j) v += s.transition[i * n + j] * on[j];
      next[i] = v;
    }
    on.swap(next);
    for (int i = 0; i < n; ++i) {
      parts.input[static_cast<std::size_t>(t) * n + i] = in[i];
      parts.ongoing[static_cast<std::size_t>(t) * n + i] = on[i];
    }
  }
  return parts;
}

}  // namespace neuroscale::io
