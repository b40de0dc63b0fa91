// Small control-plane gathers over a Communicator: every rank's numbers or text, on every
// rank. Tensors travel on `device` (the communicator's: CPU for MPI, the GPU for NCCL).
// Collective: every rank must call with the same number of values.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

// Rank r's values at [r * mine.size(), (r + 1) * mine.size()).
std::vector<std::int64_t> allgather_numbers(Communicator& comm, const at::Device& device,
                                            const std::vector<std::int64_t>& mine);
// Every rank's text, by rank (any lengths).
std::vector<std::string> allgather_text(Communicator& comm, const at::Device& device,
                                        const std::string& mine);

}  // namespace neuroscale::distributed
