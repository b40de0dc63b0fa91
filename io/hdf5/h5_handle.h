// Owning wrappers for HDF5 identifiers and the return-code check.
//   H5Id file(H5Fcreate(...), H5Fclose, "create corpus file 'x.h5'");
// throws DataError with HDF5's own error stack, the action, rank and host when the id is
// invalid, and closes the id exactly once. NS_H5_CHECK(H5Dwrite(...), "context") does the
// same for herr_t calls.
#pragma once

#include <hdf5.h>

#include <mutex>
#include <string>
#include <utility>

namespace neuroscale::io {

// HDF5 built without --enable-threadsafe (Debian's parallel HDF5) keeps library-wide state:
// calls from different threads of one process must never overlap, whatever file or handle
// they touch. Code that calls HDF5 from more than one thread (readers used by loader
// pipelines beside the main thread) holds this lock around every call; H5Id closes hold it.
// Recursive, so a locked section may create and close handles.
std::recursive_mutex& hdf5_mutex();

// Turns off HDF5's automatic error printing for this thread; errors are reported through
// exceptions instead. Idempotent and cheap.
void silence_hdf5_errors();

// The current HDF5 error stack as one line ("H5Fopen: unable to open file; ...").
std::string hdf5_error_stack();

[[noreturn]] void throw_hdf5_error(const std::string& action, const char* file, int line);

class H5Id {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Id() = default;
  // Takes ownership of `id`; throws if it is negative (an HDF5 failure).
  H5Id(hid_t id, Closer closer, const std::string& action);
  H5Id(H5Id&& other) noexcept { *this = std::move(other); }
  H5Id& operator=(H5Id&& other) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now, throwing if HDF5 reports a failure (e.g. a collective flush failing).
  void close(const std::string& action);
  void reset() noexcept;
  // Forgets the id without closing it (for a process that is about to be aborted, where a
  // collective close would wait for ranks that will never join).
  void release() noexcept { id_ = -1; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

}  // namespace neuroscale::io

#define NS_H5_CHECK(call, action)                                                     \
  do {                                                                                \
    if ((call) < 0) ::neuroscale::io::throw_hdf5_error((action), __FILE__, __LINE__); \
  } while (false)
