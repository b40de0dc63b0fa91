// Data parallelism changes nothing but speed. Run under `mpirun -np 2`: every comparison
// is between the 2-rank trainer (world communicator) and a single-process reference that
// each rank computes alone (MPI_COMM_SELF) on the whole global batch.
//   - 2 ranks with b trials each == 1 rank with the 2b trials (loss trajectory, parameters)
//   - ranks on different subjects in one step == 1 process accumulating both subjects
//     (every read-in layer's gradient)
//   - k micro-batches of b == one batch of k*b
// The runs are in float64, so the only differences left are rounding in a different order:
// parameters and losses must agree within 1e-9 relative after 20 AdamW steps (the float32
// noise floor, about 1e-6, would hide an algorithmic difference of that size).
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "core/log.h"
#include "core/process_info.h"
#include "core/task/masked_modeling.h"
#include "distributed/mpi/mpi_communicator.h"
#include "distributed/trainer.h"

namespace ns = neuroscale;
using namespace ns::distributed;

namespace {

constexpr int kSteps = 20;
constexpr double kTolerance = 1e-9;

// Batches per step and slot, fixed in advance.
class FixedSource : public BatchSource {
 public:
  explicit FixedSource(std::vector<std::vector<ns::Batch>> steps) : steps_(std::move(steps)) {}
  std::optional<ns::Batch> next(int slot) override {
    auto& step = steps_.at(position_);
    std::optional<ns::Batch> out;
    if (slot < static_cast<int>(step.size())) out = step[slot];
    if (slot + 1 == slots_) ++position_;
    return out;
  }
  int slots_ = 1;

 private:
  std::vector<std::vector<ns::Batch>> steps_;
  std::size_t position_ = 0;
};

// Trials of `subject` with ids from `first`, random lengths, zero past each end.
ns::Batch make_batch(int subject, int channels, std::int64_t first, int trials,
                     std::uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  ns::Batch batch;
  batch.subject = subject;
  const std::int64_t time = 40;
  std::vector<std::int64_t> bins;
  for (int i = 0; i < trials; ++i) bins.push_back(25 + (first + i) * 7 % 16);
  batch.bins = torch::tensor(bins, torch::kLong);
  const auto valid =
      (torch::arange(time).view({1, time}) < batch.bins.view({trials, 1})).unsqueeze(-1);
  batch.features = (at::randn({trials, time, channels}, generator) * valid).to(torch::kDouble);
  for (int i = 0; i < trials; ++i) batch.trials.push_back(first + i);
  return batch;
}

ns::Batch concat(const ns::Batch& a, const ns::Batch& b) {
  ns::Batch out;
  out.subject = a.subject;
  out.features = torch::cat({a.features, b.features});
  out.bins = torch::cat({a.bins, b.bins});
  out.trials = a.trials;
  out.trials.insert(out.trials.end(), b.trials.begin(), b.trials.end());
  return out;
}

ns::task::MaskedModelingOptions task_options() {
  auto transformer =
      ns::model::TransformerOptions().hidden(32).layers(2).heads(4).mlp(48).dropout(0.0);
  auto encoder = ns::model::BitEncoderOptions()
                     .patch_size(5)
                     .transformer(transformer)
                     .embedding_dropout(0.0)
                     .subjects({{"a", 6}, {"b", 9}});
  return ns::task::MaskedModelingOptions()
      .model(ns::model::MaskedModelOptions().encoder(encoder))
      .seed(3);
}

struct Result {
  std::size_t optimizer_states = 0;  // state tensors this rank's optimiser holds
  std::vector<double> losses;
  std::vector<at::Tensor> params;
  std::map<std::string, at::Tensor> first_grads;
};

// Trains a fresh model (same init everywhere) for kSteps on `source`; with `zero`, the
// optimiser state is partitioned across the ranks (ZeRO-1).
Result train(Communicator& comm, FixedSource& source, int accumulate, bool zero = false) {
  torch::manual_seed(11);
  ns::task::MaskedModelingTask task(task_options());
  task.module().to(torch::kDouble);
  std::vector<std::string> names;
  std::vector<at::Tensor> params;
  for (const auto& item : task.module().named_parameters(true)) {
    names.push_back(item.key());
    params.push_back(item.value());
  }
  ParameterPartition partition(names, params, comm.size());
  auto optimizer_ptr = ns::optim::make_optimizer(
      ns::optim::OptimizerOptions().name("adamw").weight_decay(0.01), task.module(),
      [&](const std::string& name) { return !zero || partition.owner(name) == comm.rank(); });
  auto& optimizer = *optimizer_ptr;
  ns::optim::LrSchedule schedule(ns::optim::LrScheduleOptions().lr(1e-3).total_steps(kSteps));
  TrainerOptions options;
  options.train.max_steps = 1;
  options.train.accumulate = accumulate;
  options.train.log_every = 1;
  options.grad_clip = 0.0;
  options.partition = zero ? &partition : nullptr;
  source.slots_ = accumulate;
  ns::Logger log(ns::detect_process(), ns::LoggerOptions{}, std::cerr);
  Trainer trainer(task, optimizer, schedule, comm, options, log);
  Result result;
  const auto sink = [&](const MetricsRecord& record) {
    result.losses.push_back(record.values.at("loss"));
  };
  trainer.run(source, {}, 0, sink);  // step 0 alone, to capture its gradients
  for (const auto& item : task.module().named_parameters(true)) {
    if (item.value().grad().defined()) result.first_grads[item.key()] = item.value().grad().clone();
  }
  Trainer rest(
      task, optimizer, schedule, comm,
      [&] {
        auto o = options;
        o.train.max_steps = kSteps;
        return o;
      }(),
      log);
  rest.run(source, {}, 1, sink);
  for (const auto& p : task.module().parameters()) result.params.push_back(p.detach().clone());
  result.optimizer_states = optimizer.named_state().size();
  return result;
}

// max |a - b| / max |b| (0 when both are exactly zero).
double relative_error(const at::Tensor& a, const at::Tensor& b) {
  const double error = (a - b).abs().max().item<double>();
  return error == 0.0 ? 0.0 : error / b.abs().max().item<double>();
}

void expect_close(const Result& a, const Result& b) {
  ASSERT_EQ(a.params.size(), b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    EXPECT_LE(relative_error(a.params[i], b.params[i]), kTolerance) << "parameter " << i;
  }
  if (a.losses.empty()) return;  // metrics are recorded on rank 0 of a communicator only
  ASSERT_EQ(a.losses.size(), b.losses.size());
  for (std::size_t s = 0; s < a.losses.size(); ++s) {
    EXPECT_NEAR(a.losses[s], b.losses[s], kTolerance * std::abs(b.losses[s])) << "step " << s;
  }
}

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

}  // namespace

TEST(TrainerEquivalence, TwoRanksOfBEqualOneRankOf2B) {
  const int rank = world_rank();
  std::vector<std::vector<ns::Batch>> mine, whole;
  for (int s = 0; s < kSteps; ++s) {
    const auto half0 = make_batch(0, 6, 100 * s, 3, 1000 + s);
    const auto half1 = make_batch(0, 6, 100 * s + 3, 3, 2000 + s);
    mine.push_back({rank == 0 ? half0 : half1});
    whole.push_back({concat(half0, half1)});
  }
  MpiCommunicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  FixedSource parallel_source(mine), single_source(whole);
  const auto parallel = train(world, parallel_source, 1);
  const auto single = train(self, single_source, 1);
  if (rank == 0) {
    ASSERT_EQ(parallel.losses.size(), static_cast<std::size_t>(kSteps));
  }
  expect_close(parallel, single);
}

TEST(TrainerEquivalence, RanksOnDifferentSubjectsMatchOneProcessAccumulatingBoth) {
  const int rank = world_rank();
  std::vector<std::vector<ns::Batch>> mine, both;
  for (int s = 0; s < kSteps; ++s) {
    const auto a = make_batch(0, 6, 100 * s, 3, 3000 + s);
    const auto b = make_batch(1, 9, 100 * s + 50, 2, 4000 + s);
    mine.push_back({rank == 0 ? a : b});
    both.push_back({a, b});
  }
  MpiCommunicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  FixedSource parallel_source(mine), single_source(both);
  const auto parallel = train(world, parallel_source, 1);
  const auto single = train(self, single_source, 2);
  for (const auto* name : {"encoder.read_in.a.linear.weight", "encoder.read_in.b.linear.weight",
                           "read_out.a.linear.weight", "read_out.b.linear.weight"}) {
    ASSERT_TRUE(parallel.first_grads.count(name) && single.first_grads.count(name)) << name;
    EXPECT_LE(relative_error(parallel.first_grads.at(name), single.first_grads.at(name)),
              kTolerance)
        << name;
  }
  expect_close(parallel, single);
}

TEST(TrainerEquivalence, AccumulatingKMicroBatchesEqualsOneBatchOfKB) {
  std::vector<std::vector<ns::Batch>> pieces, whole;
  for (int s = 0; s < kSteps; ++s) {
    const auto a = make_batch(1, 9, 100 * s, 2, 5000 + s);
    const auto b = make_batch(1, 9, 100 * s + 2, 2, 6000 + s);
    pieces.push_back({a, b});
    whole.push_back({concat(a, b)});
  }
  MpiCommunicator self(MPI_COMM_SELF);
  FixedSource accumulated_source(pieces), whole_source(whole);
  const auto accumulated = train(self, accumulated_source, 2);
  const auto single = train(self, whole_source, 1);
  ASSERT_EQ(accumulated.losses.size(), static_cast<std::size_t>(kSteps));
  expect_close(accumulated, single);
}

// ZeRO-1 partitions the optimiser state and broadcasts each parameter from its owner; the
// parameters must be bitwise those of the replicated optimiser (here with ranks on
// different subjects, so some parameters have no gradient on some ranks or on all).
TEST(TrainerEquivalence, ShardedOptimizerStateGivesBitwiseTheReplicatedResult) {
  const int rank = world_rank();
  std::vector<std::vector<ns::Batch>> mine;
  for (int s = 0; s < kSteps; ++s) {
    const auto a = make_batch(0, 6, 100 * s, 3, 7000 + s);
    const auto b = make_batch(s % 3 == 0 ? 0 : 1, s % 3 == 0 ? 6 : 9, 100 * s + 50, 2, 8000 + s);
    mine.push_back({rank == 0 ? a : b});
  }
  MpiCommunicator world(MPI_COMM_WORLD);
  FixedSource sharded_source(mine), replicated_source(mine);
  const auto sharded = train(world, sharded_source, 1, /*zero=*/true);
  const auto replicated = train(world, replicated_source, 1, /*zero=*/false);
  ASSERT_EQ(sharded.params.size(), replicated.params.size());
  for (std::size_t i = 0; i < sharded.params.size(); ++i) {
    EXPECT_TRUE(torch::equal(sharded.params[i], replicated.params[i])) << "parameter " << i;
  }
  EXPECT_EQ(sharded.losses, replicated.losses);
  if (world.size() > 1) {
    EXPECT_LT(sharded.optimizer_states, replicated.optimizer_states);  // no rank holds it all
  }
}
