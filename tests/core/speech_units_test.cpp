// Speech units beyond the NumPy cross-check (speech_units_crosscheck.sh): MFCC frames line up
// with the wav2vec2/HuBERT encoder's frames, bad options are refused, k-means++ seeds from the
// data, and k-means finds well-separated clusters.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "core/model/wav2vec2_options.h"
#include "core/speech/kmeans.h"
#include "core/speech/label_quality.h"
#include "core/speech/mfcc.h"

namespace neuroscale::speech {
namespace {

TEST(Mfcc, OneFramePerEncoderFrame) {
  const auto encoder = model::Wav2Vec2Options::base();
  const MfccOptions options;
  for (std::int64_t samples : {400, 719, 720, 16000, 16319, 16320, 160000}) {
    EXPECT_EQ(options.frames(samples), encoder.frames(samples)) << samples;
    const at::Tensor features = mfcc(at::randn({samples}), options);
    EXPECT_EQ(features.size(0), encoder.frames(samples)) << samples;
    EXPECT_EQ(features.size(1), 39);
  }
  EXPECT_EQ(mfcc(at::zeros({399}), options).sizes(), at::IntArrayRef({0, 39}));
  // Silence is finite (the log floor), not -inf.
  EXPECT_TRUE(at::isfinite(mfcc(at::zeros({1600}), options)).all().item<bool>());
}

TEST(Mfcc, RefusesInconsistentOptions) {
  EXPECT_THROW(MfccOptions().fft(256).validate(), ConfigError);          // shorter than the window
  EXPECT_THROW(MfccOptions().high_hz(9000).validate(), ConfigError);     // above Nyquist
  EXPECT_THROW(MfccOptions().coefficients(41).validate(), ConfigError);  // more than the bands
  EXPECT_THROW(MfccOptions().preemphasis(1.0).validate(), ConfigError);
  EXPECT_THROW(mfcc(at::zeros({2, 800}), MfccOptions()), Error);  // not 1-D
}

// Five blobs far apart in 4 dimensions, 200 points each (standard deviation 1).
at::Tensor blobs(at::Tensor* centres) {
  at::manual_seed(3);
  *centres = at::randn({5, 4}) * 50;
  return centres->repeat_interleave(200, 0) + at::randn({1000, 4});
}

TEST(Kmeans, PlusPlusSeedsWithDistinctRowsOfTheData) {
  at::Tensor centres;
  const at::Tensor x = blobs(&centres);
  const at::Tensor seeds = kmeans_plus_plus(x, 5, 11);
  ASSERT_EQ(seeds.sizes(), at::IntArrayRef({5, 4}));
  std::set<std::int64_t> blobs_hit;
  for (std::int64_t j = 0; j < 5; ++j) {
    const at::Tensor match = (x == seeds[j]).all(1).nonzero();
    ASSERT_EQ(match.size(0), 1) << "seed " << j << " is not a row of the data";
    blobs_hit.insert(match[0][0].item<std::int64_t>() / 200);
  }
  // Far-apart blobs: the squared-distance draws land in a new blob each time.
  EXPECT_EQ(blobs_hit.size(), 5u);
  EXPECT_TRUE(kmeans_plus_plus(x, 5, 11).equal(seeds));
  EXPECT_FALSE(kmeans_plus_plus(x, 5, 12).equal(seeds));
  EXPECT_THROW(kmeans_plus_plus(x.slice(0, 0, 3), 5, 1), UsageError);
}

TEST(Kmeans, FindsSeparatedClusters) {
  at::Tensor centres;
  const at::Tensor x = blobs(&centres);
  std::int64_t reported = 0;
  const auto fit = kmeans(x, KmeansOptions().clusters(5).seed(4),
                          [&](std::int64_t iteration, double) { reported = iteration; });
  EXPECT_EQ(reported, fit.iterations);
  EXPECT_LE(fit.iterations, 5);  // converges at once from one seed per blob
  // Each blob is one cluster; the inertia is the noise's (4 dimensions of variance 1).
  const at::Tensor labels = nearest_centroid(x, fit.centroids);
  for (std::int64_t b = 0; b < 5; ++b) {
    const at::Tensor blob = labels.slice(0, 200 * b, 200 * (b + 1));
    EXPECT_TRUE((blob == blob[0]).all().item<bool>()) << "blob " << b;
  }
  EXPECT_EQ(std::get<0>(at::_unique(labels)).numel(), 5);
  EXPECT_NEAR(fit.inertia, 4.0, 0.4);
}

// Hand-computed: 2 phones, 2 labels, 8 frames (one without a phone).
//   phone 0: labels 0 0 0 1     phone 1: labels 1 1 0
// joint counts [[3, 1], [1, 2]] / 7; phone purity (3 + 2) / 7, cluster purity (3 + 2) / 7;
// H(phone) = -(4/7 ln 4/7 + 3/7 ln 3/7); I = sum p(p,l) ln(p(p,l) / (p(p) p(l))).
TEST(LabelQuality, MatchesHandComputedValues) {
  const std::vector<std::int64_t> phones = {0, 0, 0, 0, 1, 1, 1, -1};
  const std::vector<std::int64_t> labels = {0, 0, 0, 1, 1, 1, 0, 1};
  const auto q = label_quality(phones, labels, 2, 2);
  EXPECT_EQ(q.frames, 7);
  EXPECT_DOUBLE_EQ(q.phone_purity, 5.0 / 7);
  EXPECT_DOUBLE_EQ(q.cluster_purity, 5.0 / 7);
  const double h = -(4.0 / 7 * std::log(4.0 / 7) + 3.0 / 7 * std::log(3.0 / 7));
  const double i = 3.0 / 7 * std::log((3.0 / 7) / (4.0 / 7 * 4.0 / 7)) +
                   1.0 / 7 * std::log((1.0 / 7) / (4.0 / 7 * 3.0 / 7)) +
                   1.0 / 7 * std::log((1.0 / 7) / (3.0 / 7 * 4.0 / 7)) +
                   2.0 / 7 * std::log((2.0 / 7) / (3.0 / 7 * 3.0 / 7));
  EXPECT_NEAR(q.pnmi, i / h, 1e-12);
  // Labels that are the phones: purity 1 and PNMI 1; one label for everything: PNMI 0.
  const auto same = label_quality(phones, {0, 0, 0, 0, 1, 1, 1, 0}, 2, 2);
  EXPECT_DOUBLE_EQ(same.phone_purity, 1.0);
  EXPECT_NEAR(same.pnmi, 1.0, 1e-12);
  EXPECT_NEAR(label_quality(phones, std::vector<std::int64_t>(8, 0), 2, 1).pnmi, 0.0, 1e-12);
  EXPECT_THROW(label_quality(phones, {0, 0, 0, 0, 1, 1, 2, 1}, 2, 2), UsageError);
}

}  // namespace
}  // namespace neuroscale::speech
