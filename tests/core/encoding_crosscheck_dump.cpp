// Writes the C++ side of the encoding-model cross-check: inputs and results of the feature
// windows, Lanczos resampling, z-scoring, FIR delays, bootstrap ridge (with its held-out
// rows) and the noise ceiling, as .npy files plus manifest.json naming the cases and their
// settings. tests/core/encoding_reference.py recomputes everything with an independent NumPy
// implementation and compares. Usage: encoding_crosscheck_dump OUT_DIR
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/encoding/design.h"
#include "core/encoding/lanczos.h"
#include "core/encoding/ridge.h"
#include "core/encoding/scores.h"
#include "core/encoding/windows.h"
#include "core/sanitizer_defaults.h"
#include "tests/core/npy_file.h"

namespace enc = neuroscale::encoding;

namespace {

std::string directory;

void save(const std::string& name, const at::Tensor& tensor) {
  neuroscale::test::save_npy(directory + "/" + name + ".npy", tensor);
}

at::Tensor normal(at::Generator& gen, at::IntArrayRef size) {
  return at::randn(size, gen, at::kDouble);
}

std::string windows_case(const std::string& name, std::int64_t samples,
                         const enc::WindowOptions& o) {
  const auto windows = enc::feature_windows(samples, o);
  std::vector<std::int64_t> spans;
  for (const auto& span : windows.spans) {
    spans.push_back(span.begin);
    spans.push_back(span.end);
  }
  save(name + "_spans", at::tensor(spans, at::kLong).view({-1, 2}));
  save(name + "_end_times", windows.end_times);
  std::ostringstream json;
  json << "{\"name\": \"" << name << "\", \"samples\": " << samples
       << ", \"sample_rate\": " << o.sample_rate() << ", \"stride_seconds\": " << o.stride_seconds()
       << ", \"context_seconds\": " << o.context_seconds()
       << ", \"min_input_length\": " << o.min_input_length() << "}";
  return json.str();
}

std::string ridge_case(const std::string& name, const at::Tensor& x, const at::Tensor& y,
                       const at::Tensor& x_test, const at::Tensor& y_test,
                       const std::string& alpha_logspace, const enc::RidgeOptions& options) {
  const auto fit = enc::bootstrap_ridge(x, y, options);
  save(name + "_x", x);
  save(name + "_y", y);
  save(name + "_x_test", x_test);
  save(name + "_y_test", y_test);
  for (std::size_t b = 0; b < fit.heldout_rows.size(); ++b) {
    save(name + "_heldout" + std::to_string(b), fit.heldout_rows[b]);
  }
  save(name + "_alpha_grid", at::tensor(options.alphas(), at::kDouble));
  save(name + "_weights", fit.weights);
  save(name + "_alphas", fit.alphas);
  save(name + "_alpha_indices", fit.alpha_indices);
  save(name + "_bootstrap_scores", fit.bootstrap_scores);
  save(name + "_test_r", enc::pearson_columns(enc::predict(x_test, fit.weights), y_test));
  std::ostringstream json;
  json.precision(17);
  json << "{\"name\": \"" << name << "\", \"bootstraps\": " << options.bootstraps()
       << ", \"alphas_logspace\": " << alpha_logspace
       << ", \"chunk_length\": " << options.chunk_length()
       << ", \"heldout_chunks\": " << options.heldout_chunks()
       << ", \"single_alpha\": " << (options.single_alpha() ? "true" : "false")
       << ", \"singular_cutoff\": " << options.singular_cutoff() << "}";
  return json.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: encoding_crosscheck_dump OUT_DIR\n";
    return 2;
  }
  directory = argv[1];
  auto gen = at::make_generator<at::CPUGeneratorImpl>(31337);
  std::vector<std::string> windows, lanczos, delayed, zscore, ridge, noise;

  // ---- windows: a story longer than one full window, a short one, a fine stride.
  windows.push_back(windows_case("windows0", 16000 * 30 + 777, enc::WindowOptions()));
  windows.push_back(windows_case("windows1", 50000, enc::WindowOptions()));
  windows.push_back(windows_case("windows2", 20000,
                                 enc::WindowOptions().stride_seconds(0.02).context_seconds(0.5)));

  // ---- Lanczos: jittered 10 Hz features onto TR times (2.0045 s, as ds003020), and a
  // cutoff multiplier with a wider window.
  {
    const auto old_times = at::arange(600, at::kDouble) * 0.1 + 0.05 + normal(gen, {600}) * 0.01;
    const auto new_times = at::arange(28, at::kDouble) * 2.0045 + 1.0;
    const auto data = normal(gen, {600, 7}).cumsum(0).to(at::kFloat);  // slowly varying
    save("lanczos0_data", data);
    save("lanczos0_old", old_times);
    save("lanczos0_new", new_times);
    save("lanczos0_out", enc::lanczos_interp2d(data, old_times, new_times));
    lanczos.push_back("{\"name\": \"lanczos0\", \"window\": 3, \"cutoff_mult\": 1.0}");
    save("lanczos1_data", data);
    save("lanczos1_old", old_times);
    save("lanczos1_new", new_times);
    save("lanczos1_out", enc::lanczos_interp2d(data, old_times, new_times, 5, 0.5));
    lanczos.push_back("{\"name\": \"lanczos1\", \"window\": 5, \"cutoff_mult\": 0.5}");
  }

  // ---- z-scoring (with a constant column) and FIR delays.
  {
    auto x = normal(gen, {53, 6}) * 3.0 + 1.5;
    x.select(1, 4).fill_(0.1);
    save("zscore0_in", x);
    save("zscore0_out", enc::zscore_columns(x));
    zscore.push_back("{\"name\": \"zscore0\"}");
    const auto f = normal(gen, {25, 4});
    save("delayed0_in", f);
    save("delayed0_out", enc::make_delayed(f, {1, 2, 3, 4}));
    delayed.push_back("{\"name\": \"delayed0\", \"delays\": [1, 2, 3, 4]}");
    save("delayed1_in", f);
    save("delayed1_out", enc::make_delayed(f, {-2, 0, 3, 30}));
    delayed.push_back("{\"name\": \"delayed1\", \"delays\": [-2, 0, 3, 30]}");
  }

  // ---- ridge 0: FIR-delayed, z-scored features, voxels from clean to pure noise, float32
  // inputs, 410 rows (a 10-row remainder), voxels in chunks of 5.
  {
    const auto stimulus = normal(gen, {410 + 200, 10});
    const auto design = enc::zscore_columns(enc::make_delayed(stimulus, {1, 2, 3}));
    const auto x = design.slice(0, 0, 410);
    const auto x_test = design.slice(0, 410);
    auto w = normal(gen, {30, 12}) * 0.2;
    w.slice(1, 9).zero_();  // voxels 9..11: pure noise
    const auto noise_sd = at::linspace(0.05, 3.0, 12, at::kDouble);
    const auto y = x.mm(w) + normal(gen, {410, 12}) * noise_sd;
    const auto y_test = x_test.mm(w) + normal(gen, {200, 12}) * noise_sd;
    ridge.push_back(ridge_case("ridge0", x.to(at::kFloat), y.to(at::kFloat), x_test, y_test,
                               "[1, 4, 15]", enc::RidgeOptions().seed(3).voxel_chunk(5)));
  }
  // ---- ridge 1: rank-deficient design (duplicated columns: singular values below the
  // cutoff), small alphas, one alpha for all voxels, explicit chunks.
  {
    auto x = normal(gen, {300, 16});
    x.select(1, 15).copy_(x.select(1, 0));
    x.select(1, 14).copy_(x.select(1, 1) * 2.0);
    const auto w = normal(gen, {16, 6}) * 0.3;
    const auto y = x.mm(w) + normal(gen, {300, 6});
    const auto x_test = normal(gen, {100, 16});
    const auto y_test = x_test.mm(w) + normal(gen, {100, 6});
    ridge.push_back(ridge_case("ridge1", x, y, x_test, y_test, "[-1, 3, 9]",
                               enc::RidgeOptions()
                                   .alphas(enc::logspace(-1, 3, 9))
                                   .bootstraps(2)
                                   .chunk_length(10)
                                   .heldout_chunks(4)
                                   .single_alpha(true)
                                   .seed(8)));
  }
  // ---- ridge 2: more features (60) than held-out rows (50), so the held-out scores take
  // the direct product rather than the QR-reduced one (ridges 0 and 1 take that), with
  // responses far from zero mean.
  {
    const auto x = normal(gen, {200, 60});
    const auto w = normal(gen, {60, 7}) * 0.2;
    const auto y = x.mm(w) + normal(gen, {200, 7}) + 5.0;
    const auto x_test = normal(gen, {80, 60});
    const auto y_test = x_test.mm(w) + normal(gen, {80, 7}) + 5.0;
    ridge.push_back(ridge_case("ridge2", x, y, x_test, y_test, "[1, 4, 15]",
                               enc::RidgeOptions().chunk_length(10).seed(5)));
  }

  // ---- noise ceiling: 10 repeats of 80 TRs, 9 voxels with signal amplitude from 0 up.
  {
    const auto signal = normal(gen, {1, 80, 9}) * at::linspace(0.0, 1.5, 9, at::kDouble);
    auto repeats = signal + normal(gen, {10, 80, 9});
    repeats.select(2, 0).fill_(2.0);  // a constant voxel: no signal power, excluded either way
    const auto prediction = signal[0] + normal(gen, {80, 9}) * 0.5;
    for (const bool zscored : {false, true}) {
      const std::string name = zscored ? "noise1" : "noise0";
      const auto cc_max =
          enc::noise_ceiling(repeats, enc::NoiseCeilingOptions().zscore_repeats(zscored));
      const auto r = enc::pearson_columns(repeats.mean(0), prediction);
      const auto cc_norm = enc::normalised_correlation(r, cc_max);
      const auto summary = enc::summarise_alignment(r, cc_norm);
      save(name + "_repeats", repeats);
      save(name + "_prediction", prediction);
      save(name + "_cc_max", cc_max);
      save(name + "_r", r);
      save(name + "_cc_norm", cc_norm);
      save(name + "_summary", at::tensor({summary.mean_r, summary.mean_cc_norm,
                                          static_cast<double>(summary.normalised_voxels)},
                                         at::kDouble));
      noise.push_back("{\"name\": \"" + name + "\", \"zscore_repeats\": " +
                      (zscored ? "true" : "false") + ", \"min_cc_max\": 0.05}");
    }
  }

  auto list = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out + "]";
  };
  std::ofstream manifest(directory + "/manifest.json");
  manifest << "{\"windows\": " << list(windows) << ",\n \"lanczos\": " << list(lanczos)
           << ",\n \"zscore\": " << list(zscore) << ",\n \"delayed\": " << list(delayed)
           << ",\n \"ridge\": " << list(ridge) << ",\n \"noise\": " << list(noise) << "}\n";
  return manifest ? 0 : 1;
}
