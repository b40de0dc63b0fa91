// The global batch order of brain-tuning (io::TrBatchPlan): counts by hand, the order
// story -> participant -> consecutive rows, every (story, participant, row) once per epoch,
// seeded shuffles that keep a story's row order shared by its participants, the contiguous
// row shares of virtual ranks, and configuration errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "io/data/tr_batch_plan.h"

namespace {

using neuroscale::ConfigError;
using neuroscale::io::rank_rows;
using neuroscale::io::TrBatch;
using neuroscale::io::TrBatchPlan;
using neuroscale::io::TrPlanOptions;
using neuroscale::io::TrStory;
using Rows = std::vector<std::int64_t>;

// Four stories with different lengths and different participant subsets: "a" heard by
// participants 0 and 2, "b" by 1 alone, "c" by nobody, "d" by all three in the order 2, 0, 1.
std::vector<TrStory> stories() {
  return {{"a", 5, {0, 2}}, {"b", 3, {1}}, {"c", 4, {}}, {"d", 7, {2, 0, 1}}};
}

TrPlanOptions options(std::int64_t batch_rows, bool shuffle = false, std::uint64_t seed = 0) {
  TrPlanOptions o;
  o.batch_rows = batch_rows;
  o.shuffle = shuffle;
  o.seed = seed;
  return o;
}

// Every (story, participant, row) of an epoch, in order.
std::vector<std::tuple<int, int, std::int64_t>> visits(const std::vector<TrBatch>& batches) {
  std::vector<std::tuple<int, int, std::int64_t>> out;
  for (const auto& b : batches) {
    for (const auto row : b.rows) out.emplace_back(b.story, b.participant, row);
  }
  return out;
}

// What every epoch must cover exactly once, whatever the order.
std::set<std::tuple<int, int, std::int64_t>> expected_visits() {
  std::set<std::tuple<int, int, std::int64_t>> out;
  const auto all = stories();
  for (std::size_t s = 0; s < all.size(); ++s) {
    for (const auto p : all[s].participants) {
      for (std::int64_t r = 0; r < all[s].rows; ++r) out.emplace(static_cast<int>(s), p, r);
    }
  }
  return out;
}

void expect_complete(const std::vector<TrBatch>& batches) {
  const auto seen = visits(batches);
  const std::set<std::tuple<int, int, std::int64_t>> unique(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), unique.size()) << "a (story, participant, row) is visited twice";
  EXPECT_EQ(unique, expected_visits());
}

TEST(TrBatchPlan, CountsBatchesAndRowsByHand) {
  // batch_rows 3: a: ceil(5/3) = 2 batches x 2 participants; b: 1 x 1; c: none; d: 3 x 3.
  const TrBatchPlan plan(stories(), options(3));
  EXPECT_EQ(plan.batches_per_epoch(), 2 * 2 + 1 * 1 + 0 + 3 * 3);
  EXPECT_EQ(plan.rows_per_epoch(), 5 * 2 + 3 * 1 + 0 + 7 * 3);
  EXPECT_EQ(static_cast<std::int64_t>(plan.epoch(0).size()), plan.batches_per_epoch());
  EXPECT_EQ(static_cast<std::int64_t>(plan.epoch(5).size()), plan.batches_per_epoch());
  // One row per batch, and one batch holding every row.
  EXPECT_EQ(TrBatchPlan(stories(), options(1)).batches_per_epoch(), 5 * 2 + 3 + 7 * 3);
  EXPECT_EQ(TrBatchPlan(stories(), options(100)).batches_per_epoch(), 2 + 1 + 3);
  EXPECT_EQ(TrBatchPlan(stories(), options(100)).rows_per_epoch(), 34);
}

TEST(TrBatchPlan, OrderIsStoryThenParticipantThenConsecutiveRows) {
  const TrBatchPlan plan(stories(), options(3));
  const std::vector<std::tuple<int, int, Rows>> expected = {
      {0, 0, {0, 1, 2}}, {0, 0, {3, 4}},                  // story a, participant 0
      {0, 2, {0, 1, 2}}, {0, 2, {3, 4}},                  // story a, participant 2
      {1, 1, {0, 1, 2}},                                  // story b, participant 1
      {3, 2, {0, 1, 2}}, {3, 2, {3, 4, 5}}, {3, 2, {6}},  // story d, in its given order 2, 0, 1
      {3, 0, {0, 1, 2}}, {3, 0, {3, 4, 5}}, {3, 0, {6}},
      {3, 1, {0, 1, 2}}, {3, 1, {3, 4, 5}}, {3, 1, {6}},
  };
  for (const std::int64_t epoch : {0, 1, 7}) {  // unshuffled: every epoch alike
    const auto batches = plan.epoch(epoch);
    ASSERT_EQ(batches.size(), expected.size());
    for (std::size_t i = 0; i < batches.size(); ++i) {
      EXPECT_EQ(batches[i].story, std::get<0>(expected[i])) << "batch " << i;
      EXPECT_EQ(batches[i].participant, std::get<1>(expected[i])) << "batch " << i;
      EXPECT_EQ(batches[i].rows, std::get<2>(expected[i])) << "batch " << i;
    }
    expect_complete(batches);
  }
  EXPECT_EQ(plan.stories()[3].name, "d");
}

TEST(TrBatchPlan, ShuffleIsSeededPerEpochSharedByParticipantsAndComplete) {
  const auto all = stories();
  const TrBatchPlan plan(all, options(2, true, 122));
  const auto e0 = plan.epoch(0);
  const auto e1 = plan.epoch(1);
  EXPECT_EQ(visits(e0), visits(plan.epoch(0)));  // same seed and epoch
  EXPECT_EQ(visits(e0), visits(TrBatchPlan(stories(), options(2, true, 122)).epoch(0)));
  EXPECT_NE(visits(e0), visits(e1));  // another epoch
  EXPECT_NE(visits(e0),
            visits(TrBatchPlan(stories(), options(2, true, 123)).epoch(0)));   // another seed
  EXPECT_NE(visits(e0), visits(TrBatchPlan(stories(), options(2)).epoch(0)));  // really shuffled

  for (const auto& batches : {e0, e1, plan.epoch(2)}) {
    expect_complete(batches);
    ASSERT_EQ(static_cast<std::int64_t>(batches.size()), plan.batches_per_epoch());
    // Still story -> participant (given order) -> consecutive batches, and within a story
    // every participant reads the story's rows in the same (shuffled) order.
    std::map<int, std::map<int, Rows>> rows_of;  // story -> participant -> rows in order
    std::vector<int> story_order;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const auto& b = batches[i];
      EXPECT_LE(static_cast<std::int64_t>(b.rows.size()), 2);
      if (story_order.empty() || story_order.back() != b.story) {
        EXPECT_EQ(std::count(story_order.begin(), story_order.end(), b.story), 0)
            << "story " << b.story << " visited twice";
        story_order.push_back(b.story);
      }
      auto& mine = rows_of[b.story][b.participant];
      if (mine.empty() && i > 0 && batches[i - 1].story == b.story) {
        // A new participant of the same story: the next one in the story's given order.
        const auto& order = all[static_cast<std::size_t>(b.story)].participants;
        const auto previous = std::find(order.begin(), order.end(), batches[i - 1].participant);
        ASSERT_NE(previous + 1, order.end());
        EXPECT_EQ(*(previous + 1), b.participant) << "batch " << i;
      }
      mine.insert(mine.end(), b.rows.begin(), b.rows.end());
    }
    for (const auto& [story, by_participant] : rows_of) {
      for (const auto& [participant, rows] : by_participant) {
        EXPECT_EQ(rows, by_participant.begin()->second)
            << "story " << story << ", participant " << participant;
      }
    }
  }
}

TEST(TrBatchPlan, RankRowsAreContiguousBalancedSharesOfTheBatch) {
  for (const std::size_t n : {1u, 2u, 5u, 7u, 128u}) {
    TrBatch batch{0, 0, {}};
    for (std::size_t i = 0; i < n; ++i)
      batch.rows.push_back(static_cast<std::int64_t>(100 - 3 * i));
    for (int ranks = 1; ranks <= 10; ++ranks) {
      Rows joined;
      std::size_t smallest = n, largest = 0;
      for (int r = 0; r < ranks; ++r) {
        const auto share = rank_rows(batch, r, ranks);
        smallest = std::min(smallest, share.size());
        largest = std::max(largest, share.size());
        joined.insert(joined.end(), share.begin(),
                      share.end());  // contiguous: concatenation in rank order
      }
      EXPECT_EQ(joined, batch.rows) << n << " rows over " << ranks << " ranks";
      EXPECT_LE(largest - smallest, 1u) << n << " rows over " << ranks << " ranks";
    }
  }
  // Fewer rows than virtual ranks: some shares are empty, none holds two rows.
  const TrBatch two{0, 0, {8, 9}};
  EXPECT_EQ(rank_rows(two, 0, 4), Rows{});
  EXPECT_EQ(rank_rows(two, 1, 4), Rows{8});
  EXPECT_EQ(rank_rows(two, 2, 4), Rows{});
  EXPECT_EQ(rank_rows(two, 3, 4), Rows{9});
  EXPECT_THROW(rank_rows(two, 4, 4), neuroscale::Error);
  EXPECT_THROW(rank_rows(two, 0, 0), neuroscale::Error);
}

TEST(TrBatchPlan, ErrorsAreConfigErrorsThatSayWhy) {
  auto message = [](const std::vector<TrStory>& s, const TrPlanOptions& o) -> std::string {
    try {
      TrBatchPlan plan(s, o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no ConfigError)";
  };
  EXPECT_NE(message(stories(), options(0)).find("at least 1 row, got 0"), std::string::npos)
      << message(stories(), options(0));
  const std::string nothing = "nothing to train on";
  EXPECT_NE(message({}, options(4)).find(nothing), std::string::npos) << message({}, options(4));
  EXPECT_NE(message({{"c", 4, {}}}, options(4)).find(nothing), std::string::npos);
  EXPECT_NE(message({{"empty", 0, {0, 1}}}, options(4)).find(nothing), std::string::npos);
}

}  // namespace
