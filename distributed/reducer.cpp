#include "distributed/reducer.h"

#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <chrono>

#include "core/check.h"

namespace neuroscale::distributed {

struct Reducer::Hook : public torch::autograd::FunctionPostHook {
  Hook(Reducer* reducer, std::size_t param) : reducer_(reducer), param_(param) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    reducer_->mark_ready(param_);
    return outputs;
  }
  Reducer* reducer_;
  std::size_t param_;
};

Reducer::Reducer(std::vector<std::string> names, std::vector<at::Tensor> params, Communicator& comm,
                 ReducerOptions options)
    : names_(std::move(names)), params_(std::move(params)), comm_(comm), tracer_(options.tracer) {
  NS_CHECK_EQ(names_.size(), params_.size(), "reducer: one name per parameter");
  NS_CHECK_AS(UsageError, !params_.empty(), "reducer: no parameters to reduce");
  NS_CHECK_AS(UsageError, options.first_bucket_bytes > 0 && options.bucket_bytes > 0,
              "reducer: bucket sizes must be positive");
  const auto& first = params_.front();
  bucket_of_.resize(params_.size());
  slot_of_.resize(params_.size());
  used_.assign(params_.size(), 0);
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& p = params_[i];
    NS_CHECK_AS(
        UsageError,
        p.requires_grad() && p.scalar_type() == first.scalar_type() && p.device() == first.device(),
        "reducer: parameter '", names_[i],
        "' must require grad and match the dtype and device of '", names_[0], "'");
    const std::int64_t cap =
        buckets_.size() <= 1 ? options.first_bucket_bytes : options.bucket_bytes;
    if (buckets_.empty() || (bytes > 0 && bytes + static_cast<std::int64_t>(p.nbytes()) > cap)) {
      buckets_.emplace_back();
      bytes = 0;
    }
    auto& bucket = buckets_.back();
    bucket.offsets.push_back(bucket.members.empty()
                                 ? 0
                                 : bucket.offsets.back() + params_[bucket.members.back()].numel());
    bucket_of_[i] = buckets_.size() - 1;
    slot_of_[i] = bucket.members.size();
    bucket.members.push_back(i);
    bytes += static_cast<std::int64_t>(p.nbytes());
  }
  for (auto& bucket : buckets_) {
    const auto& last = params_[bucket.members.back()];
    bucket.buffer =
        at::zeros({bucket.offsets.back() + last.numel()}, first.options().requires_grad(false));
  }
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto accumulator = torch::autograd::impl::grad_accumulator(params_[i]);
    NS_CHECK_AS(UsageError, accumulator != nullptr, "reducer: parameter '", names_[i],
                "' is not a leaf");
    const auto key = accumulator->add_post_hook(std::make_unique<Hook>(this, i));
    unhook_.emplace_back([accumulator, key] { accumulator->del_post_hook(key); });
  }
  zero_grad();
}

Reducer::~Reducer() {
  for (auto& bucket : buckets_) {
    if (bucket.work) {
      try {
        bucket.work->wait(comm_.options().timeout);
      } catch (...) {  // destructors must not throw; the error was or will be reported
      }
    }
  }
  for (auto& unhook : unhook_) unhook();
}

std::vector<std::size_t> Reducer::bucket_members(std::size_t b) const {
  return buckets_.at(b).members;
}

void Reducer::zero_grad() {
  std::fill(used_.begin(), used_.end(), 0);
  for (auto& bucket : buckets_) {
    bucket.buffer.zero_();
    for (std::size_t k = 0; k < bucket.members.size(); ++k) {
      auto& param = params_[bucket.members[k]];
      param.mutable_grad() =
          bucket.buffer.narrow(0, bucket.offsets[k], param.numel()).view(param.sizes());
    }
  }
}

void Reducer::broadcast_parameters() {
  at::NoGradGuard no_grad;
  std::vector<std::shared_ptr<Work>> works;
  for (auto& param : params_) works.push_back(comm_.broadcast(param.detach(), 0));
  for (auto& work : works) work->wait(comm_.options().timeout);
}

void Reducer::prepare_for_backward(bool last) {
  armed_ = last;
  next_launch_ = 0;
  for (auto& bucket : buckets_) bucket.pending = bucket.members.size();
}

void Reducer::mark_ready(std::size_t param) {
  used_[param] = 1;  // over every micro-batch of the step
  if (!armed_) return;
  auto& bucket = buckets_[bucket_of_[param]];
  --bucket.pending;
  launch_ready_in_order();
}

void Reducer::launch_ready_in_order() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0)
    launch(next_launch_++);
}

void Reducer::launch(std::size_t b) {
  if (tracer_) {
    comm_.trace_next("allreduce bucket " + std::to_string(b),
                     "\"bucket\": " + std::to_string(b) +
                         ", \"elements\": " + std::to_string(buckets_[b].buffer.numel()));
  }
  buckets_[b].work = comm_.allreduce(buckets_[b].buffer, ReduceOp::kSum);
}

double Reducer::finish() {
  NS_ASSERT(armed_, "reducer: finish() without prepare_for_backward(true)");
  while (next_launch_ < buckets_.size()) launch(next_launch_++);
  // Which parameters some rank used: one small all-reduce after the gradient buckets.
  auto usage = at::from_blob(used_.data(), {static_cast<std::int64_t>(used_.size())}, at::kByte)
                   .to(at::kInt)
                   .to(params_.front().device());
  if (tracer_) comm_.trace_next("allreduce used-parameters");
  auto usage_work = comm_.allreduce(usage, ReduceOp::kSum);
  const auto start = std::chrono::steady_clock::now();
  for (auto& bucket : buckets_) {
    bucket.work->wait(comm_.options().timeout);
    bucket.work.reset();
  }
  usage_work->wait(comm_.options().timeout);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto global = usage.to(at::kCPU);
  const auto* counts = global.data_ptr<std::int32_t>();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (counts[i] == 0) params_[i].mutable_grad() = at::Tensor();  // nobody used it: no update
  }
  armed_ = false;
  return waited;
}

void Reducer::verify_parameters_identical() {
  // One 64-bit checksum per parameter (FNV-1a over its bytes), gathered from every rank.
  const auto count = static_cast<std::int64_t>(params_.size());
  auto mine = at::empty({count}, at::kLong);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto bytes = params_[i].detach().to(at::kCPU).contiguous();
    const auto* data = static_cast<const unsigned char*>(bytes.data_ptr());
    std::uint64_t hash = 1469598103934665603ULL;
    for (std::size_t k = 0; k < bytes.nbytes(); ++k) hash = (hash ^ data[k]) * 1099511628211ULL;
    mine[i] = static_cast<std::int64_t>(hash);
  }
  const auto device = params_.front().device();
  auto all = at::empty({comm_.size() * count}, at::TensorOptions().dtype(at::kLong).device(device));
  comm_.allgather(mine.to(device), all)->wait(comm_.options().timeout);
  const auto table = all.to(at::kCPU).view({comm_.size(), count});
  for (std::int64_t i = 0; i < count; ++i) {
    for (int r = 1; r < comm_.size(); ++r) {
      NS_CHECK_AS(CommError, table[r][i].item<std::int64_t>() == table[0][i].item<std::int64_t>(),
                  "parameter '", names_[i], "' diverged: rank ", r,
                  " holds different values than rank 0");
    }
  }
}

}  // namespace neuroscale::distributed
