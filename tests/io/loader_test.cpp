#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "core/check.h"
#include "io/data/loader.h"
#include "tests/io/corpus_fixture.h"

namespace neuroscale::io {
namespace {

using testing_support::fixture_value;
using testing_support::FixtureSpec;
using testing_support::write_fixture;

SamplerOptions one_per_batch() {
  SamplerOptions options;
  options.batch_trials = 1;
  options.bucket_batches = 1;
  return options;
}

TEST(Loader, BatchesHoldExactlyTheStoredTrialsPadded) {
  const std::string path = write_fixture("exact", FixtureSpec{});
  CorpusReader reader(path, MPI_COMM_NULL);
  SamplerOptions options;
  options.batch_trials = 3;
  GlobalSampler sampler(reader.index(), options);
  LoaderOptions loader_options;
  loader_options.pad_multiple = 5;
  Loader loader(reader, sampler, {}, 0, 1, loader_options);
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->size(), 3);
  EXPECT_EQ(batch->features.sizes(), (std::vector<std::int64_t>{3, 10, 3}));  // 7 bins -> 10
  for (std::int64_t i = 0; i < 3; ++i) {
    const std::int64_t t = batch->trials[i];
    const std::int64_t bins = batch->bins[i].item<std::int64_t>();
    EXPECT_EQ(bins, reader.index().trial_bins[t]);
    for (std::int64_t b = 0; b < 10; ++b) {
      for (std::int64_t c = 0; c < 3; ++c) {
        const float expected = b < bins ? fixture_value(t, b, c) : 0.0f;
        ASSERT_EQ(batch->features[i][b][c].item<float>(), expected) << t << " " << b << " " << c;
      }
    }
    EXPECT_EQ(batch->label_lengths[i].item<std::int64_t>(), 2);
    EXPECT_EQ(batch->labels[i][0].item<std::int64_t>(), 1 + t % 39);
    EXPECT_EQ(batch->labels[i][1].item<std::int64_t>(), 40);
    EXPECT_EQ(batch->text[i], "trial " + std::to_string(t));
  }
  EXPECT_EQ(loader.position(), (SamplerPosition{0, 1}));
}

TEST(Loader, PositionTracksConsumedStepsAcrossEpochs) {
  const std::string path = write_fixture("position", FixtureSpec{});
  CorpusReader reader(path, MPI_COMM_NULL);
  GlobalSampler sampler(reader.index(), one_per_batch());
  Loader loader(reader, sampler, {0, 1}, 0, 1, LoaderOptions{});
  std::vector<std::int64_t> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(loader.next()->trials[0]);
  EXPECT_EQ(loader.position(), (SamplerPosition{1, 3}));
  const auto epoch0 = sampler.epoch_batches(0), epoch1 = sampler.epoch_batches(1);
  EXPECT_EQ(seen[0], epoch0[1].trials[0]);
  EXPECT_EQ(seen[1], epoch0[2].trials[0]);
  EXPECT_EQ(seen[2], epoch1[0].trials[0]);
}

TEST(Loader, RanksOfOneStepSplitTheBatches) {
  const std::string path = write_fixture("ranks", FixtureSpec{});
  CorpusReader reader(path, MPI_COMM_NULL);
  GlobalSampler sampler(reader.index(), one_per_batch());
  std::multiset<std::int64_t> seen;
  for (int rank = 0; rank < 2; ++rank) {
    Loader loader(reader, sampler, {}, rank, 2, LoaderOptions{});
    for (std::int64_t step = 0; step < sampler.steps_per_epoch(2); ++step) {
      if (auto batch = loader.next()) seen.insert(batch->trials[0]);
    }
  }
  EXPECT_EQ(seen, (std::multiset<std::int64_t>{0, 1, 2}));  // 3 trials over 2 ranks: one empty slot
}

TEST(Loader, NormalisesRawCorporaWithStoredStatistics) {
  FixtureSpec spec;
  spec.normalization = "none";
  spec.mean = {1.0f, 2.0f, 3.0f};
  spec.std = {2.0f, 4.0f, 0.5f};
  const std::string path = write_fixture("raw", spec);
  CorpusReader reader(path, MPI_COMM_NULL);
  GlobalSampler sampler(reader.index(), one_per_batch());
  Loader loader(reader, sampler, {}, 0, 1, LoaderOptions{});
  auto batch = loader.next();
  const std::int64_t t = batch->trials[0];
  for (std::int64_t c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(batch->features[0][1][c].item<float>(),
                    (fixture_value(t, 1, c) - spec.mean[c]) / spec.std[c]);
  }
  LoaderOptions keep;
  keep.normalize = false;
  Loader raw(reader, sampler, {}, 0, 1, keep);
  auto unnormalised = raw.next();
  EXPECT_FLOAT_EQ(unnormalised->features[0][1][2].item<float>(),
                  fixture_value(unnormalised->trials[0], 1, 2));
}

// The DataError message of the first step over all trials of `path` in one batch; the
// loader must stay failed afterwards.
std::string first_step_error(const std::string& path) {
  CorpusReader reader(path, MPI_COMM_NULL);
  SamplerOptions options;
  options.batch_trials = 3;
  GlobalSampler sampler(reader.index(), options);
  Loader loader(reader, sampler, {}, 0, 1, LoaderOptions{});
  std::string message = "no error";
  try {
    loader.next();
  } catch (const DataError& e) {
    message = e.what();
  }
  EXPECT_THROW(loader.next(), DataError) << "the loader did not stay failed";
  return message;
}

TEST(Loader, NonFiniteFeatureIsADataErrorNamingFileAndTrial) {
  FixtureSpec spec;
  spec.features = {std::vector<float>(12, 0.0f), std::vector<float>(21, 0.0f)};
  spec.features[1][7] = std::numeric_limits<float>::quiet_NaN();  // trial 1, bin 2, channel 1
  const std::string path = write_fixture("nan", spec);
  EXPECT_EQ(first_step_error(path),
            "'" + path +
                "': trial 1 (subject s, session 2024-01-01): feature at bin 2, channel 1 is nan");
}

TEST(Loader, OutOfRangeLabelIsADataError) {
  FixtureSpec spec;
  spec.labels = {{1, 40}, {3, 41}, {2}};
  const std::string path = write_fixture("labels", spec);
  EXPECT_EQ(
      first_step_error(path),
      "'" + path +
          "': trial 1 (subject s, session 2024-01-01): phoneme label 1 is 41 (expected 1-40)");
}

TEST(Loader, StopsPromptlyWhileBlockedOnAFullQueue) {
  const std::string path = write_fixture("stop", FixtureSpec{});
  CorpusReader reader(path, MPI_COMM_NULL);
  GlobalSampler sampler(reader.index(), one_per_batch());
  LoaderOptions options;
  options.prefetch = 1;
  for (int i = 0; i < 20; ++i) {
    Loader loader(reader, sampler, {}, 0, 1, options);  // the pipeline fills the queue and waits
    if (i % 2 == 0) {
      ASSERT_TRUE(loader.next().has_value());
      EXPECT_EQ(loader.position(), (SamplerPosition{0, 1}));
    } else {
      EXPECT_EQ(loader.position(), (SamplerPosition{0, 0}));  // nothing consumed yet
    }
  }  // each destructor must return while the pipeline waits; a hang fails by CTest timeout
}

TEST(Loader, RejectsInvalidOptions) {
  const std::string path = write_fixture("options", FixtureSpec{});
  CorpusReader reader(path, MPI_COMM_NULL);
  GlobalSampler sampler(reader.index(), one_per_batch());
  LoaderOptions bad;
  bad.prefetch = 0;
  EXPECT_THROW(Loader(reader, sampler, {}, 0, 1, bad), ConfigError);
}

}  // namespace
}  // namespace neuroscale::io
