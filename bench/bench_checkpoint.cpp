// Checkpoint costs, under `mpirun -np N`, for the BIT model with AdamW state partitioned
// across the ranks (ZeRO-1), as `neuroscale pretrain` saves it:
//  1. Save bandwidth: a synchronous save (shards + states + checksums + manifest + commit)
//     against `dd ... conv=fsync` of the same bytes on the same disk, every rank writing its
//     share at once as the save does.
//  2. Asynchronous stall: in a real training loop saving every other step, the time the
//     training thread is blocked per save (save() plus waiting for the snapshot before the
//     next update, plus the commit) against the synchronous save's time; and the step time
//     with and without those saves (the background writer competes for the same cores).
//  3. Restore: building the model, loading the newest checkpoint and running the first
//     training step, against building the model and running the first step from scratch.
// usage: mpirun -np 2 bench_checkpoint [--size default|small] [--dir DIR] [--rounds 3]
// Prints key=value lines on rank 0.
#include <mpi.h>
#include <torch/torch.h>

#include "core/sanitizer_defaults.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_common.h"
#include "core/log.h"
#include "core/process_info.h"
#include "core/task/masked_modeling.h"
#include "distributed/checkpoint.h"
#include "distributed/mpi/mpi_communicator.h"
#include "distributed/mpi/mpi_context.h"
#include "distributed/trainer.h"
#include "distributed/zero.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/fs/files.h"

namespace ns = neuroscale;
using namespace ns::distributed;
using namespace ns::bench;

namespace {

// A model, its ZeRO-1 partition and optimiser: what a training job holds.
struct Job {
  Job(const std::string& size, Communicator& comm) : task(model_options(size)) {
    std::vector<std::string> names;
    std::vector<at::Tensor> params;
    for (const auto& item : task.module().named_parameters(true)) {
      names.push_back(item.key());
      params.push_back(item.value());
    }
    partition = std::make_unique<ParameterPartition>(names, params, comm.size());
    optimizer = ns::optim::make_optimizer(
        ns::optim::OptimizerOptions(), task.module(),
        [&](const std::string& name) { return partition->owner(name) == comm.rank(); });
    for (size_t i = 0; i < names.size(); ++i)
      content.replicated.emplace_back("model." + names[i], params[i].detach());
    for (auto& [name, tensor] : optimizer->named_state())
      content.owned.emplace_back("optim." + name, tensor);
  }
  // `steps` training steps on random data; with `checkpointer`, an asynchronous save every
  // `save_every` steps. Returns {seconds per step the training thread spent in saves,
  // seconds per step}.
  std::pair<double, double> train(Communicator& comm, ns::Logger& log, int steps,
                                  Checkpointer* checkpointer = nullptr, int save_every = 0) {
    ns::optim::LrSchedule schedule(
        ns::optim::LrScheduleOptions().lr(1e-4).warmup_steps(0).total_steps(steps));
    TrainerOptions options;
    options.train.max_steps = steps;
    options.train.log_every = steps;
    options.partition = partition.get();
    if (checkpointer) {
      options.save_every = save_every;
      options.save = [&](std::int64_t step) {
        content.state.step = step;
        checkpointer->save(step, content);
      };
      options.after_step = [&](std::int64_t) { checkpointer->poll(); };
      options.before_update = [&] { return checkpointer->wait_for_snapshot(); };
    }
    Trainer trainer(task, *optimizer, schedule, comm, options, log);
    RandomSource source(8, 500, comm.rank());
    double values[2] = {0.0, 0.0};
    trainer.run(source, {}, 0, [&](const MetricsRecord& r) {
      values[0] = r.values.at("checkpoint_s");
      values[1] = r.values.at("step_s");
    });
    MPI_Bcast(values, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    return {values[0], values[1]};
  }
  ns::task::MaskedModelingTask task;
  std::unique_ptr<ParameterPartition> partition;
  std::unique_ptr<ns::optim::Optimizer> optimizer;
  CheckpointContent content;
};

double timed_collectively(const std::function<void()>& body) {
  MPI_Barrier(MPI_COMM_WORLD);
  const auto start = Clock::now();
  body();
  MPI_Barrier(MPI_COMM_WORLD);
  double elapsed = seconds(start);
  MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  MpiContext mpi;
  std::string size = "default", dir = "bench-checkpoints";
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size")
      size = value;
    else if (flag == "--dir")
      dir = value;
    else if (flag == "--rounds")
      rounds = std::stoi(value);
  }
  const int rank = mpi.rank(), n = mpi.size();
  MpiCommunicator world(MPI_COMM_WORLD);
  ns::LoggerOptions quiet;
  quiet.level = ns::LogLevel::kWarn;
  ns::Logger log(ns::detect_process(), quiet, std::cerr);
  if (rank == 0) ns::io::create_directories(dir);
  MPI_Barrier(MPI_COMM_WORLD);

  torch::manual_seed(0);
  Job job(size, world);
  CheckpointOptions options;
  options.directory = dir + "/checkpoints";
  options.policy.keep = 1;

  // ---- 1. synchronous save against dd
  options.policy.async = false;
  std::vector<double> sync_times, dd_times;
  double bytes = 0.0;
  {
    Checkpointer sync(options, world, log);
    for (int round = 0; round < rounds; ++round) {
      sync_times.push_back(timed_collectively([&] { sync.save(100 + round, job.content); }));
      const auto manifest =
          ns::io::read_manifest(options.directory + "/" + ns::io::checkpoint_name(100 + round));
      bytes = 0.0;
      for (const auto& file : manifest.files) bytes += static_cast<double>(file.bytes);
      const long long blocks = static_cast<long long>(bytes / n / (1 << 20)) + 1;
      const std::string command = "dd if=/dev/zero of=" + dir + "/dd-" + std::to_string(rank) +
                                  ".bin bs=1M count=" + std::to_string(blocks) +
                                  " conv=fsync status=none";
      dd_times.push_back(
          timed_collectively([&] {
            if (std::system(command.c_str()) != 0)
              std::fprintf(stderr, "dd failed: %s\n", command.c_str());
          }) *
          bytes / (static_cast<double>(blocks) * n * (1 << 20)));  // scaled to the same bytes
      std::remove((dir + "/dd-" + std::to_string(rank) + ".bin").c_str());
    }
  }
  const double sync_s = median(sync_times), dd_s = median(dd_times);

  // ---- 2. asynchronous stall in a training loop: 7 steps, a save after steps 2, 4 and 6 and
  // after the last one (whose stall is only its save() call: no update follows it)
  options.policy.async = true;
  double stall_s = 0.0, step_plain_s = 0.0, step_saving_s = 0.0;
  {
    Checkpointer async(options, world, log);
    const int steps = 7, saves = 4;
    step_plain_s = job.train(world, log, steps).second;
    const auto [checkpoint_per_step, step_s] = job.train(world, log, steps, &async, 2);
    stall_s = checkpoint_per_step * steps / saves;
    step_saving_s = step_s;
    async.wait();
  }

  // ---- 3. restore to the first step against a fresh start
  std::vector<double> fresh, restored;
  for (int round = 0; round < rounds; ++round) {
    fresh.push_back(timed_collectively([&] {
      Job j(size, world);
      j.train(world, log, 1);
    }));
    restored.push_back(timed_collectively([&] {
      Job j(size, world);
      Checkpointer loader(options, world, log);
      loader.load(loader.begin("auto"), j.content);
      j.train(world, log, 1);
    }));
  }
  const double fresh_s = median(fresh), restore_s = median(restored);
  if (rank == 0) {
    std::printf(
        "save ranks=%d size=%s bytes=%.0f save_ms=%.1f dd_fsync_ms=%.1f save_GBps=%.3f "
        "dd_GBps=%.3f "
        "ratio=%.3f\n",
        n, size.c_str(), bytes, sync_s * 1e3, dd_s * 1e3, bytes / sync_s / 1e9, bytes / dd_s / 1e9,
        dd_s / sync_s);
    std::printf(
        "async ranks=%d stall_per_save_ms=%.1f sync_save_ms=%.1f stall_ratio=%.3f step_ms=%.1f "
        "step_saving_every_2nd_ms=%.1f\n",
        n, stall_s * 1e3, sync_s * 1e3, stall_s / sync_s, step_plain_s * 1e3, step_saving_s * 1e3);
    std::printf(
        "restore ranks=%d fresh_first_step_ms=%.1f restored_first_step_ms=%.1f ratio=%.3f\n", n,
        fresh_s * 1e3, restore_s * 1e3, restore_s / fresh_s);
  }
  return 0;
}
