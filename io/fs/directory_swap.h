// Writing a directory of files as one unit (a Hugging Face model directory): the files are
// written into "<directory>.tmp.<pid>", which then replaces `directory` by rename; an existing
// directory is moved aside first and removed only once the new one is in place, so a failure
// at any point leaves either the old directory or the new one, never a mix.
#pragma once

#include <functional>
#include <string>

namespace neuroscale::io {

// Calls `fill(temporary)` to write the files (plain files only, no subdirectories), then
// swaps the temporary directory in. Throws DataError naming the path when the swap fails;
// whatever `fill` throws propagates after the temporary directory is removed.
void write_directory_atomically(const std::string& directory,
                                const std::function<void(const std::string&)>& fill);

}  // namespace neuroscale::io
