#include "distributed/gather.h"

#include <algorithm>
#include <cstring>

namespace neuroscale::distributed {

std::vector<std::int64_t> allgather_numbers(Communicator& comm, const at::Device& device,
                                            const std::vector<std::int64_t>& mine) {
  const auto n = static_cast<std::int64_t>(mine.size());
  auto local = at::tensor(mine, at::kLong).to(device);
  auto all = at::empty({n * comm.size()}, at::TensorOptions().dtype(at::kLong).device(device));
  comm.allgather(local, all)->wait(comm.options().timeout);
  const auto cpu = all.to(at::kCPU);
  return {cpu.data_ptr<std::int64_t>(), cpu.data_ptr<std::int64_t>() + cpu.numel()};
}

std::vector<std::string> allgather_text(Communicator& comm, const at::Device& device,
                                        const std::string& mine) {
  const auto lengths = allgather_numbers(comm, device, {static_cast<std::int64_t>(mine.size())});
  const std::int64_t width =
      std::max<std::int64_t>(*std::max_element(lengths.begin(), lengths.end()), 1);
  auto local = at::zeros({width}, at::kByte);
  std::memcpy(local.data_ptr(), mine.data(), mine.size());
  auto all = at::empty({width * comm.size()}, at::TensorOptions().dtype(at::kByte).device(device));
  comm.allgather(local.to(device), all)->wait(comm.options().timeout);
  const auto cpu = all.to(at::kCPU);
  const auto* bytes = reinterpret_cast<const char*>(cpu.data_ptr<std::uint8_t>());
  std::vector<std::string> texts;
  for (int r = 0; r < comm.size(); ++r)
    texts.emplace_back(bytes + r * width, static_cast<std::size_t>(lengths[r]));
  return texts;
}

}  // namespace neuroscale::distributed
