// What the fuzz harnesses share: the input bytes as a file (the readers take paths, as users
// hand them files), and the rule every harness enforces: a reader may reject its input only
// with the error type it documents (DataError, CheckpointError, ConfigError); any other
// exception, a crash, a sanitizer report or an unbounded allocation is a finding.
// Each harness defines LLVMFuzzerTestOneInput; it is linked with libFuzzer (scripts/fuzz,
// -DNEUROSCALE_FUZZ=ON under clang) or with replay_main.cpp, which runs saved inputs (the
// seed corpora and the regression cases, in the test suite).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace neuroscale::fuzz {

// A scratch directory of this process (created once): in /dev/shm where it can be, since
// rewriting a file on a disk file system costs ~30x more than the parse; else under TMPDIR.
inline const std::string& scratch_directory() {
  static const std::string dir = [] {
    const std::string name = "/neuroscale-fuzz-" + std::to_string(::getpid());
    if (::mkdir(("/dev/shm" + name).c_str(), 0700) == 0) return "/dev/shm" + name;
    const char* base = std::getenv("TMPDIR");
    std::string path = std::string(base && *base ? base : "/tmp") + name;
    ::mkdir(path.c_str(), 0700);
    return path;
  }();
  return dir;
}

// Writes the input to scratch_directory()/name and returns the path.
inline std::string input_file(const std::uint8_t* data, std::size_t size, const std::string& name) {
  const std::string path = scratch_directory() + "/" + name;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace neuroscale::fuzz
