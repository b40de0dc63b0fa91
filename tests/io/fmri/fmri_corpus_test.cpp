#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

#include "core/error.h"
#include "io/fmri/fmri_reader.h"
#include "io/fmri/fmri_writer.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "neuroscale_fmri_" + std::to_string(::getpid()) + "_" + name +
         ".h5";
}

FmriStory make_story(const std::string& name, const std::string& split, std::int64_t rows) {
  FmriStory story;
  story.name = name;
  story.split = split;
  story.samples = 16000 * (2 * rows + 12);
  for (std::int64_t i = 0; i < rows; ++i)
    story.tr_times.push_back(11.0 + 2.0 * static_cast<double>(i));
  return story;
}

at::Tensor values(std::vector<std::int64_t> sizes, double offset) {
  std::int64_t n = 1;
  for (auto s : sizes) n *= s;
  return (at::arange(n, at::kFloat) * 0.01 + offset).reshape(sizes);
}

// Two stories (5 and 7 rows), V = 4; P01 hears both (repeats of "smoke"), P02 one.
std::string write_example(const std::string& name) {
  const std::string path = temp_path(name);
  std::remove(path.c_str());
  FmriWriter writer(path, 16000, 2.0, 4, "test", false);
  const FmriStory smoke = make_story("smoke", "test", 5), box = make_story("box", "val", 7);
  writer.add_story(smoke, values({smoke.samples}, -0.5) * 1e-4);
  writer.add_story(box, values({box.samples}, 0.25) * 1e-4);
  writer.add_responses("P01", "smoke", values({5, 4}, 1), values({3, 5, 4}, 2));
  writer.add_responses("P01", "box", values({7, 4}, 3));
  writer.add_responses("P02", "box", values({7, 4}, 4), {}, "held_out");
  writer.add_dataset("/ground_truth/weights", values({2, 4}, 5));
  writer.commit();
  return path;
}

void expect_data_error(const std::function<void()>& action, const std::vector<std::string>& parts) {
  try {
    action();
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    for (const auto& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

// Reopens `path` for writing and replaces the dataset at `dataset` by one of `dims`.
void replace_dataset(const std::string& path, const std::string& dataset,
                     const std::vector<hsize_t>& dims, const std::vector<double>& data = {}) {
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, "reopen");
  NS_H5_CHECK(H5Ldelete(file.get(), dataset.c_str(), H5P_DEFAULT), "delete");
  const hid_t type = data.empty() ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  H5Id created = create_dataset(file.get(), dataset, type, dims);
  if (!data.empty()) write_rows(created.get(), H5T_NATIVE_DOUBLE, 0, dims[0], data.data());
}

TEST(FmriCorpus, RoundTripKeepsEveryValue) {
  const std::string path = write_example("round_trip");
  FmriReader reader(path);
  const FmriIndex& index = reader.index();
  EXPECT_EQ(index.voxels, 4);
  EXPECT_DOUBLE_EQ(index.sample_rate, 16000);
  EXPECT_DOUBLE_EQ(index.tr_s, 2.0);
  EXPECT_EQ(index.source, "test");
  ASSERT_EQ(index.stories.size(), 2u);
  EXPECT_EQ(index.stories[0].name, "box");  // name order
  EXPECT_EQ(index.story("smoke").split, "test");
  EXPECT_EQ(index.story("box").split, "val");
  EXPECT_EQ(index.story("smoke").tr_times, make_story("smoke", "test", 5).tr_times);
  EXPECT_EQ(index.story("box").samples, 16000 * 26);
  EXPECT_EQ(index.stories_in_split("test"), std::vector<std::string>{"smoke"});
  EXPECT_EQ(index.participant("P02").role, "held_out");
  EXPECT_EQ(index.participants_with_role("train"), std::vector<std::string>{"P01"});
  EXPECT_EQ(index.participant("P01").stories, (std::vector<std::string>{"box", "smoke"}));
  EXPECT_EQ(index.participant("P01").repeat_stories, std::vector<std::string>{"smoke"});

  EXPECT_TRUE(at::equal(reader.audio("smoke"), values({16000 * 22}, -0.5) * 1e-4));
  EXPECT_TRUE(at::equal(reader.responses("P01", "smoke"), values({5, 4}, 1)));
  EXPECT_TRUE(at::equal(reader.repeats("P01", "smoke"), values({3, 5, 4}, 2)));
  EXPECT_FALSE(reader.repeats("P01", "box").defined());
  EXPECT_TRUE(at::equal(reader.responses("P02", "box"), values({7, 4}, 4)));
  EXPECT_TRUE(reader.has_responses("P01", "smoke"));
  EXPECT_FALSE(reader.has_responses("P02", "smoke"));
  EXPECT_TRUE(reader.has_dataset("/ground_truth/weights"));
  EXPECT_FALSE(reader.has_dataset("/ground_truth/missing/deeper"));
  EXPECT_TRUE(at::equal(reader.dataset("/ground_truth/weights"), values({2, 4}, 5)));
  const std::string summary = summarize(index);
  EXPECT_NE(summary.find("4 voxels"), std::string::npos) << summary;
  EXPECT_NE(summary.find("P02 (held_out, 1 stories)"), std::string::npos) << summary;
  std::remove(path.c_str());
}

TEST(FmriCorpus, LookupsNameTheFileAndTheKnownNames) {
  const std::string path = write_example("lookups");
  FmriReader reader(path);
  expect_data_error([&] { reader.index().story("nope"); }, {path, "no story 'nope'", "box, smoke"});
  expect_data_error([&] { reader.index().participant("P09"); }, {path, "P09", "P01, P02"});
  expect_data_error([&] { reader.responses("P02", "smoke"); },
                    {path, "participant 'P02'", "story 'smoke'", "box"});
  std::remove(path.c_str());
}

TEST(FmriCorpus, OpeningValidatesShapesAndTimes) {
  struct Case {
    std::string dataset;
    std::vector<hsize_t> dims;
    std::vector<double> data;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"/participants/P01/smoke/responses",
       {6, 4},
       {},
       {"participant 'P01'", "story 'smoke'", "'responses'", "[6, 4]", "expected [5, 4]"}},
      {"/participants/P02/box/responses",
       {7, 3},
       {},
       {"participant 'P02'", "story 'box'", "expected [7, 4]"}},
      {"/participants/P01/smoke/repeats",
       {3, 4, 4},
       {},
       {"participant 'P01'", "story 'smoke'", "'repeats'", "[R, 5, 4]"}},
      {"/stories/box/tr_times",
       {7},
       {11, 13, 15, 15, 19, 21, 23},
       {"story 'box'", "'tr_times'", "not increasing at row 3"}},
      {"/stories/smoke/tr_times",
       {4},
       {11, 13, 15, 17},
       {"participant 'P01'", "story 'smoke'", "expected [4, 4]"}},
  };
  for (const Case& c : cases) {
    const std::string path = write_example("invalid");
    replace_dataset(path, c.dataset, c.dims, c.data);
    std::vector<std::string> parts = c.message;
    parts.push_back(path);
    expect_data_error([&] { FmriReader reader(path); }, parts);
    std::remove(path.c_str());
  }
}

TEST(FmriCorpus, ReadingRejectsNonFiniteValues) {
  const std::string path = write_example("nan");
  {
    H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, "reopen");
    H5Id dataset = open_dataset(file.get(), "/participants/P01/box/responses");
    const float nan = std::nanf("");
    write_rows(dataset.get(), H5T_NATIVE_FLOAT, 2, 1, std::vector<float>{0, nan, 0, 0}.data());
  }
  FmriReader reader(path);
  expect_data_error([&] { reader.responses("P01", "box"); },
                    {path, "participant 'P01'", "story 'box'", "'responses'", "first at [2, 1]"});
  EXPECT_NO_THROW(reader.responses("P01", "smoke"));
  std::remove(path.c_str());
}

TEST(FmriCorpus, WriterChecksInputsAndNeverDamagesAnEarlierFile) {
  const std::string path = write_example("atomic");
  expect_data_error([&] { FmriWriter writer(path, 16000, 2.0, 4, "test", false); },
                    {path, "--force"});
  {
    FmriWriter writer(path, 16000, 2.0, 4, "replacement", true);
    const FmriStory story = make_story("s", "train", 3);
    writer.add_story(story, at::zeros({story.samples}));
    expect_data_error(
        [&] {
          writer.add_responses("P01", "s", at::zeros({4, 4}));
        },
        {"participant 'P01'", "story 's'", "expected [3, 4]"});
    expect_data_error(
        [&] {
          writer.add_responses("P01", "other", at::zeros({3, 4}));
        },
        {"story 'other'"});
    at::Tensor bad = at::zeros({3, 4});
    bad[1][2] = std::numeric_limits<float>::infinity();
    expect_data_error([&] { writer.add_responses("P01", "s", bad); },
                      {"'responses'", "first at [1, 2]"});
    FmriStory unordered = make_story("u", "train", 3);
    unordered.tr_times[2] = 1.0;
    expect_data_error([&] { writer.add_story(unordered, at::zeros({unordered.samples})); },
                      {"story 'u'", "not increasing at row 2"});
    FmriStory bad_split = make_story("b", "holdout", 3);
    expect_data_error([&] { writer.add_story(bad_split, at::zeros({bad_split.samples})); },
                      {"split is 'holdout'"});
    // Destroyed without commit(): the earlier file stays, the temporary one goes.
    EXPECT_EQ(::access(writer.temporary_path().c_str(), F_OK), 0);
  }
  FmriReader reader(path);
  EXPECT_EQ(reader.index().source, "test");
  EXPECT_EQ(reader.index().stories.size(), 2u);
  {
    // commit() refuses a corpus without participants; the target is untouched.
    FmriWriter writer(path, 16000, 2.0, 4, "replacement", true);
    const FmriStory story = make_story("s", "train", 3);
    writer.add_story(story, at::zeros({story.samples}));
    EXPECT_THROW(writer.commit(), DataError);
  }
  EXPECT_EQ(FmriReader(path).index().source, "test");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace neuroscale::io
