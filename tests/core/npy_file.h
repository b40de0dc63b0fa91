// Writing tensors as NumPy .npy files, for the cross-checks whose independent reference is a
// NumPy script (tests/core/*_reference.py).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace neuroscale::test {

// A C-order .npy file (format version 1.0) of `tensor` as float64, or int64 when it holds
// integers.
inline void save_npy(const std::string& path, const at::Tensor& tensor) {
  const bool integer = !tensor.is_floating_point();
  const auto data = tensor.to(integer ? at::kLong : at::kDouble).contiguous();
  std::ostringstream shape;
  shape << "(";
  for (const auto size : data.sizes()) shape << size << ",";
  shape << ")";
  std::string header = std::string("{'descr': '") + (integer ? "<i8" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + shape.str() + ", }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<std::uint16_t>(header.size());
  out.put(static_cast<char>(length & 0xff));
  out.put(static_cast<char>(length >> 8));
  out << header;
  out.write(static_cast<const char*>(data.data_ptr()), static_cast<std::streamsize>(data.nbytes()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace neuroscale::test
