// ARPA language models and CMU-dict lexicons read from files, and their errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "core/check.h"
#include "io/lm/arpa_reader.h"
#include "io/lm/lexicon_reader.h"

namespace neuroscale::io {
namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string path =
      testing::TempDir() + "neuroscale_lm_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kArpa =
    "# written by hand\n"
    "\\data\\\n"
    "ngram 1=4\n"
    "ngram 2=2\n"
    "\n"
    "\\1-grams:\n"
    "-99\t<s>\t-0.5\n"
    "-1.0\t</s>\n"
    "-0.7\thello\t-0.3\n"
    "-0.9\tworld\t-0.2\n"
    "\n"
    "\\2-grams:\n"
    "-0.1\t<s> hello\n"
    "-0.2\thello world\n"
    "\n"
    "\\end\\\n";

TEST(ArpaReader, ReadsProbabilitiesAndBackoffs) {
  const auto lm = read_arpa(write("ok.arpa", kArpa));
  EXPECT_EQ(lm.order(), 2);
  EXPECT_EQ(lm.ngrams(), 6u);
  const double ln10 = std::log(10.0);
  const int s = lm.begin_id(), hello = lm.find("hello"), world = lm.find("world");
  EXPECT_NEAR(lm.log_prob({s}, hello), -0.1 * ln10, 1e-12);
  EXPECT_NEAR(lm.log_prob({hello}, world), -0.2 * ln10, 1e-12);
  EXPECT_NEAR(lm.log_prob({world}, hello), (-0.2 - 0.7) * ln10, 1e-12);
  EXPECT_NEAR(lm.log_prob({world}, lm.end_id()), (-0.2 - 1.0) * ln10, 1e-12);
}

void expect_data_error(const std::string& path, const std::string& fragment, bool lexicon = false) {
  try {
    if (lexicon)
      read_lexicon(path);
    else
      read_arpa(path);
    ADD_FAILURE() << "accepted " << path;
  } catch (const DataError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(ArpaReader, RefusesMalformedFilesNamingTheLine) {
  std::string text = kArpa;
  expect_data_error(write("none.arpa", "just text\n"), "is not an ARPA language model");
  expect_data_error(
      write("count.arpa", std::string(text).replace(text.find("ngram 2=2"), 9, "ngram 2=3")),
      "promises 3 2-grams, the file has 2");
  expect_data_error(write("short.arpa", text.substr(0, text.find("\\end\\"))),
                    "ends before \\end\\");
  expect_data_error(
      write("number.arpa", std::string(text).replace(text.find("-0.2\thello"), 4, "x0.2")),
      "line 14: 'x0.2' is not a number");
  expect_data_error(
      write("fields.arpa", std::string(text).replace(text.find("-0.1\t<s> hello"), 14, "-0.1 <s>")),
      "line 13: a 2-gram needs");
  expect_data_error(testing::TempDir() + "missing.arpa", "cannot read language model");
}

TEST(LexiconReader, ReadsCmuDictStyleWithAlternatesAndStress) {
  const auto lexicon = read_lexicon(write(
      "ok.dict", ";;; comment\nHELLO  HH AH0 L OW1\nHELLO(2)  HH EH0 L OW1\nworld W ER1 L D\n"));
  EXPECT_EQ(lexicon.size(), 2u);
  EXPECT_EQ(lexicon.pronunciations(), 3u);
  int node = lexicon.root();
  for (int id : {16, 3, 21, 25}) node = lexicon.child(node, id);  // HH AH L OW
  ASSERT_GE(node, 0);
  ASSERT_EQ(lexicon.words_at(node).size(), 1u);
  EXPECT_EQ(lexicon.word(lexicon.words_at(node)[0]), "hello");
}

TEST(LexiconReader, RefusesUnknownPhonemesNamingTheLine) {
  expect_data_error(write("bad.dict", "HELLO HH AH0 L OW1\nWORLD W ER1 QX D\n"),
                    "line 2: 'QX' (in 'world')", true);
  expect_data_error(write("bare.dict", "HELLO\n"), "line 1: 'hello' has no phonemes", true);
  expect_data_error(write("empty.dict", ";;; nothing\n"), "holds no words", true);
}

}  // namespace
}  // namespace neuroscale::io
