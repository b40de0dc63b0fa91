#include "io/hdf5/file_format.h"

#include "core/check.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {

void check_file_format(hid_t root, const std::string& path, const std::string& name,
                       std::int64_t version, const std::string& kind, const std::string& noun,
                       const std::string& hint) {
  const std::string format =
      has_attribute(root, "format") ? read_string_attribute(root, "format") : "";
  NS_CHECK_AS(DataError, format == name, "'", path, "' is not a neuroscale ", kind,
              " (attribute 'format' is '", format, "', expected '", name, "'", hint, ")");
  const std::int64_t found = read_int_attribute(root, "format_version");
  NS_CHECK_AS(DataError, found == version, noun, " '", path, "': format_version ", found,
              " (this build reads ", version, ")");
}

}  // namespace neuroscale::io
