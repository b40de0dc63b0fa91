// The speech labels file: a round trip, the refusals of inconsistent labels (nothing written,
// an existing file kept), a file that is not a labels file, labels that belong to another
// corpus; and the phoneme at each frame's centre.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "io/speech/speech_labels.h"

namespace neuroscale::io {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "neuroscale_labels_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Two utterances of 3 and 2 frames, 4 clusters of 2 values.
SpeechLabels example() {
  SpeechLabels l;
  l.corpus = "speech.h5";
  l.features = "mfcc";
  l.clusters = 4;
  l.dim = 2;
  l.inertia = 1.5;
  l.centroids = {0, 1, 2, 3, 4, 5, 6, 7};
  l.offset = {0, 3};
  l.frames = {3, 2};
  l.labels = {3, 0, 1, 2, 2};
  return l;
}

TEST(SpeechLabelsFile, RoundTrip) {
  const std::string path = temp_path("round.h5");
  write_speech_labels(path, example(), true, "seed: 1\n");
  const SpeechLabels back = read_speech_labels(path);
  EXPECT_EQ(back.path, path);
  EXPECT_EQ(back.corpus, "speech.h5");
  EXPECT_EQ(back.features, "mfcc");
  EXPECT_EQ(back.window, 400);
  EXPECT_EQ(back.hop, 320);
  EXPECT_EQ(back.clusters, 4);
  EXPECT_EQ(back.dim, 2);
  EXPECT_DOUBLE_EQ(back.inertia, 1.5);
  EXPECT_EQ(back.centroids, example().centroids);
  EXPECT_EQ(back.offset, example().offset);
  EXPECT_EQ(back.frames, example().frames);
  EXPECT_EQ(back.labels, example().labels);
  std::remove(path.c_str());
}

TEST(SpeechLabelsFile, InconsistentLabelsAreRefusedAndNothingIsDamaged) {
  const std::string path = temp_path("refused.h5");
  write_speech_labels(path, example(), true);
  const std::string before = slurp(path);
  auto refused = [&](SpeechLabels l, const std::string& part) {
    try {
      write_speech_labels(path, l, true);
      ADD_FAILURE() << "accepted labels that should fail with '" << part << "'";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  SpeechLabels l = example();
  l.labels[4] = 4;
  refused(l, "utterance 1, frame 1: label 4 outside [0, 4)");
  l = example();
  l.offset[1] = 2;
  refused(l, "utterance 1: labels at 2 (2 frames); expected them at 3");
  l = example();
  l.labels.pop_back();
  refused(l, "4 labels, the utterances' frames add up to 5");
  l = example();
  l.centroids.pop_back();
  refused(l, "centroids hold 7 values, expected clusters x dim = 4 x 2");
  EXPECT_EQ(slurp(path), before);
  EXPECT_THROW(write_speech_labels(path, example(), false), DataError);  // exists
  EXPECT_EQ(slurp(path), before);
  std::remove(path.c_str());
  EXPECT_THROW(read_speech_labels(path), DataError);  // missing
}

TEST(SpeechLabelsFile, LabelsOfAnotherCorpusAreRefused) {
  SpeechIndex corpus;
  corpus.path = "other.h5";
  corpus.utterances.resize(2);
  corpus.utterances[0].samples = 400 + 2 * 320;    // 3 frames
  corpus.utterances[1].samples = 400 + 320 + 319;  // 2 frames
  const SpeechLabels l = example();
  EXPECT_NO_THROW(check_labels_match(l, corpus));
  corpus.utterances[1].samples = 400 + 2 * 320;  // 3 frames
  try {
    check_labels_match(l, corpus);
    FAIL() << "labels of another corpus were accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "utterance 1: 2 frames, but its 1040 samples in 'other.h5' give 3"),
              std::string::npos)
        << e.what();
  }
  corpus.utterances.resize(3);
  EXPECT_THROW(check_labels_match(l, corpus), DataError);
}

TEST(FramePhonemes, ThePhonemeAtEachFramesCentre) {
  SpeechUtterance u;
  u.samples = 2000;
  // Phonemes from sample 100: id 5 [100, 500), an empty id 6 at 500, id 7 [500, 900), id 8
  // [900, 2000).
  u.phonemes = {
      {5, 100, 500, true}, {6, 500, 500, false}, {7, 500, 900, false}, {8, 900, 2000, false}};
  // Centres (window 400, hop 320): 200, 520, 840, 1160, 1480.
  EXPECT_EQ(frame_phonemes(u, 400, 320, 5), (std::vector<std::int64_t>{5, 7, 7, 8, 8}));
  // With a small window the first centre (25) precedes every phoneme.
  EXPECT_EQ(frame_phonemes(u, 50, 320, 2), (std::vector<std::int64_t>{-1, 5}));
}

}  // namespace
}  // namespace neuroscale::io
