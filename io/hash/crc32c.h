// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing
// (TensorBoard event files), computed by Boost.CRC. Check value (RFC 3720, B.4):
// crc32c("123456789") = 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neuroscale::io {

// CRC-32C of `bytes` bytes at `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c(const void* data, std::size_t bytes, std::uint32_t crc = 0);

// The masked form TFRecord stores: ((crc >> 15) | (crc << 17)) + 0xa282ead8, which keeps a
// CRC of data that itself holds CRCs from being degenerate (TensorFlow's crc32c::Mask).
std::uint32_t masked_crc32c(const void* data, std::size_t bytes);

}  // namespace neuroscale::io
