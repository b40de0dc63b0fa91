#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <fstream>

#include "core/check.h"
#include "io/corpus/corpus_reader.h"
#include "io/hdf5/h5_file.h"
#include "io/synth/synth_corpus.h"

namespace neuroscale::io {
namespace {

std::string temp_path(const std::string& name) {
  std::string path = testing::TempDir() + "neuroscale_" + name;
  std::remove(path.c_str());
  return path;
}

TEST(Corpus, SynthWriteReadRoundTrip) {
  SynthOptions options;
  options.dtype = "float32";
  const std::string path = temp_path("roundtrip.h5");
  write_synth_corpus(options, path, MPI_COMM_WORLD, false);
  CorpusReader reader(path, MPI_COMM_NULL);
  CorpusContent plan = plan_synth_corpus(options);
  const CorpusIndex& index = reader.index();
  EXPECT_EQ(index.trial_bins, plan.index.trial_bins);
  EXPECT_EQ(index.trial_row, plan.index.trial_row);
  EXPECT_EQ(index.subjects[0].name, "human-a");
  EXPECT_EQ(index.subjects[0].feature_layout, "128 threshold crossings + 128 spike-band power");
  EXPECT_EQ(index.sessions[1].task, "attempted_speech");
  EXPECT_EQ(index.source, "synth");
  for (std::size_t session : {std::size_t{0}, std::size_t{3}}) {
    SessionFeatures expected = generate_session(options, plan, session);
    for (std::size_t i = 0; i < expected.trials.size(); ++i) {
      EXPECT_EQ(reader.read_trial(expected.trials[i]), expected.features[i]);
    }
    std::vector<float> mean, std;
    reader.read_norm_stats(session, mean, std);
    EXPECT_EQ(mean, expected.mean);
    EXPECT_EQ(std, expected.std);
  }
  const std::size_t speech_trial = 0;
  auto labels = reader.read_labels(speech_trial);
  ASSERT_EQ(labels.size(), static_cast<std::size_t>(plan.index.label_count[0]));
  EXPECT_EQ(labels.back(), kSilenceId);
  EXPECT_FALSE(reader.read_text(speech_trial).empty());
  EXPECT_THROW(reader.read_trial(index.trial_count()), DataError);
}

TEST(Corpus, Float16StorageIsWithinHalfPrecision) {
  SynthOptions options;
  options.dtype = "float16";
  const std::string path = temp_path("half.h5");
  write_synth_corpus(options, path, MPI_COMM_WORLD, false);
  CorpusReader reader(path, MPI_COMM_NULL);
  CorpusContent plan = plan_synth_corpus(options);
  SessionFeatures expected = generate_session(options, plan, 0);
  auto got = reader.read_trial(expected.trials[0]);
  ASSERT_EQ(got.size(), expected.features[0].size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const float x = expected.features[0][i];
    ASSERT_NEAR(got[i], x, std::abs(x) * 1e-3f + 1e-4f) << i;
  }
}

TEST(Corpus, ExistingOutputIsRefusedAndKeptIntact) {
  const std::string path = temp_path("existing.h5");
  { std::ofstream(path) << "precious"; }
  SynthOptions options;
  try {
    write_synth_corpus(options, path, MPI_COMM_WORLD, false);
    FAIL() << "overwrote an existing file";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists (pass --force"), std::string::npos);
  }
  std::ifstream in(path);
  std::string text;
  in >> text;
  EXPECT_EQ(text, "precious");
}

TEST(Corpus, FailedWriteLeavesNoFileBehind) {
  const std::string path = temp_path("failed.h5");
  SynthOptions options;
  CorpusContent content = plan_synth_corpus(options);
  std::string temp;
  {
    CorpusWriter writer(path, MPI_COMM_WORLD, content, false);
    temp = writer.temporary_path();
    EXPECT_THROW(writer.write_trial(0, std::vector<float>(3)), Error);  // wrong size
    // No commit: the destructor discards the temporary file.
  }
  EXPECT_NE(temp.find(".tmp."), std::string::npos);
  EXPECT_EQ(std::fopen(temp.c_str(), "r"), nullptr);
  EXPECT_EQ(std::fopen(path.c_str(), "r"), nullptr);
}

TEST(Corpus, RejectsNonCorpusAndUnknownVersion) {
  const std::string plain = temp_path("plain.h5");
  { H5Id file = create_file(plain, MPI_COMM_NULL); }
  try {
    CorpusReader reader(plain, MPI_COMM_NULL);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("not a neuroscale corpus"), std::string::npos) << e.what();
  }
  const std::string future = temp_path("future.h5");
  {
    H5Id file = create_file(future, MPI_COMM_NULL);
    write_attribute(file.get(), "format", std::string(kCorpusFormatName));
    write_attribute(file.get(), "format_version", std::int64_t{99});
  }
  try {
    CorpusReader reader(future, MPI_COMM_NULL);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("format version 99; this build reads version 1"),
              std::string::npos)
        << e.what();
  }
  const std::string text = temp_path("text.h5");
  { std::ofstream(text) << "not hdf5"; }
  EXPECT_THROW(CorpusReader(text, MPI_COMM_NULL), DataError);
  EXPECT_THROW(CorpusReader(temp_path("missing.h5"), MPI_COMM_NULL), DataError);
}

TEST(Corpus, IndexValidationNamesTheProblem) {
  CorpusIndex index;
  index.subjects.push_back({"s", "human", 4, "4 tx"});
  index.sessions.push_back({0, "2024-01-01", 0, "reaching"});
  index.add_trial(0, Split::kTrain, 10, 0, 0);
  index.add_trial(0, Split::kVal, 5, 0, 0);
  index.assign_norm_groups();
  EXPECT_EQ(index.trial_row[1], 10);
  EXPECT_NO_THROW(index.validate("x.h5"));
  index.trial_row[1] = 9;
  try {
    index.validate("x.h5");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(
        e.what(),
        "x.h5: trial 1 starts at feature row 9, expected 10 (rows must be contiguous per subject)");
  }
}

TEST(Corpus, NormGroupsPerDayAndPerBlock) {
  CorpusIndex index;
  index.subjects.push_back({"s", "human", 4, "4 tx"});
  index.sessions.push_back({0, "2024-01-01", 0, "attempted_speech"});
  index.sessions.push_back({0, "2024-01-08", 7, "attempted_speech"});
  index.add_trial(0, Split::kTrain, 10, 0, 0, /*block=*/1);
  index.add_trial(0, Split::kTrain, 10, 0, 0, /*block=*/2);
  index.add_trial(1, Split::kTest, 10, 0, 0, /*block=*/1);
  index.add_trial(0, Split::kVal, 10, 0, 0, /*block=*/1);
  index.assign_norm_groups();
  EXPECT_EQ(index.norm_groups.size(), 2u);
  EXPECT_EQ(index.trial_norm_group, (std::vector<std::int32_t>{0, 0, 1, 0}));
  index.normalization = "per_block";
  index.assign_norm_groups();
  ASSERT_EQ(index.norm_groups.size(), 3u);
  EXPECT_EQ(index.trial_norm_group, (std::vector<std::int32_t>{0, 1, 2, 0}));
  EXPECT_EQ(index.norm_groups[2].session, 1);
  EXPECT_EQ(index.norm_groups[1].block, 2);
  EXPECT_NO_THROW(index.validate("x.h5"));
  index.trial_norm_group[2] = 0;  // a group of another session
  EXPECT_THROW(index.validate("x.h5"), DataError);
}

TEST(Corpus, SummaryListsSubjectsAndSplits) {
  SynthOptions options;
  CorpusContent plan = plan_synth_corpus(options);
  const std::string text = summarize(plan.index, "c.h5");
  EXPECT_NE(text.find("2 subjects, 4 sessions, 32 trials"), std::string::npos) << text;
  EXPECT_NE(text.find("monkey-a"), std::string::npos);
  EXPECT_NE(text.find("splits: train"), std::string::npos);
}

}  // namespace
}  // namespace neuroscale::io
