// File-system helpers shared by every io folder and the layers above: existence tests,
// whole-file reads, mkdir -p, whole-file atomic writes and fsync. Errors are DataErrors
// naming the path and the system's reason.
#pragma once

#include <optional>
#include <string>

#include "io/fs/atomic_file.h"

namespace neuroscale::io {

// Whether anything (file, directory, link target) exists at `path`.
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);

// The whole file as bytes, or nullopt when it cannot be opened or read or is a directory
// (the caller raises the error its context calls for, naming the file; errno says why).
std::optional<std::string> read_file(const std::string& path);

// mkdir -p. Throws DataError naming the first component that cannot be created, or `path`
// when it exists but is not a directory.
void create_directories(const std::string& path);

// Writes `contents` to `path` through "<path>.tmp.<pid>", fsync and rename. Throws
// DataError naming the file; on failure the temporary file is removed and `path` is
// untouched.
FileDigest write_file_atomically(const std::string& path, const std::string& contents);

// fsync of a file or directory (a directory's fsync makes renames inside it durable).
// Throws DataError naming the path.
void fsync_path(const std::string& path);

}  // namespace neuroscale::io
