#include "io/config/json_fields.h"

#include <cerrno>
#include <cstring>

#include "io/fs/files.h"

namespace neuroscale::io {

nlohmann::json read_json_object(const std::string& path, const std::string& what) {
  const auto text = read_file(path);
  NS_CHECK_AS(DataError, text.has_value(), "cannot read '", path, "': ", std::strerror(errno));
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& error) {
    NS_THROW(DataError, "'", path, "' is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, root.is_object(), "'", path, "' is not a JSON object (", what, ")");
  return root;
}

}  // namespace neuroscale::io
