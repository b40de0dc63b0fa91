// Writes the C++ side of the speech-units cross-check: MFCCs (two option sets), the mel
// filterbank, Lloyd's k-means iterations from given centroids (one case with a cluster that
// empties) and nearest-centroid labels, as .npy files plus manifest.json with the settings.
// tests/core/speech_units_reference.py recomputes them with NumPy and SciPy and compares.
// Usage: speech_units_crosscheck_dump OUT_DIR
#include <ATen/ATen.h>

#include <fstream>
#include <iostream>
#include <string>

#include "core/sanitizer_defaults.h"
#include "core/speech/kmeans.h"
#include "core/speech/mfcc.h"
#include "tests/core/npy_file.h"

namespace sp = neuroscale::speech;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: speech_units_crosscheck_dump OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  auto save = [&](const std::string& name, const at::Tensor& t) {
    neuroscale::test::save_npy(dir + "/" + name + ".npy", t);
  };
  at::manual_seed(7);
  // A second of a chirp with harmonics, noise and a silent stretch, at 16 kHz.
  const at::Tensor t = at::arange(16000, at::kDouble) / 16000.0;
  at::Tensor audio = 0.3 * at::sin(2 * M_PI * (150 + 400 * t) * t) +
                     0.1 * at::sin(2 * M_PI * 3 * (150 + 400 * t) * t) +
                     0.02 * at::randn({16000}, at::kDouble);
  audio.slice(0, 6000, 8000).mul_(1e-6);
  save("audio", audio);
  save("mfcc_default", sp::mfcc(audio.to(at::kFloat), sp::MfccOptions()));
  save("filterbank_default", sp::mel_filterbank(sp::MfccOptions()));
  const auto other = sp::MfccOptions()
                         .window(256)
                         .hop(100)
                         .fft(256)
                         .mel_bands(23)
                         .coefficients(12)
                         .preemphasis(0)
                         .lifter(0)
                         .delta_window(3)
                         .delta_order(1)
                         .low_hz(100)
                         .high_hz(8000);
  save("mfcc_other", sp::mfcc(audio.to(at::kFloat), other));

  // Four blobs in 6 dimensions; Lloyd from 5 given rows (two in one blob) and from 5 centroids
  // of which one lies far from every frame, so its cluster empties at once.
  const at::Tensor centres = at::randn({4, 6}, at::kDouble) * 4;
  const at::Tensor x =
      (centres.repeat_interleave(500, 0) + at::randn({2000, 6}, at::kDouble)).to(at::kFloat);
  save("x", x);
  const at::Tensor init = x.index({at::tensor({0, 1, 600, 1200, 1900}, at::kLong)});
  const auto options = sp::KmeansOptions().iterations(50).tolerance(1e-6);
  const auto fit = sp::lloyd(x, init, options);
  save("init", init);
  save("centroids", fit.centroids);
  save("inertia", at::tensor({fit.inertia}, at::kDouble));
  save("iterations", at::tensor({fit.iterations}, at::kLong));
  at::Tensor init_far = init.clone();
  init_far[4].fill_(1000);
  const auto far = sp::lloyd(x, init_far, options);
  save("init_far", init_far);
  save("centroids_far", far.centroids);
  save("iterations_far", at::tensor({far.iterations}, at::kLong));
  save("labels", sp::nearest_centroid(x, fit.centroids));

  std::ofstream manifest(dir + "/manifest.json");
  manifest << "{\"other\": {\"window\": 256, \"hop\": 100, \"fft\": 256, \"mel_bands\": 23, "
              "\"coefficients\": 12, \"preemphasis\": 0, \"lifter\": 0, \"delta_window\": 3, "
              "\"delta_order\": 1, \"low_hz\": 100, \"high_hz\": 8000},"
              " \"kmeans\": {\"iterations\": 50, \"tolerance\": 1e-6}}\n";
  return manifest ? 0 : 1;
}
