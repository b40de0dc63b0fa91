#include "io/run/run_directory.h"

#include <unistd.h>

#include <cstdio>

#include "core/check.h"
#include "io/fs/files.h"

namespace neuroscale::io {

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
