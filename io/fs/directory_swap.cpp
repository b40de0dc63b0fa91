#include "io/fs/directory_swap.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "io/fs/files.h"

namespace neuroscale::io {
namespace {

// Removes a directory of plain files: unlinks each, then the directory.
void remove_flat_directory(const std::string& path) {
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") ::unlink((path + "/" + name).c_str());
    }
    ::closedir(dir);
  }
  ::rmdir(path.c_str());
}

}  // namespace

void write_directory_atomically(const std::string& directory,
                                const std::function<void(const std::string&)>& fill) {
  const std::string temporary = directory + ".tmp." + std::to_string(::getpid());
  if (path_exists(temporary)) remove_flat_directory(temporary);
  create_directories(temporary);
  try {
    fill(temporary);
  } catch (...) {
    remove_flat_directory(temporary);
    throw;
  }
  const std::string previous = directory + ".old." + std::to_string(::getpid());
  const bool replacing = path_exists(directory);
  if (replacing) {
    NS_CHECK_AS(DataError, ::rename(directory.c_str(), previous.c_str()) == 0, "cannot move '",
                directory, "' aside to replace it: ", std::strerror(errno));
  }
  if (::rename(temporary.c_str(), directory.c_str()) != 0) {
    const int error = errno;
    if (replacing) ::rename(previous.c_str(), directory.c_str());
    remove_flat_directory(temporary);
    NS_THROW(DataError, "cannot rename '", temporary, "' to '", directory,
             "': ", std::strerror(error));
  }
  if (replacing) remove_flat_directory(previous);
  fsync_path(directory);
}

}  // namespace neuroscale::io
