#include "distributed/zero.h"

#include <algorithm>
#include <numeric>

#include "core/check.h"

namespace neuroscale::distributed {

ParameterPartition::ParameterPartition(std::vector<std::string> names,
                                       std::vector<at::Tensor> params, int world)
    : names_(std::move(names)), params_(std::move(params)), world_(world) {
  NS_CHECK_EQ(names_.size(), params_.size(), "parameter partition: one name per parameter");
  NS_CHECK_AS(UsageError, world_ >= 1, "parameter partition: world size must be >= 1, got ",
              world_);
  std::vector<std::size_t> order(params_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return params_[a].nbytes() > params_[b].nbytes();
  });
  std::vector<std::uint64_t> load(world_, 0);
  owner_.assign(params_.size(), 0);
  for (const auto i : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    owner_[i] = r;
    load[r] += params_[i].nbytes();
  }
  owned_.resize(world_);
  for (std::size_t i = 0; i < params_.size(); ++i) owned_[owner_[i]].push_back(i);
}

int ParameterPartition::owner(const std::string& name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  NS_CHECK_AS(UsageError, it != names_.end(), "parameter partition: no parameter '", name, "'");
  return owner_[static_cast<std::size_t>(it - names_.begin())];
}

std::int64_t ParameterPartition::owned_bytes(int rank) const {
  std::int64_t bytes = 0;
  for (const auto i : owned_.at(rank)) bytes += static_cast<std::int64_t>(params_[i].nbytes());
  return bytes;
}

void ParameterPartition::broadcast_from_owners(Communicator& comm) {
  NS_CHECK_AS(UsageError, comm.size() == world_, "parameter partition for ", world_,
              " ranks used on ", comm.size());
  if (world_ == 1) return;
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> flats(world_);
  std::vector<std::shared_ptr<Work>> works;
  for (int r = 0; r < world_; ++r) {
    if (owned_[r].empty()) continue;
    std::vector<at::Tensor> pieces;
    for (const auto i : owned_[r]) pieces.push_back(params_[i].detach().reshape({-1}));
    flats[r] = at::cat(pieces);
    works.push_back(comm.broadcast(flats[r], r));
  }
  for (auto& work : works) work->wait(comm.options().timeout);
  for (int r = 0; r < world_; ++r) {
    if (r == comm.rank() || owned_[r].empty()) continue;  // the owner's values are already in place
    std::int64_t offset = 0;
    for (const auto i : owned_[r]) {
      auto& param = params_[i];
      param.detach().copy_(flats[r].narrow(0, offset, param.numel()).view(param.sizes()));
      offset += param.numel();
    }
  }
}

}  // namespace neuroscale::distributed
