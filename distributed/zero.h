// ZeRO stage 1 (Rajbhandari et al. 2020, as PyTorch's ZeroRedundancyOptimizer does it): the
// optimiser state is partitioned across ranks by parameter, so no rank holds (or checkpoints)
// all of it.
// - Each parameter is owned by one rank: largest first, to the least-loaded rank by bytes,
//   ties to the lower rank. The assignment depends only on the names, shapes and world
//   size, so every rank computes the same one and a checkpoint can be resharded onto any
//   world size.
// - A rank builds its optimiser over the parameters it owns and updates only those. The
//   gradients are still all-reduced in full (the Reducer), so clipping by the global norm is
//   unchanged; after the update every parameter is broadcast from its owner, one flat buffer
//   per owner. The parameters are bitwise those of the replicated optimiser.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

class ParameterPartition {
 public:
  // `params` in a fixed order (the module's registration order); `world` ranks.
  ParameterPartition(std::vector<std::string> names, std::vector<at::Tensor> params, int world);

  int world() const { return world_; }
  int owner(std::size_t index) const { return owner_[index]; }
  // Owner of the parameter called `name`; throws UsageError for an unknown name.
  int owner(const std::string& name) const;
  // Bytes of parameters rank `rank` owns (its optimiser state is a fixed multiple of it).
  std::int64_t owned_bytes(int rank) const;

  // Collective: every rank's parameters become their owners' values.
  void broadcast_from_owners(Communicator& comm);

 private:
  std::vector<std::string> names_;
  std::vector<at::Tensor> params_;
  int world_;
  std::vector<int> owner_;
  std::vector<std::vector<std::size_t>> owned_;  // per rank, parameter indices in order
};

}  // namespace neuroscale::distributed
