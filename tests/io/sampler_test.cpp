#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "core/check.h"
#include "io/data/sampler.h"
#include "io/synth/synth_corpus.h"

namespace neuroscale::io {
namespace {

CorpusIndex tiny_index() {
  SynthOptions options;
  options.subjects[0].trials_per_session = 23;  // uneven batch counts
  options.subjects[1].trials_per_session = 17;
  return plan_synth_corpus(options).index;
}

std::set<std::int64_t> train_trials(const CorpusIndex& index) {
  std::set<std::int64_t> out;
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    if (index.trial_split[t] == static_cast<std::int8_t>(Split::kTrain))
      out.insert(static_cast<std::int64_t>(t));
  }
  return out;
}

TEST(Sampler, EveryTrainTrialExactlyOncePerEpochForAnyRankCount) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.seed = 5;
  options.batch_trials = 4;
  GlobalSampler sampler(index, options);
  for (int world = 1; world <= 5; ++world) {
    std::multiset<std::int64_t> seen;
    SamplerPosition position;
    for (std::int64_t step = 0; step < sampler.steps_per_epoch(world); ++step) {
      for (int rank = 0; rank < world; ++rank) {
        SamplerPosition p = position;
        auto batch = sampler.next(p, rank, world);
        if (rank == world - 1) position = p;
        if (!batch) continue;
        EXPECT_LE(batch->trials.size(), 4u);
        for (auto t : batch->trials) {
          EXPECT_EQ(index.trial_subject(t), batch->subject) << "mixed subjects in a micro-batch";
          seen.insert(t);
        }
      }
    }
    const auto expected = train_trials(index);
    EXPECT_EQ(seen.size(), expected.size()) << "world " << world;
    EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()), expected) << "world " << world;
    EXPECT_EQ(position.epoch, 0);
    EXPECT_EQ(position.cursor, sampler.batches_per_epoch());
  }
}

TEST(Sampler, GlobalOrderIsIndependentOfWorldSizeAndSeededPerEpoch) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.seed = 9;
  GlobalSampler sampler(index, options);
  const auto epoch0 = sampler.epoch_batches(0);
  for (int world : {1, 2, 3}) {
    SamplerPosition position;
    std::vector<std::vector<std::int64_t>> order;
    for (std::int64_t step = 0; step < sampler.steps_per_epoch(world); ++step) {
      SamplerPosition after;
      for (int rank = 0; rank < world; ++rank) {
        SamplerPosition p = position;
        if (auto b = sampler.next(p, rank, world)) order.push_back(b->trials);
        after = p;
      }
      position = after;
    }
    ASSERT_EQ(order.size(), epoch0.size());
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], epoch0[i].trials);
  }
  EXPECT_NE(sampler.epoch_batches(1)[0].trials, epoch0[0].trials);
  GlobalSampler same(index, options);
  EXPECT_EQ(same.epoch_batches(0)[3].trials, epoch0[3].trials);
}

// Gradient accumulation reads one step's micro-batches with one loader each, in parallel,
// from one sampler: every reader sees the global order, across epoch boundaries.
TEST(Sampler, ConcurrentReadersOfOneSamplerSeeTheGlobalOrder) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.seed = 4;
  GlobalSampler sampler(index, options);
  constexpr int kReaders = 4, kEpochs = 300;
  std::vector<std::vector<std::vector<std::int64_t>>> seen(kReaders);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < kReaders; ++rank) {
    threads.emplace_back([&, rank] {
      SamplerPosition position;
      for (std::int64_t step = 0; step < kEpochs * sampler.steps_per_epoch(kReaders); ++step) {
        const auto batch = sampler.next(position, rank, kReaders);
        seen[static_cast<std::size_t>(rank)].push_back(batch ? batch->trials
                                                             : std::vector<std::int64_t>{});
      }
    });
  }
  for (auto& t : threads) t.join();
  // Reader r's i-th batch of an epoch is the epoch's batch kReaders * i + r.
  for (int rank = 0; rank < kReaders; ++rank) {
    std::vector<std::vector<std::int64_t>> expected;
    for (std::int64_t epoch = 0; epoch < kEpochs; ++epoch) {
      const auto batches = sampler.epoch_batches(epoch);
      for (std::int64_t step = 0; step < sampler.steps_per_epoch(kReaders); ++step) {
        const auto i = static_cast<std::size_t>(step * kReaders + rank);
        expected.push_back(i < batches.size() ? batches[i].trials : std::vector<std::int64_t>{});
      }
    }
    EXPECT_EQ(seen[static_cast<std::size_t>(rank)], expected) << "reader " << rank;
  }
}

TEST(Sampler, ResumeOnADifferentRankCountContinuesTheSameOrder) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.batch_trials = 3;
  GlobalSampler sampler(index, options);
  const auto epoch0 = sampler.epoch_batches(0);
  SamplerPosition position;
  std::vector<std::vector<std::int64_t>> order;
  for (int step = 0; step < 3; ++step) {  // 3 steps on 2 ranks
    SamplerPosition after;
    for (int rank = 0; rank < 2; ++rank) {
      SamplerPosition p = position;
      order.push_back(sampler.next(p, rank, 2)->trials);
      after = p;
    }
    position = after;
  }
  EXPECT_EQ(position, (SamplerPosition{0, 6}));
  while (position.epoch == 0 && position.cursor < sampler.batches_per_epoch()) {  // resumed on 3
    SamplerPosition after;
    for (int rank = 0; rank < 3; ++rank) {
      SamplerPosition p = position;
      if (auto b = sampler.next(p, rank, 3)) order.push_back(b->trials);
      after = p;
    }
    position = after;
  }
  ASSERT_EQ(order.size(), epoch0.size());
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], epoch0[i].trials) << i;
  // The next call rolls over into epoch 1.
  SamplerPosition p = position;
  auto first = sampler.next(p, 0, 1);
  EXPECT_EQ(p, (SamplerPosition{1, 1}));
  EXPECT_EQ(first->trials, sampler.epoch_batches(1)[0].trials);
}

TEST(Sampler, LengthBucketingReducesPadding) {
  const CorpusIndex index = tiny_index();
  auto padding = [&](int bucket_batches) {
    SamplerOptions options;
    options.batch_trials = 4;
    options.bucket_batches = bucket_batches;
    std::int64_t pad = 0;
    for (const auto& batch : GlobalSampler(index, options).epoch_batches(0)) {
      std::int32_t longest = 0;
      for (auto t : batch.trials) longest = std::max(longest, index.trial_bins[t]);
      for (auto t : batch.trials) pad += longest - index.trial_bins[t];
    }
    return pad;
  };
  EXPECT_LT(padding(16), padding(1) * 2 / 3);
}

TEST(Sampler, SubjectFilterAndErrors) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.subjects = {1};
  for (const auto& batch : GlobalSampler(index, options).epoch_batches(0))
    EXPECT_EQ(batch.subject, 1);
  options.subjects = {7};
  EXPECT_THROW(GlobalSampler(index, options), ConfigError);
  SamplerOptions none;
  none.split = Split::kTest;
  none.subjects = {0};
  CorpusIndex no_test = index;
  for (auto& split : no_test.trial_split) split = 0;
  EXPECT_THROW(GlobalSampler(no_test, none), ConfigError);
  GlobalSampler sampler(index, SamplerOptions{});
  SamplerPosition bad{0, sampler.batches_per_epoch() + 1};
  EXPECT_THROW(sampler.next(bad, 0, 1), ConfigError);
}

}  // namespace
}  // namespace neuroscale::io

namespace neuroscale::io {
namespace {

// The trials one epoch of `sampler` visits.
std::set<std::int64_t> epoch_trials(const GlobalSampler& sampler) {
  std::set<std::int64_t> out;
  for (const auto& batch : sampler.epoch_batches(0))
    out.insert(batch.trials.begin(), batch.trials.end());
  return out;
}

TEST(Sampler, LabelledOnlyAndNestedFractionsOfEachSubject) {
  const CorpusIndex index = tiny_index();
  SamplerOptions options;
  options.labeled_only = true;
  const auto labelled = epoch_trials(GlobalSampler(index, options));
  ASSERT_FALSE(labelled.empty());
  for (const auto t : labelled) EXPECT_GT(index.label_count[static_cast<std::size_t>(t)], 0);
  std::size_t unlabelled_train = 0;
  for (const auto t : train_trials(index))
    unlabelled_train += index.label_count[static_cast<std::size_t>(t)] == 0;
  EXPECT_GT(unlabelled_train, 0u) << "the fixture needs unlabelled (reaching) trials";

  options.fraction = 0.5;
  options.fraction_seed = 3;
  const auto half = epoch_trials(GlobalSampler(index, options));
  options.fraction = 0.1;
  const auto tenth = epoch_trials(GlobalSampler(index, options));
  EXPECT_EQ(half.size(),
            static_cast<std::size_t>(std::llround(0.5 * static_cast<double>(labelled.size()))));
  EXPECT_TRUE(std::includes(labelled.begin(), labelled.end(), half.begin(), half.end()));
  EXPECT_TRUE(std::includes(half.begin(), half.end(), tenth.begin(), tenth.end()))
      << "fractions are nested";
  options.seed = 99;  // the shuffling seed does not change which trials are kept
  EXPECT_EQ(epoch_trials(GlobalSampler(index, options)), tenth);
  options.fraction_seed = 4;
  EXPECT_NE(epoch_trials(GlobalSampler(index, options)), tenth);
  options.fraction = 0.0;
  EXPECT_THROW(GlobalSampler(index, options), ConfigError);
}

}  // namespace
}  // namespace neuroscale::io

namespace neuroscale::io {
namespace {

TEST(Sampler, ATaskFilterKeepsOnlySessionsOfThoseTasks) {
  SynthOptions options;
  options.generator = 2;
  options.subjects[0].imagined_sessions = 2;
  options.subjects[0].trials_per_session = 30;
  const CorpusIndex index = plan_synth_corpus(options).index;
  for (const std::string task : {"attempted_speech", "imagined_speech"}) {
    SamplerOptions o;
    o.batch_trials = 4;
    o.tasks = {task};
    GlobalSampler sampler(index, o);
    std::size_t expected = 0;
    for (std::size_t t = 0; t < index.trial_count(); ++t) {
      expected += index.trial_split[t] == static_cast<std::int8_t>(Split::kTrain) &&
                  index.sessions[static_cast<std::size_t>(index.trial_session[t])].task == task;
    }
    std::size_t seen = 0;
    for (const auto& batch : sampler.epoch_batches(0)) {
      for (const auto trial : batch.trials) {
        ++seen;
        EXPECT_EQ(index
                      .sessions[static_cast<std::size_t>(
                          index.trial_session[static_cast<std::size_t>(trial)])]
                      .task,
                  task);
      }
    }
    EXPECT_EQ(seen, expected) << task;
    EXPECT_GT(seen, 0u);
  }
  SamplerOptions none;
  none.tasks = {"reaching"};
  none.subjects = {0};  // human-a has no reaching sessions
  EXPECT_THROW(GlobalSampler(index, none), ConfigError);
}

}  // namespace
}  // namespace neuroscale::io
