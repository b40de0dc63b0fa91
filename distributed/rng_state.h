// The state of a device's default random generator (the CPU's, or a GPU's for dropout on
// it) as bytes, for checkpoints: a resumed run continues the same random streams.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace neuroscale::distributed {

std::vector<std::uint8_t> generator_state(const c10::Device& device);

// Sets the default generator of `device` to `bytes` (from generator_state on the same kind
// of device). Throws c10::Error when the bytes are not such a state.
void restore_generator(const c10::Device& device, const std::vector<std::uint8_t>& bytes);

}  // namespace neuroscale::distributed
