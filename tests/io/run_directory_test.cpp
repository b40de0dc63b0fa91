#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {
namespace {

TEST(RunDirectory, CreatesLayoutAndWritesAtomically) {
  const std::string root = testing::TempDir() + "neuroscale_run_" + std::to_string(::getpid());
  RunDirectory dir(root + "/nested/run/");
  EXPECT_EQ(dir.path(), root + "/nested/run");
  EXPECT_EQ(dir.log_path(3), root + "/nested/run/logs/rank-00003.log");
  struct stat info {};
  EXPECT_EQ(::stat((root + "/nested/run/logs").c_str(), &info), 0);
  dir.write_file("config.yaml", "seed: 1\n");
  dir.write_file("config.yaml", "seed: 2\n");
  EXPECT_EQ(read_file(root + "/nested/run/config.yaml").value(), "seed: 2\n");
  RunDirectory again(root + "/nested/run");  // reopening an existing directory is fine
}

TEST(RunDirectory, FailedWriteKeepsThePreviousFile) {
  const std::string root = testing::TempDir() + "neuroscale_run_fail_" + std::to_string(::getpid());
  RunDirectory dir(root);
  dir.write_file("metrics.txt", "kept\n");
  // A directory where the temporary file should go makes the write fail midway.
  ASSERT_EQ(::mkdir((root + "/metrics.txt.tmp." + std::to_string(::getpid())).c_str(), 0777), 0);
  EXPECT_THROW(dir.write_file("metrics.txt", "new\n"), DataError);
  EXPECT_EQ(read_file(root + "/metrics.txt").value(), "kept\n");
}

TEST(RunDirectory, UnusablePathIsADataErrorNamingIt) {
  const std::string file = testing::TempDir() + "neuroscale_run_file";
  std::ofstream(file) << "x";
  try {
    RunDirectory dir(file + "/run");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create directory '" + file + "/run'"),
              std::string::npos)
        << e.what();
  }
}

TEST(Files, ReadWholeFilesIncludingZeroBytesAndNothingElse) {
  const std::string root = testing::TempDir() + "neuroscale_read_" + std::to_string(::getpid());
  create_directories(root);
  const std::string bytes("a\0b\n\xff", 5);
  write_file_atomically(root + "/bytes", bytes);
  write_file_atomically(root + "/empty", "");
  EXPECT_EQ(read_file(root + "/bytes").value(), bytes);
  EXPECT_EQ(read_file(root + "/empty").value(), "");
  EXPECT_FALSE(read_file(root + "/missing").has_value());
  EXPECT_FALSE(read_file(root).has_value());  // a directory is not a file
}

TEST(Files, TellFilesFromDirectoriesAndSyncOrNameThePath) {
  const std::string root = testing::TempDir() + "neuroscale_files_" + std::to_string(::getpid());
  create_directories(root + "/a/b");
  write_file_atomically(root + "/a/file.txt", "x\n");
  EXPECT_TRUE(path_exists(root + "/a/b") && is_directory(root + "/a/b"));
  EXPECT_FALSE(is_regular_file(root + "/a/b"));
  EXPECT_TRUE(is_regular_file(root + "/a/file.txt") && !is_directory(root + "/a/file.txt"));
  EXPECT_FALSE(path_exists(root + "/missing") || is_directory(root + "/missing"));
  EXPECT_NO_THROW(fsync_path(root + "/a"));
  EXPECT_NO_THROW(fsync_path(root + "/a/file.txt"));
  try {
    fsync_path(root + "/missing");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("'" + root + "/missing'"), std::string::npos) << e.what();
  }
  // A file where a directory is wanted: named as not a directory.
  EXPECT_THROW(create_directories(root + "/a/file.txt"), DataError);
}

}  // namespace
}  // namespace neuroscale::io
