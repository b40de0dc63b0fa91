#include "io/fs/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/check.h"

namespace neuroscale::io {
namespace {

bool stat_path(const std::string& path, struct stat& info) {
  return ::stat(path.c_str(), &info) == 0;
}

}  // namespace

bool path_exists(const std::string& path) {
  struct stat info {};
  return stat_path(path, info);
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return stat_path(path, info) && S_ISDIR(info.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return stat_path(path, info) && S_ISREG(info.st_mode);
}

std::optional<std::string> read_file(const std::string& path) {
  if (is_directory(path)) {
    errno = EISDIR;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return contents.str();
}

void create_directories(const std::string& path) {
  NS_CHECK_AS(DataError, !path.empty(), "empty directory path");
  for (std::size_t end = 1; end <= path.size(); ++end) {
    if (end != path.size() && path[end] != '/') continue;
    const std::string prefix = path.substr(0, end);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      NS_THROW(DataError, "cannot create directory '", prefix, "': ", std::strerror(errno));
    }
  }
  NS_CHECK_AS(DataError, is_directory(path), "'", path, "' exists but is not a directory");
}

FileDigest write_file_atomically(const std::string& path, const std::string& contents) {
  AtomicFile file(path);
  file.write(contents.data(), contents.size());
  return file.commit();
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  NS_CHECK_AS(DataError, fd >= 0, "cannot open '", path, "' to sync it: ", std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  NS_CHECK_AS(DataError, rc == 0, "cannot sync '", path, "': ", std::strerror(error));
}

}  // namespace neuroscale::io
