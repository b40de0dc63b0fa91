#include "io/run/run_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/check.h"

namespace neuroscale::io {

void create_directories(const std::string& path) {
  NS_CHECK_AS(DataError, !path.empty(), "empty directory path");
  for (std::size_t end = 1; end <= path.size(); ++end) {
    if (end != path.size() && path[end] != '/') continue;
    const std::string prefix = path.substr(0, end);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      NS_THROW(DataError, "cannot create directory '", prefix, "': ", std::strerror(errno));
    }
  }
  struct stat info {};
  NS_CHECK_AS(DataError, ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode), "'", path,
              "' exists but is not a directory");
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  NS_CHECK_AS(DataError, fd >= 0, "cannot write '", temp, "': ", std::strerror(errno));
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      NS_THROW(DataError, "cannot write '", temp, "': ", std::strerror(saved));
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced || std::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = synced ? errno : sync_errno;
    ::unlink(temp.c_str());
    NS_THROW(DataError, "cannot write '", path, "': ", std::strerror(saved));
  }
}

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  create_directories(path_ + "/logs");
  NS_CHECK_AS(DataError, ::access(path_.c_str(), W_OK) == 0, "run directory '", path_,
              "' is not writable");
}

std::string RunDirectory::log_path(int rank) const {
  char name[32];
  std::snprintf(name, sizeof(name), "rank-%05d.log", rank);
  return path_ + "/logs/" + name;
}

void RunDirectory::write_file(const std::string& name, const std::string& contents) const {
  write_file_atomically(path_ + "/" + name, contents);
}

}  // namespace neuroscale::io
