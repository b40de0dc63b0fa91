// tune_host_allocator: a 16 MiB block comes from the heap afterwards (glibc would mmap it
// under its default threshold), and the user's own malloc settings or
// NEUROSCALE_MALLOC_TUNING=0 leave malloc as it is.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "core/host_allocator.h"

namespace {

// Sets (or, with nullopt, removes) an environment variable for the test's scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST(HostAllocator, LargeBlocksComeFromTheHeapOnceTuned) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc";
#endif
  const ScopedEnv mmap("MALLOC_MMAP_THRESHOLD_", std::nullopt),
      trim("MALLOC_TRIM_THRESHOLD_", std::nullopt), tunables("GLIBC_TUNABLES", std::nullopt),
      off("NEUROSCALE_MALLOC_TUNING", std::nullopt);
  ASSERT_TRUE(neuroscale::tune_host_allocator());
  const auto before = mallinfo2();
  void* block = std::malloc(std::size_t{16} << 20);
  ASSERT_NE(block, nullptr);
  const auto during = mallinfo2();
  std::free(block);
  EXPECT_EQ(during.hblkhd, before.hblkhd) << "the block was mmapped";
  EXPECT_GE(during.uordblks, before.uordblks + (std::size_t{16} << 20));
}

TEST(HostAllocator, UserSettingsWin) {
  {
    const ScopedEnv chosen("MALLOC_TRIM_THRESHOLD_", "1048576");
    EXPECT_FALSE(neuroscale::tune_host_allocator());
  }
  {
    const ScopedEnv chosen("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1048576");
    EXPECT_FALSE(neuroscale::tune_host_allocator());
  }
  const ScopedEnv off("NEUROSCALE_MALLOC_TUNING", "0");
  EXPECT_FALSE(neuroscale::tune_host_allocator());
}
