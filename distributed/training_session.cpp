#include "distributed/training_session.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "core/check.h"
#include "core/interrupt.h"
#include "core/process_info.h"
#include "distributed/accelerator.h"
#include "distributed/checkpoint.h"
#include "distributed/rng_state.h"
#include "distributed/trainer.h"
#include "distributed/zero.h"
#include "io/checkpoint/module_loader.h"
#include "io/run/metrics_log.h"
#include "io/run/tensorboard_writer.h"
#include "io/run/trace_file.h"

namespace neuroscale::distributed {
namespace {

// The tensors of a checkpoint, views of the live ones: parameters ("model.<name>",
// replicated on every rank) and optimiser state ("optim.<name>.<slot>"): this rank's own
// partition under ZeRO-1, else replicated too.
CheckpointContent checkpoint_tensors(torch::nn::Module& module, optim::Optimizer& optimizer,
                                     bool sharded) {
  CheckpointContent content;
  for (const auto& item : module.named_parameters(true)) {
    if (!item.value().requires_grad()) continue;  // frozen: rebuilt from the base weights
    content.replicated.emplace_back(io::kModelPrefix + item.key(), item.value().detach());
  }
  for (auto& [name, tensor] : optimizer.named_state()) {
    (sharded ? content.owned : content.replicated)
        .emplace_back(io::kOptimizerPrefix + name, tensor);
  }
  return content;
}

// The part of a metric record a checkpoint keeps as history: what the training computed
// (losses, lr, norms, validation), not how fast this machine ran it.
std::map<std::string, double> training_metrics(const std::map<std::string, double>& values) {
  static const std::set<std::string> kMachine = {"samples_per_s", "bins_per_s",  "tokens_per_s",
                                                 "flops_per_s",   "data_wait_s", "comm_exposed_s",
                                                 "checkpoint_s",  "step_s"};
  std::map<std::string, double> kept;
  for (const auto& [key, value] : values) {  // a non-finite value (a diverging step) is left out
    if (!kMachine.count(key) && std::isfinite(value)) kept[key] = value;
  }
  return kept;
}

}  // namespace

double training_flops_per_bin(const torch::nn::Module& module, const task::Task& task,
                              const model::BitEncoderOptions& encoder, int subject_layers) {
  std::int64_t shared = 0;
  for (const auto& item : module.named_parameters(true)) {
    if (!task.subject_specific(item.key())) shared += item.value().numel();
  }
  const auto& first = encoder.subjects().front();
  const double width = static_cast<double>(first.channels * encoder.patch_size());
  const double d = static_cast<double>(encoder.transformer().hidden());
  const double per_token = 6.0 * (static_cast<double>(shared) + subject_layers * width * d);
  return per_token / static_cast<double>(encoder.patch_size());
}

TrainingSession::TrainingSession(MpiContext& mpi, Logger& log, TrainingSpec spec)
    : mpi_(mpi), log_(log), spec_(std::move(spec)) {
  const int threads = spec_.train.threads > 0 ? spec_.train.threads : cpu_threads_from_launcher();
  if (threads > 0) torch::set_num_threads(threads);
  device_ = job_device(spec_.train.device, mpi_.local_rank());
  CommunicatorOptions comm_options;
  comm_options.timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(spec_.train.comm_timeout_s * 1000));
  NS_CHECK_AS(UsageError, !spec_.trace || !spec_.run_dir.empty(),
              "--trace needs --run-dir (the traces are written to RUN_DIR/traces)");
  if (spec_.trace) {
    TracerOptions trace_options;
    trace_options.pid = mpi_.rank();
    tracer_ = std::make_shared<Tracer>(trace_options);
    comm_options.tracer = tracer_;
  }
  comm_ = make_communicator(mpi_, device_, comm_options);

  if (spec_.data.corpus.empty()) return;  // the job brings its own TrainingData
  reader_ = std::make_unique<io::CorpusReader>(spec_.data.corpus, MPI_COMM_NULL);
  io::SamplerOptions sampler;
  sampler.seed = spec_.seed;
  sampler.batch_trials = spec_.train.micro_batch;
  sampler.labeled_only = spec_.labeled_only;
  sampler.fraction = spec_.fraction;
  sampler.fraction_seed = spec_.fraction_seed;
  corpus_data_ = std::make_unique<CorpusTrainingData>(reader_->index(), spec_.data, sampler,
                                                      spec_.patch_size, log_);
}

TrainingSession::~TrainingSession() = default;

const io::CorpusIndex& TrainingSession::index() const {
  NS_CHECK(reader_ != nullptr, "TrainingSession::index() without a corpus (data.corpus is empty)");
  return reader_->index();
}

void TrainingSession::train(task::Task& task, const OptimizationSpec& spec, TrainingData* data) {
  auto& mpi = mpi_;
  Logger& log = log_;
  const auto& config = spec_;
  const std::string& run_dir = spec_.run_dir;
  const auto device = device_;
  if (data == nullptr) data = corpus_data_.get();
  NS_CHECK(data != nullptr,
           "TrainingSession::train: no training data (neither data.corpus nor a TrainingData)");

  // ZeRO-1: this rank's optimiser covers the parameters the partition gives it.
  std::unique_ptr<ParameterPartition> partition;
  if (config.train.shard_optimizer) {
    std::vector<std::string> names;
    std::vector<at::Tensor> params;
    for (const auto& item : task.module().named_parameters(true)) {
      if (!item.value().requires_grad()) continue;
      names.push_back(item.key());
      params.push_back(item.value());
    }
    partition = std::make_unique<ParameterPartition>(names, params, mpi.size());
  }
  auto optimizer = optim::make_optimizer(
      spec.optimizer, task.module(),
      [&](const std::string& name) { return !partition || partition->owner(name) == mpi.rank(); },
      spec.lr_scale);
  auto schedule_options = spec.schedule;
  optim::LrSchedule schedule(schedule_options.total_steps(config.train.max_steps));
  // Dropout streams differ per rank (as in DDP), after the identical initialisation.
  torch::manual_seed(static_cast<std::uint64_t>(config.seed) +
                     1000003ULL * static_cast<std::uint64_t>(mpi.rank() + 1));

  TrainerOptions trainer_options;
  trainer_options.train = config.train;
  trainer_options.grad_clip = spec.optimizer.grad_clip();
  trainer_options.flops_per_bin = spec.flops_per_bin;
  trainer_options.bins_per_token = static_cast<double>(config.patch_size);
  trainer_options.partition = partition.get();
  trainer_options.tracer = tracer_.get();
  // ---- checkpoints: resume, then save every checkpoint.every_steps, at the end and on a signal
  std::unique_ptr<Checkpointer> checkpointer;
  std::int64_t start_step = 0;
  io::SamplerPosition start_position;
  if (!run_dir.empty()) {
    CheckpointOptions checkpoint_options;
    checkpoint_options.directory = run_dir + "/checkpoints";
    checkpoint_options.policy = config.checkpoint;
    checkpoint_options.device = device;
    checkpoint_options.identity = spec.model_identity;
    checkpoint_options.base_weights = spec.base_weights;
    checkpoint_options.code_version = config.code_version;
    checkpointer = std::make_unique<Checkpointer>(checkpoint_options, *comm_, log);
  }
  NS_CHECK_AS(UsageError, config.resume == "auto" || config.resume == "none" || checkpointer,
              "--resume ", config.resume, " needs --run-dir (checkpoints live there)");
  const auto tensors = checkpoint_tensors(task.module(), *optimizer, partition != nullptr);
  std::string resume_from;
  std::vector<std::pair<std::int64_t, std::map<std::string, double>>>
      history;  // rank 0's metric records
  if (checkpointer) {
    resume_from = checkpointer->begin(config.resume);
    if (config.record_run) config.record_run();
  }
  if (!resume_from.empty()) {
    const auto state = checkpointer->load(resume_from, tensors);
    start_step = state.step;
    start_position = {state.epoch, state.cursor};
    if (!state.cpu_rng.empty()) restore_generator(at::kCPU, state.cpu_rng);
    if (!state.cuda_rng.empty() && device.is_cuda()) restore_generator(device, state.cuda_rng);
    history = state.metrics;
    if (mpi.rank() == 0) io::rewind_metrics_log(run_dir + "/metrics.jsonl", state.step);
    log.info("resumed from ", resume_from, " at step ", start_step);
  }

  // ---- loop
  const auto train_source =
      data->train(start_position, mpi.rank(), mpi.size(), config.train.accumulate);
  auto& train = *train_source;
  if (checkpointer) {
    trainer_options.save_every = config.checkpoint.every_steps;
    trainer_options.save = [&](std::int64_t completed) {
      io::TrainingState state;
      state.step = completed;
      const auto position = train.position();
      state.epoch = position.epoch;
      state.cursor = position.cursor;
      state.rank = mpi.rank();
      state.world_size = mpi.size();
      state.cpu_rng = generator_state(at::kCPU);
      if (device.is_cuda()) state.cuda_rng = generator_state(device);
      state.lr = schedule.lr(completed - 1);
      state.metrics = history;
      auto content = tensors;
      content.state = std::move(state);
      checkpointer->save(completed, content);
    };
    trainer_options.after_step = [&](std::int64_t) { checkpointer->poll(); };
    trainer_options.before_update = [&] { return checkpointer->wait_for_snapshot(); };
  }
  Trainer trainer(task, *optimizer, schedule, *comm_, trainer_options, log);
  const ValidationSource validation = data->validation(mpi.rank(), mpi.size());
  std::unique_ptr<std::ofstream> metrics;
  std::unique_ptr<io::TensorBoardWriter>
      events;  // a new file per launch; START at the first new step
  if (!run_dir.empty() && mpi.rank() == 0) {
    metrics = std::make_unique<std::ofstream>(run_dir + "/metrics.jsonl", std::ios::app);
    NS_CHECK_AS(DataError, metrics->good(), "cannot append to '", run_dir, "/metrics.jsonl'");
    events = std::make_unique<io::TensorBoardWriter>(run_dir + "/tensorboard", start_step + 1);
  }
  io::TraceFile trace_file(tracer_.get(), run_dir, mpi.rank(), log);
  std::int64_t reached = 0;
  try {
    reached = trainer.run(train, validation, start_step, [&](const MetricsRecord& record) {
      if (metrics) {
        *metrics << io::format_metrics_line(record.step, record.values);
        metrics->flush();
      }
      if (events) events->write_scalars(record.step, record.values);
      history.emplace_back(record.step, training_metrics(record.values));
    });
  } catch (const DivergedError&) {
    // Every rank stops at the same step: commit a save of good steps still in flight, so the
    // newest checkpoint is the last one before the divergence.
    if (checkpointer) checkpointer->wait();
    throw;
  }
  if (checkpointer) checkpointer->wait();  // the last save: committed, or a CheckpointError
  trace_file.write();
  if (reached < config.train.max_steps) {
    if (checkpointer) {
      throw CheckpointedStop(
          config.activity + " stopped by " + std::string(signal_name(pending_interrupt())) +
          " at step " + std::to_string(reached) + " after saving a checkpoint; rerun to resume");
    }
    throw_if_interrupted(config.activity.c_str());
  }
  log.info(config.activity, " finished after ", reached, " steps");
}

}  // namespace neuroscale::distributed
