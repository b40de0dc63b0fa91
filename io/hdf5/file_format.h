// The `format` / `format_version` attributes by which every engine HDF5 file says what it is.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>

namespace neuroscale::io {

// Checks the attributes of `root` (the file `path`): throws DataError "'PATH' is not a
// neuroscale KIND (attribute 'format' is 'F', expected 'NAME'HINT)" when the format differs or
// is absent, and "NOUN 'PATH': format_version V (this build reads VERSION)" when the version
// does. `hint` follows the expectation, e.g. "; docs/speech-format.md".
void check_file_format(hid_t root, const std::string& path, const std::string& name,
                       std::int64_t version, const std::string& kind, const std::string& noun,
                       const std::string& hint = "");

}  // namespace neuroscale::io
