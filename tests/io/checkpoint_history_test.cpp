// A run's checkpoint history: the manifest's own checksum and file list, resume that follows
// `latest` and the parent chain (not the highest step on disk), setting aside what is off the
// chain, and the model identity naming the keys that differ.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_history.h"
#include "io/checkpoint/manifest.h"
#include "io/checkpoint/model_identity.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"

namespace ns = neuroscale;
using namespace ns::io;

namespace {

std::string fresh_directory(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "history_" + name + "_" + std::to_string(::getpid());
  std::system(("rm -rf '" + dir + "'").c_str());
  create_directories(dir);
  return dir;
}

bool exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A committed 1-rank checkpoint step-N under `dir` whose parent is `parent` (with its
// checksum); returns its manifest checksum.
std::uint64_t commit(const std::string& dir, std::int64_t step, const std::string& parent = "",
                     std::uint64_t parent_checksum = 0) {
  const std::string path = dir + "/" + checkpoint_name(step);
  create_directories(path);
  Manifest manifest;
  manifest.step = step;
  manifest.config_hash = "0123456789abcdef";
  manifest.code_version = "test";
  manifest.parent = parent;
  manifest.parent_checksum = parent_checksum;
  for (const std::string& name : {shard_file_name(0), state_file_name(0)}) {
    const std::string file = path + "/" + name;
    std::ofstream(file) << name << " of step " << step;
    std::ifstream in(file, std::ios::ate);
    manifest.files.push_back({name, static_cast<std::uint64_t>(in.tellg()), xxhash64_file(file)});
  }
  return write_manifest(manifest, path);
}

std::string head_name(const std::string& dir) {
  const auto head = resume_head(dir, [](const std::string&, const std::string&) {});
  return head ? head->first.substr(head->first.find_last_of('/') + 1) : "";
}

}  // namespace

TEST(CheckpointHistory, ManifestChecksumDetectsAnEditedOrTruncatedManifest) {
  const auto dir = fresh_directory("checksum");
  commit(dir, 5);
  const std::string path = dir + "/step-00000005/manifest.yaml";
  const auto original = read_text(path);
  EXPECT_EQ(read_manifest(dir + "/step-00000005").step, 5);

  std::string edited = original;
  edited.replace(edited.find("step: 5"), 7, "step: 6");
  std::ofstream(path) << edited;
  try {
    read_manifest(dir + "/step-00000005");
    FAIL() << "an edited manifest was read";
  } catch (const ns::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("is damaged or was edited"), std::string::npos)
        << error.what();
  }
  std::ofstream(path) << original.substr(0, original.rfind("checksum: "));
  try {
    read_manifest(dir + "/step-00000005");
    FAIL() << "a manifest without its checksum line was read";
  } catch (const ns::CheckpointError& error) {
    EXPECT_NE(std::string(error.what()).find("has no checksum line"), std::string::npos)
        << error.what();
  }
}

TEST(CheckpointHistory, ManifestWorldSizeMustMatchItsFiles) {
  const auto dir = fresh_directory("world");
  const std::string path = dir + "/step-00000005";
  commit(dir, 5);
  auto manifest = read_manifest(path);
  manifest.world_size = 2;  // but only rank 0's shard and state are listed
  write_manifest(manifest, path);
  try {
    read_manifest(path);
    FAIL() << "a 2-rank manifest listing one rank's files was read";
  } catch (const ns::CheckpointError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("world_size 2 needs one shard and one state file per rank (4 files), "
                        "the manifest lists 2"),
              std::string::npos)
        << error.what();
  }
}

// A rollback: the run resumed step-10 on purpose and committed step-12 from it; the
// abandoned step-15 and step-20 are higher but not on the run's history.
TEST(CheckpointHistory, ResumeFollowsLatestAndItsChainNotTheHighestStep) {
  const auto dir = fresh_directory("rollback");
  const auto five = commit(dir, 5);
  const auto ten = commit(dir, 10, "step-00000005", five);
  const auto fifteen = commit(dir, 15, "step-00000010", ten);
  commit(dir, 20, "step-00000015", fifteen);
  commit(dir, 12, "step-00000010", ten);
  set_latest(dir, "step-00000012");
  EXPECT_EQ(head_name(dir), "step-00000012");
  EXPECT_EQ(history_chain(dir, "step-00000012"),
            (std::vector<std::string>{"step-00000012", "step-00000010", "step-00000005"}));

  const auto moved = set_aside(dir, history_chain(dir, "step-00000012"));
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0], dir + "/off-chain/step-00000020");
  EXPECT_EQ(moved[1], dir + "/off-chain/step-00000015");
  EXPECT_EQ(committed_checkpoints(dir),
            (std::vector<std::string>{"step-00000012", "step-00000010", "step-00000005"}));
  EXPECT_TRUE(exists(dir + "/off-chain/step-00000020/manifest.yaml"));  // moved, not deleted
  // A name already taken in off-chain/ gets a suffix.
  commit(dir, 20, "step-00000012", 0);
  EXPECT_EQ(set_aside(dir, history_chain(dir, "step-00000012")).at(0),
            dir + "/off-chain/step-00000020.2");
  EXPECT_EQ(off_chain_checkpoints(dir),
            (std::vector<std::string>{"step-00000015", "step-00000020", "step-00000020.2"}));
}

TEST(CheckpointHistory, DamagedLatestFallsBackAlongTheChain) {
  const auto dir = fresh_directory("damaged");
  const auto five = commit(dir, 5);
  const auto ten = commit(dir, 10, "step-00000005", five);
  commit(dir, 15, "step-00000010", ten);
  set_latest(dir, "step-00000015");
  std::remove((dir + "/step-00000015/" + shard_file_name(0)).c_str());
  std::vector<std::string> skipped;
  const auto head = resume_head(dir, [&](const std::string& path, const std::string& why) {
    skipped.push_back(path + ": " + why);
  });
  ASSERT_TRUE(head);
  EXPECT_EQ(head->first, dir + "/step-00000010");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("shard-00000.safetensors: missing"), std::string::npos) << skipped[0];

  // A manifest that cannot be read at all: the next older checkpoint stands in.
  std::ofstream(dir + "/step-00000010/manifest.yaml") << "garbage";
  EXPECT_EQ(head_name(dir), "step-00000005");
}

// A commit that ended after its rename but before `latest` was updated left a child of
// `latest`: it is the newest state of the run's history.
TEST(CheckpointHistory, ACommittedChildOfLatestIsResumed) {
  const auto dir = fresh_directory("child");
  const auto five = commit(dir, 5);
  commit(dir, 10, "step-00000005", five);
  set_latest(dir, "step-00000005");
  EXPECT_EQ(head_name(dir), "step-00000010");
  // ... but not a step-10 of another history (its parent is another step-5).
  commit(dir, 10, "step-00000005", five ^ 1);
  EXPECT_EQ(head_name(dir), "step-00000005");
}

TEST(CheckpointHistory, ChainEndsAtAParentThatWasReplaced) {
  const auto dir = fresh_directory("replaced");
  const auto five = commit(dir, 5);
  commit(dir, 10, "step-00000005", five);
  commit(dir, 5, "step-00000001", 7);  // another step-5, of another history
  EXPECT_NE(read_manifest(dir + "/step-00000005").checksum, five);
  EXPECT_EQ(history_chain(dir, "step-00000010"), (std::vector<std::string>{"step-00000010"}));
}

TEST(CheckpointHistory, NoLatestAndNoCheckpointMeanAFreshStart) {
  const auto dir = fresh_directory("empty");
  EXPECT_EQ(head_name(dir), "");
  commit(dir, 5);
  EXPECT_EQ(head_name(dir),
            "step-00000005");  // written before `latest` existed: the newest stands in
  set_latest(dir, "");
  EXPECT_FALSE(exists(dir + "/latest"));
}

TEST(ModelIdentity, NamesTheKeysThatDiffer) {
  const auto saved =
      model_identity("", {{"subjects", "h1:96, m1:128"}}, "encoder:\n  hidden: 64\n  layers: 2\n");
  const auto current =
      model_identity("", {{"subjects", "h1:96, m1:128"}}, "encoder:\n  hidden: 32\n  layers: 2\n");
  EXPECT_EQ(identity_differences(saved, saved), std::vector<std::string>{});
  EXPECT_EQ(identity_differences(saved, current),
            std::vector<std::string>{"encoder.hidden: 64 -> 32"});
  EXPECT_NE(model_hash(saved), model_hash(current));
  EXPECT_EQ(model_hash(saved).size(), 16u);
  const auto more =
      model_identity("ctc", {{"subjects", "h1:96"}}, "encoder:\n  hidden: 64\n  heads: 4\n");
  EXPECT_EQ(
      identity_differences(saved, more),
      (std::vector<std::string>{"subjects: h1:96, m1:128 -> h1:96", "encoder.layers: 2 -> (absent)",
                                "task: (absent) -> ctc", "encoder.heads: (absent) -> 4"}));
  EXPECT_EQ(identity_differences("", current).size(),
            1u);  // a version-1 manifest has no identity text
}
