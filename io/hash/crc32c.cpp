#include "io/hash/crc32c.h"

#include <boost/crc.hpp>

namespace neuroscale::io {
namespace {

std::uint32_t reflect(std::uint32_t value) {
  std::uint32_t reflected = 0;
  for (int bit = 0; bit < 32; ++bit) reflected |= ((value >> bit) & 1u) << (31 - bit);
  return reflected;
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t bytes, std::uint32_t crc) {
  // Boost.CRC's CRC-32C: polynomial 0x1EDC6F41, reflected in and out, all-ones initial value
  // and final XOR. Continuing from `crc` starts from its un-finalised register, ~crc, which
  // Boost takes in the unreflected bit order.
  boost::crc_optimal<32, 0x1EDC6F41u, 0xFFFFFFFFu, 0xFFFFFFFFu, true, true> castagnoli;
  castagnoli.reset(reflect(~crc));
  castagnoli.process_bytes(data, bytes);
  return castagnoli.checksum();
}

std::uint32_t masked_crc32c(const void* data, std::size_t bytes) {
  const std::uint32_t crc = crc32c(data, bytes);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

}  // namespace neuroscale::io
