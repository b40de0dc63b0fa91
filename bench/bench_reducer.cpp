// Data-parallel overheads, under `mpirun -np N`:
//  1. Reducer bus bandwidth against a plain MPI_Allreduce of the same bytes (nccl-tests'
//     busbw = bytes / time * 2(n-1)/n). The reducer's communication time is its
//     backward+finish time on the world minus the same on MPI_COMM_SELF (no network).
//  2. Exposed communication: the BIT training step on N ranks against the same ranks'
//     compute-only step (each rank alone on MPI_COMM_SELF, all ranks at once, so the CPU is
//     shared the same way).
// usage: mpirun -np 2 bench_reducer [--size default|small] [--batch 8] [--bins 500] [--steps 12]
// Prints key=value lines on rank 0.
#include <mpi.h>
#include <torch/torch.h>

#include "core/sanitizer_defaults.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "bench/bench_common.h"
#include "core/log.h"
#include "core/process_info.h"
#include "core/task/masked_modeling.h"
#include "distributed/mpi/mpi_communicator.h"
#include "distributed/mpi/mpi_context.h"
#include "distributed/trainer.h"

namespace ns = neuroscale;
using namespace ns::distributed;
using namespace ns::bench;

namespace {

// Seconds for backward + finish of the reducer over the model's parameters.
double reducer_time(Communicator& comm, std::vector<std::string> names,
                    std::vector<at::Tensor> params) {
  Reducer reducer(names, params, comm);
  std::vector<double> times;
  for (int i = 0; i < 12; ++i) {
    reducer.zero_grad();
    reducer.prepare_for_backward(true);
    at::Tensor loss = at::zeros({});
    for (const auto& p : params) loss = loss + p.sum();
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    loss.backward();
    reducer.finish();
    if (i >= 2) times.push_back(seconds(start));
  }
  return median(times);
}

// Median step seconds and exposed communication of `steps` training steps on `comm`, after
// two warm-up steps (the first allocates buckets and broadcasts the parameters), measured as
// the PyTorch DDP peer measures its own.
std::pair<double, double> train_time(Communicator& comm, const std::string& size, int batch,
                                     int bins, int steps, int rank) {
  torch::manual_seed(0);
  ns::task::MaskedModelingTask task(model_options(size));
  ns::optim::AdamW optimizer(ns::optim::weight_decay_groups(task.module(), 0.01));
  ns::optim::LrSchedule schedule(ns::optim::LrScheduleOptions().lr(1e-4).total_steps(steps + 2));
  TrainerOptions options;
  options.train.max_steps = steps + 2;
  options.train.log_every = 1;
  ns::LoggerOptions quiet;
  quiet.level = ns::LogLevel::kWarn;
  ns::Logger log(ns::detect_process(), quiet, std::cerr);
  Trainer trainer(task, optimizer, schedule, comm, options, log);
  RandomSource source(batch, bins, rank);
  std::vector<double> step_times, exposed_times;
  trainer.run(source, {}, 0, [&](const MetricsRecord& r) {
    if (r.step <= 2) return;
    step_times.push_back(r.values.at("step_s"));
    exposed_times.push_back(r.values.at("comm_exposed_s"));
  });
  // Rank 0 of each communicator got the records; share rank 0's with everyone.
  double values[2] = {0.0, 0.0};
  if (!step_times.empty()) values[0] = median(step_times), values[1] = median(exposed_times);
  MPI_Bcast(values, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  return {values[0], values[1]};
}

}  // namespace

int main(int argc, char** argv) {
  ns::distributed::MpiContext mpi;
  std::string size = "default";
  int batch = 8, bins = 500, steps = 12;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size")
      size = value;
    else if (flag == "--batch")
      batch = std::stoi(value);
    else if (flag == "--bins")
      bins = std::stoi(value);
    else if (flag == "--steps")
      steps = std::stoi(value);
  }
  const int rank = mpi.rank(), n = mpi.size();
  MpiCommunicator world(MPI_COMM_WORLD), self(MPI_COMM_SELF);

  // ---- 1. bus bandwidth
  torch::manual_seed(0);
  ns::task::MaskedModelingTask task(model_options(size));
  std::vector<std::string> names;
  std::vector<at::Tensor> params;
  std::int64_t elements = 0;
  for (const auto& item : task.module().named_parameters(true)) {
    names.push_back(item.key());
    params.push_back(item.value());
    elements += item.value().numel();
  }
  const double bytes = 4.0 * static_cast<double>(elements);
  const double with_network = reducer_time(world, names, params);
  const double local = reducer_time(self, names, params);
  auto flat = torch::ones({elements});
  std::vector<double> mpi_times;
  for (int i = 0; i < 12; ++i) {
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    MPI_Allreduce(MPI_IN_PLACE, flat.data_ptr(), static_cast<int>(elements), MPI_FLOAT, MPI_SUM,
                  MPI_COMM_WORLD);
    if (i >= 2) mpi_times.push_back(seconds(start));
  }
  const double mpi_time = median(mpi_times);
  const double factor = 2.0 * (n - 1) / n;
  const double reducer_comm = std::max(with_network - local, 1e-9);
  if (rank == 0) {
    std::printf(
        "busbw ranks=%d bytes=%.0f reducer_comm_ms=%.2f reducer_busbw_GBps=%.3f "
        "mpi_allreduce_ms=%.2f "
        "mpi_busbw_GBps=%.3f ratio=%.3f\n",
        n, bytes, reducer_comm * 1e3, bytes / reducer_comm * factor / 1e9, mpi_time * 1e3,
        bytes / mpi_time * factor / 1e9, mpi_time / reducer_comm);
  }

  // ---- 2. exposed communication in a training step
  const auto [step_world, exposed_world] = train_time(world, size, batch, bins, steps, rank);
  const double step_self = train_time(self, size, batch, bins, steps, rank).first;
  if (rank == 0) {
    std::printf(
        "step ranks=%d size=%s batch=%d step_ms=%.1f compute_only_step_ms=%.1f "
        "exposed_comm_ms=%.1f "
        "overhead=%.3f samples_per_s=%.2f\n",
        n, size.c_str(), batch, step_world * 1e3, step_self * 1e3, exposed_world * 1e3,
        step_world / step_self - 1.0, n * batch / step_world);
  }
  return 0;
}
