// Checkpoint file pieces: XXH64 against the reference implementation's values, the training
// state round trip, and manifest verification naming the failed check.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "core/error.h"
#include "io/checkpoint/manifest.h"
#include "io/checkpoint/training_state.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"

namespace ns = neuroscale;
using namespace ns::io;

namespace {
std::uint64_t hash_of(const std::string& text, std::uint64_t seed = 0) {
  XxHash64 hash(seed);
  hash.update(text.data(), text.size());
  return hash.digest();
}
}  // namespace

TEST(XxHash64, MatchesTheReferenceImplementation) {
  // Values from the xxhash Python package (the reference C implementation).
  EXPECT_EQ(hash_of(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(hash_of("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(hash_of("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(hash_of("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
  std::string long_text;
  for (int i = 0; i < 1000; ++i) long_text.push_back(static_cast<char>((i * 31 + 7) % 256));
  EXPECT_EQ(hash_of(long_text), 0x99594F4828043D35ULL);
  EXPECT_EQ(hash_of(long_text, 12345), 0xCBD42AE414E71A03ULL);
  // streaming in uneven pieces gives the same digest
  XxHash64 pieces;
  for (std::size_t at = 0; at < long_text.size(); at += 7)
    pieces.update(long_text.data() + at, std::min<std::size_t>(7, long_text.size() - at));
  EXPECT_EQ(pieces.digest(), 0x99594F4828043D35ULL);
}

TEST(CheckpointFiles, TrainingStateRoundTripsAndManifestVerificationNamesTheFailure) {
  const std::string dir = ::testing::TempDir() + "ckpt_files_" + std::to_string(::getpid());
  create_directories(dir);
  TrainingState state;
  state.step = 12;
  state.epoch = 1;
  state.cursor = 40;
  state.rank = 1;
  state.world_size = 2;
  state.cpu_rng = {1, 2, 3, 250};
  state.lr = 2.5e-4;
  state.metrics = {{10, {{"loss", 0.75}, {"lr", 3e-4}}}, {12, {{"loss", 0.5}}}};
  save_training_state(state, dir + "/state-00001.txt");
  const auto loaded = load_training_state(dir + "/state-00001.txt");
  EXPECT_EQ(loaded.step, 12);
  EXPECT_EQ(loaded.cursor, 40);
  EXPECT_EQ(loaded.cpu_rng, state.cpu_rng);
  EXPECT_EQ(loaded.lr, 2.5e-4);
  EXPECT_EQ(loaded.metrics, state.metrics);

  Manifest manifest;
  manifest.step = 12;
  manifest.world_size = 2;
  manifest.config_hash = "abc";
  manifest.code_version = "test";
  // The file list of a 2-rank checkpoint: a shard and a state file for each rank.
  for (const char* other :
       {"state-00000.txt", "shard-00000.safetensors", "shard-00001.safetensors"}) {
    std::ofstream(dir + "/" + other) << other;
  }
  for (const char* name : {"state-00001.txt", "state-00000.txt", "shard-00000.safetensors",
                           "shard-00001.safetensors"}) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path, std::ios::ate);
    manifest.files.push_back({name, static_cast<std::uint64_t>(in.tellg()), xxhash64_file(path)});
  }
  manifest.tensors.push_back({"model.w", "shard-00000.safetensors", "F32", {3, 4}});
  write_manifest(manifest, dir);
  const auto read = read_manifest(dir);
  EXPECT_EQ(read.step, 12);
  EXPECT_EQ(read.tensors.at(0).shape, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(verify_files(read, dir), "");
  {
    std::ofstream out(dir + "/state-00001.txt", std::ios::app);
    out << "x";
  }
  EXPECT_NE(verify_files(read, dir).find("state-00001.txt: "), std::string::npos);
  std::remove((dir + "/state-00001.txt").c_str());
  EXPECT_NE(verify_files(read, dir).find("missing"), std::string::npos);
  std::remove((dir + "/manifest.yaml").c_str());
  EXPECT_THROW(read_manifest(dir), ns::CheckpointError);
  EXPECT_THROW(load_training_state(dir + "/nope.txt"), ns::CheckpointError);
}

// The reader bounds every count by the file's size: a crafted count is a CheckpointError, not
// an allocation of what it claims (Boost's own loader resizes first). It reads back what Boost
// writes, class versions and first-object class information included.
TEST(CheckpointFiles, TrainingStateReaderBoundsCountsAndReadsBoostsLayout) {
  const std::string dir = ::testing::TempDir() + "ckpt_state_" + std::to_string(::getpid());
  create_directories(dir);
  TrainingState state;
  state.step = 7;
  state.cpu_rng = {0, 255, 3};
  state.metrics = {
      {2, {}}, {4, {{"loss", 1.25}}}, {6, {{"loss", 0.5}, {"r2", -0.25}}}};  // an empty map first
  save_training_state(state, dir + "/state.txt");
  const auto loaded = load_training_state(dir + "/state.txt");
  EXPECT_EQ(loaded.step, 7);
  EXPECT_EQ(loaded.cpu_rng, state.cpu_rng);
  EXPECT_EQ(loaded.metrics, state.metrics);

  std::ifstream in(dir + "/state.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string crafted = text;
  crafted.replace(crafted.find(" 3 0 0 255 3 "), 13,
                  " 900000000000 0 0 255 3 ");  // the CPU generator's count
  std::ofstream(dir + "/crafted.txt") << crafted;
  try {
    load_training_state(dir + "/crafted.txt");
    FAIL() << "a count larger than the file was accepted";
  } catch (const ns::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("CPU generator state 900000000000 at byte"),
              std::string::npos)
        << error.what();
  }
  std::ofstream(dir + "/cut.txt") << text.substr(0, text.size() / 2);
  EXPECT_THROW(load_training_state(dir + "/cut.txt"), ns::CheckpointError);
}
