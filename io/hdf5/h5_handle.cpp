#include "io/hdf5/h5_handle.h"

#include "core/check.h"
#include "core/process_info.h"

namespace neuroscale::io {
namespace {

herr_t collect_message(unsigned, const H5E_error2_t* error, void* data) {
  auto* text = static_cast<std::string*>(data);
  if (!text->empty()) *text += "; ";
  *text += std::string(error->func_name) + ": " + (error->desc ? error->desc : "");
  return 0;
}

}  // namespace

void silence_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string hdf5_error_stack() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_message, &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? "no HDF5 error details" : text;
}

void throw_hdf5_error(const std::string& action, const char* file, int line) {
  detail::throw_error<DataError>(file, line,
                                 detail::concat("cannot ", action, ": ", hdf5_error_stack(), " [",
                                                detect_process().describe(), "]"));
}

H5Id::H5Id(hid_t id, Closer closer, const std::string& action) : id_(id), closer_(closer) {
  if (id_ < 0) throw_hdf5_error(action, __FILE__, __LINE__);
}

H5Id& H5Id::operator=(H5Id&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, -1);
    closer_ = other.closer_;
  }
  return *this;
}

void H5Id::close(const std::string& action) {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  if (id_ < 0) return;
  hid_t id = std::exchange(id_, -1);
  NS_H5_CHECK(closer_(id), action);
}

std::recursive_mutex& hdf5_mutex() {
  static std::recursive_mutex mutex;  // one per process, as HDF5's own state is
  return mutex;
}

void H5Id::reset() noexcept {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  if (id_ >= 0) closer_(std::exchange(id_, -1));
}

}  // namespace neuroscale::io
