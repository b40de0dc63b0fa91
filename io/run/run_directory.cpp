#include "io/run/run_directory.h"

#include "io/run/atomic_file.h"

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

FileDigest write_file_atomically(const std::string& path, const std::string& contents) {
  AtomicFile file(path);
  file.write(contents.data(), contents.size());
  return file.commit();
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
