#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/text.h"

namespace neuroscale {
namespace {

TEST(Text, EditDistanceHandComputed) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("lr", "lrr"), 1u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
}

TEST(Text, NearestSuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"lr", "weight_decay", "warmup_steps"};
  EXPECT_EQ(nearest("weight_decy", keys), "weight_decay");
  EXPECT_EQ(nearest("warmup_step", keys), "warmup_steps");
  EXPECT_EQ(nearest("completely_different", keys), "");
  EXPECT_EQ(did_you_mean("lrr", keys), " (did you mean 'lr'?)");
  EXPECT_EQ(did_you_mean("zzzzzzzz", keys), "");
}

TEST(Text, FormatsNumbersWithSignificantDigitsAndNamesNonFinite) {
  EXPECT_EQ(format_number(0.123456789, 6, "nan"), "0.123457");
  EXPECT_EQ(format_number(0.123456789, 7, ""), "0.1234568");
  EXPECT_EQ(format_number(2.5, 6, "nan"), "2.5");
  EXPECT_EQ(format_number(1e6, 6, "nan"), "1e+06");
  EXPECT_EQ(format_number(std::nan(""), 6, "nan"), "nan");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity(), 7, ""), "");
}

TEST(Text, FormatsSizesAndDurations) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024), "3.0 GiB");
  EXPECT_EQ(format_duration(59.24), "59.2 s");
  EXPECT_EQ(format_duration(125), "2 min 05 s");
  EXPECT_EQ(format_duration(3725), "1 h 02 min");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(Text, ShapesAndPrefixes) {
  EXPECT_EQ(shape_text({2, 3, 4}), "[2, 3, 4]");
  EXPECT_EQ(shape_text({}), "[]");
  EXPECT_TRUE(starts_with("model.encoder", "model."));
  EXPECT_FALSE(starts_with("mod", "model."));
  EXPECT_TRUE(starts_with("anything", ""));
}

TEST(Text, AlignedColumnsPadToTheWidestCellAndTrimTrailingSpaces) {
  EXPECT_EQ(aligned_columns({{"name", "step"}, {"step-00000030", "30"}, {"x", ""}}, "  "),
            "  name           step\n"
            "  step-00000030  30\n"
            "  x\n");
  EXPECT_EQ(aligned_columns({}), "");
}

}  // namespace
}  // namespace neuroscale
