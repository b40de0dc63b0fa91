#include "jobs/training_run.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/check.h"
#include "core/interrupt.h"
#include "core/trace.h"
#include "distributed/accelerator.h"
#include "distributed/checkpoint.h"
#include "distributed/loader_source.h"
#include "distributed/trainer.h"
#include "distributed/zero.h"
#include "io/checkpoint/model_identity.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/fs/files.h"
#include "io/run/metrics_log.h"
#include "io/run/tensorboard_writer.h"

namespace neuroscale::jobs {
namespace {

// The tensors of a checkpoint, views of the live ones: parameters ("model.<name>",
// replicated on every rank) and optimiser state ("optim.<name>.<slot>"): this rank's own
// partition under ZeRO-1, else replicated too.
distributed::CheckpointContent checkpoint_tensors(torch::nn::Module& module, optim::Optimizer& optimizer,
                                                  bool sharded) {
  distributed::CheckpointContent content;
  for (const auto& item : module.named_parameters(true)) {
    if (!item.value().requires_grad()) continue;  // frozen: rebuilt from the base weights
    content.replicated.emplace_back(io::kModelPrefix + item.key(), item.value().detach());
  }
  for (auto& [name, tensor] : optimizer.named_state()) {
    (sharded ? content.owned : content.replicated).emplace_back(io::kOptimizerPrefix + name, tensor);
  }
  return content;
}

// Cuts RUN_DIR/metrics.jsonl back to the records of steps up to a resumed checkpoint's, so
// a run that died after logging steps past its last checkpoint has no duplicate steps.
void rewind_metrics(const std::string& path, std::int64_t step) {
  std::ifstream in(path);
  if (!in) return;  // nothing logged yet
  std::string kept, line;
  while (std::getline(in, line)) {  // a line that is not a record (a torn last write) is dropped
    if (line.rfind("{\"step\":", 0) != 0) continue;
    char* end = nullptr;
    const long long logged = std::strtoll(line.c_str() + 8, &end, 10);
    if (end != line.c_str() + 8 && logged <= step) kept += line + "\n";
  }
  io::write_file_atomically(path, kept);
}

// The part of a metric record a checkpoint keeps as history: what the training computed
// (losses, lr, norms, validation), not how fast this machine ran it.
std::map<std::string, double> training_metrics(const std::map<std::string, double>& values) {
  static const std::set<std::string> kMachine = {"samples_per_s", "bins_per_s", "tokens_per_s", "flops_per_s",
                                                  "data_wait_s", "comm_exposed_s", "checkpoint_s", "step_s"};
  std::map<std::string, double> kept;
  for (const auto& [key, value] : values) {  // a non-finite value (a diverging step) is left out
    if (!kMachine.count(key) && std::isfinite(value)) kept[key] = value;
  }
  return kept;
}

// This rank's timeline, written to RUN_DIR/traces/rank-NNNNN.json when training ends:
// normally and after a signal by write(), by the destructor when an error unwinds the
// training (so a failed run keeps the timeline up to the failure; a write error then is only
// a warning, the training error is the one reported).
class TraceFile {
 public:
  TraceFile(const Tracer* tracer, const std::string& run_dir, int rank, Logger& log) : tracer_(tracer), log_(log) {
    if (!tracer_) return;
    char name[32];
    std::snprintf(name, sizeof(name), "rank-%05d.json", rank);
    directory_ = run_dir + "/traces";
    path_ = directory_ + "/" + name;
  }
  ~TraceFile() {
    if (!tracer_) return;
    try {
      write();
    } catch (const std::exception& error) {
      log_.warn("trace not written: ", error.what());
    }
  }
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  void write() {
    if (!tracer_) return;
    const Tracer* tracer = tracer_;
    tracer_ = nullptr;  // once, whatever happens
    io::create_directories(directory_);
    io::write_file_atomically(path_, tracer->to_json());
    log_.debug("trace of ", tracer->size(), " events written to ", path_,
               tracer->dropped() ? " (" + std::to_string(tracer->dropped()) + " dropped)" : std::string());
  }

 private:
  const Tracer* tracer_;
  Logger& log_;
  std::string directory_, path_;
};

// The default random generator of `device` (the CPU's, or a GPU's for dropout on it).
at::Generator default_generator(const at::Device& device) {
  return device.is_cpu() ? at::detail::getDefaultCPUGenerator() : at::globalContext().defaultGenerator(device);
}

std::vector<std::uint8_t> generator_state(const at::Device& device) {
  at::Generator generator = default_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  const auto state = generator.get_state();
  const auto* bytes = state.data_ptr<std::uint8_t>();
  return {bytes, bytes + state.numel()};
}

void restore_generator(const at::Device& device, const std::vector<std::uint8_t>& bytes) {
  auto state = at::empty({static_cast<std::int64_t>(bytes.size())}, at::kByte);
  std::copy(bytes.begin(), bytes.end(), state.data_ptr<std::uint8_t>());
  at::Generator generator = default_generator(device);  // a handle to the default
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

// The batches of a neural corpus: the global sampler read as P*A virtual ranks by one
// loader per accumulation slot (LoaderSource).
class CorpusTrainingData : public TrainingData {
 public:
  CorpusTrainingData(const io::CorpusIndex& index, const TrainingSpec& spec, Logger& log) : spec_(spec) {
    io::SamplerOptions sampler_options;
    sampler_options.seed = spec.seed;
    sampler_options.batch_trials = spec.train.micro_batch;
    sampler_options.bucket_batches = spec.data.bucket_batches;
    sampler_options.subjects = subject_indices(index, spec.data.subjects, spec.data.corpus);
    sampler_options.labeled_only = spec.labeled_only;
    sampler_options.fraction = spec.fraction;
    sampler_options.fraction_seed = spec.fraction_seed;
    train_sampler_ = std::make_unique<io::GlobalSampler>(index, sampler_options);
    sampler_options.split = io::Split::kVal;
    sampler_options.fraction = 1.0;  // validation always sees every trial
    try {
      val_sampler_ = std::make_unique<io::GlobalSampler>(index, sampler_options);
    } catch (const ConfigError&) {
      log.warn("corpus '", spec.data.corpus, "' has no val trials", spec.labeled_only ? " with labels" : "",
               ": validation is skipped");
    }
    loader_options_.prefetch = spec.data.prefetch;
    loader_options_.threads = spec.data.loader_threads;
    loader_options_.normalize = spec.data.normalize;
    loader_options_.pad_multiple = static_cast<int>(spec.patch_size);
  }

  std::unique_ptr<distributed::ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                                      int accumulate) override {
    return std::make_unique<distributed::LoaderSource>(spec_.data.corpus, *train_sampler_, start, rank, world_size,
                                                       accumulate, loader_options_);
  }

  distributed::ValidationSource validation(int rank, int world_size) override {
    if (!val_sampler_) return {};
    return [this, rank, world_size] {
      return std::make_unique<distributed::LoaderSource>(spec_.data.corpus, *val_sampler_, io::SamplerPosition{},
                                                         rank, world_size, 1, loader_options_);
    };
  }

 private:
  const TrainingSpec& spec_;
  io::LoaderOptions loader_options_;
  std::unique_ptr<io::GlobalSampler> train_sampler_, val_sampler_;
};

}  // namespace

std::vector<std::int32_t> subject_indices(const io::CorpusIndex& index, const std::vector<std::string>& names,
                                          const std::string& corpus) {
  std::vector<std::int32_t> indices;
  for (const auto& name : names) {
    std::string known;
    std::int32_t found = -1;
    for (std::size_t i = 0; i < index.subjects.size(); ++i) {
      known += (i ? ", " : "") + index.subjects[i].name;
      if (index.subjects[i].name == name) found = static_cast<std::int32_t>(i);
    }
    NS_CHECK_AS(ConfigError, found >= 0, "data.subjects: '", name, "' is not a subject of corpus '", corpus,
                "' (it has: ", known, ")");
    NS_CHECK_AS(ConfigError, std::find(indices.begin(), indices.end(), found) == indices.end(),
                "data.subjects: '", name, "' is listed twice");
    indices.push_back(found);
  }
  return indices;
}

std::vector<model::SubjectSpec> subject_specs(const io::CorpusIndex& index) {
  std::vector<model::SubjectSpec> subjects;
  for (const auto& s : index.subjects) subjects.push_back({s.name, s.n_channels});
  return subjects;
}

io::ModelIdentity model_identity(const std::string& kind, const std::vector<model::SubjectSpec>& subjects,
                                 const std::string& model_yaml) {
  std::string table;
  for (const auto& s : subjects) table += (table.empty() ? "" : ", ") + s.name + ":" + std::to_string(s.channels);
  return io::ModelIdentity(kind, {{"subjects", table}}, model_yaml);
}

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

TrainingRun::TrainingRun(Runtime& runtime, TrainingSpec spec) : runtime_(runtime), spec_(std::move(spec)) {
  auto& mpi = runtime_.mpi();
  // config.yaml is written once train() knows the run directory's checkpoints fit this config.
  if (!spec_.run_dir.empty()) runtime_.open_run_directory(spec_.run_dir, "");
  const int threads = spec_.train.threads > 0 ? spec_.train.threads : cpu_threads_from_launcher();
  if (threads > 0) torch::set_num_threads(threads);
  device_ = distributed::job_device(spec_.train.device, mpi.local_rank());
  distributed::CommunicatorOptions comm_options;
  comm_options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(spec_.train.comm_timeout_s * 1000));
  NS_CHECK_AS(UsageError, !spec_.trace || !spec_.run_dir.empty(),
              "--trace needs --run-dir (the traces are written to RUN_DIR/traces)");
  if (spec_.trace) {
    TracerOptions trace_options;
    trace_options.pid = mpi.rank();
    tracer_ = std::make_shared<Tracer>(trace_options);
    comm_options.tracer = tracer_;
  }
  comm_ = distributed::make_communicator(mpi, device_, comm_options);

  if (spec_.data.corpus.empty()) return;  // the command brings its own TrainingData
  reader_ = std::make_unique<io::CorpusReader>(spec_.data.corpus, MPI_COMM_NULL);
  corpus_data_ = std::make_unique<CorpusTrainingData>(reader_->index(), spec_, log());
}

TrainingRun::~TrainingRun() = default;

const io::CorpusIndex& TrainingRun::index() const {
  NS_CHECK(reader_ != nullptr, "TrainingRun::index() without a corpus (data.corpus is empty)");
  return reader_->index();
}
int TrainingRun::rank() const { return runtime_.mpi().rank(); }
int TrainingRun::world_size() const { return runtime_.mpi().size(); }

void TrainingRun::train(task::Task& task, const OptimizationSpec& spec, TrainingData* data) {
  auto& mpi = runtime_.mpi();
  Logger& log = runtime_.logger();
  const auto& config = spec_;
  const std::string& run_dir = spec_.run_dir;
  const auto device = device_;
  if (data == nullptr) data = corpus_data_.get();
  NS_CHECK(data != nullptr, "TrainingRun::train: no training data (neither data.corpus nor a TrainingData)");

  // ZeRO-1: this rank's optimiser covers the parameters the partition gives it.
  std::unique_ptr<distributed::ParameterPartition> partition;
  if (config.train.shard_optimizer) {
    std::vector<std::string> names;
    std::vector<at::Tensor> params;
    for (const auto& item : task.module().named_parameters(true)) {
      if (!item.value().requires_grad()) continue;
      names.push_back(item.key());
      params.push_back(item.value());
    }
    partition = std::make_unique<distributed::ParameterPartition>(names, params, mpi.size());
  }
  auto optimizer = optim::make_optimizer(
      spec.optimizer, task.module(),
      [&](const std::string& name) { return !partition || partition->owner(name) == mpi.rank(); }, spec.lr_scale);
  auto schedule_options = spec.schedule;
  optim::LrSchedule schedule(schedule_options.total_steps(config.train.max_steps));
  // Dropout streams differ per rank (as in DDP), after the identical initialisation.
  torch::manual_seed(static_cast<std::uint64_t>(config.seed) + 1000003ULL * static_cast<std::uint64_t>(mpi.rank() + 1));

  distributed::TrainerOptions trainer_options;
  trainer_options.max_steps = config.train.max_steps;
  trainer_options.accumulate = config.train.accumulate;
  trainer_options.log_every = config.train.log_every;
  trainer_options.eval_every = config.train.eval_every;
  trainer_options.eval_steps = config.train.eval_steps;
  trainer_options.verify_every = config.train.verify_every;
  trainer_options.loss_reduction = config.train.loss_reduction;
  trainer_options.grad_clip = spec.optimizer.grad_clip();
  trainer_options.bf16 = config.train.precision == "bf16";
  trainer_options.max_nonfinite_steps = config.train.max_nonfinite_steps;
  trainer_options.flops_per_bin = spec.flops_per_bin;
  trainer_options.bins_per_token = static_cast<double>(config.patch_size);
  trainer_options.reducer.first_bucket_bytes = static_cast<std::int64_t>(config.train.first_bucket_mb * (1 << 20));
  trainer_options.reducer.bucket_bytes = static_cast<std::int64_t>(config.train.bucket_mb * (1 << 20));
  trainer_options.partition = partition.get();
  trainer_options.tracer = tracer_.get();
  trainer_options.reducer.tracer = tracer_.get();
  // ---- checkpoints: resume, then save every checkpoint.every_steps, at the end and on a signal
  std::unique_ptr<distributed::Checkpointer> checkpointer;
  std::int64_t start_step = 0;
  io::SamplerPosition start_position;
  if (!run_dir.empty()) {
    distributed::CheckpointOptions checkpoint_options;
    checkpoint_options.directory = run_dir + "/checkpoints";
    checkpoint_options.keep = config.checkpoint.keep;
    checkpoint_options.milestone_every = config.checkpoint.milestone_every;
    checkpoint_options.async = config.checkpoint.async;
    checkpoint_options.device = device;
    checkpoint_options.identity = spec.model_identity;
    checkpoint_options.base_weights = spec.base_weights;
    const auto version = version_text();
    checkpoint_options.code_version = version.substr(0, version.find('\n'));
    checkpointer = std::make_unique<distributed::Checkpointer>(checkpoint_options, *comm_, log);
  }
  NS_CHECK_AS(UsageError, config.resume == "auto" || config.resume == "none" || checkpointer, "--resume ",
              config.resume, " needs --run-dir (checkpoints live there)");
  const auto tensors = checkpoint_tensors(task.module(), *optimizer, partition != nullptr);
  std::string resume_from;
  std::vector<std::pair<std::int64_t, std::map<std::string, double>>> history;  // rank 0's metric records
  if (checkpointer) {
    resume_from = checkpointer->begin(config.resume);
    runtime_.record_run(spec_.resolved_config);
  }
  if (!resume_from.empty()) {
    const auto state = checkpointer->load(resume_from, tensors);
    start_step = state.step;
    start_position = {state.epoch, state.cursor};
    if (!state.cpu_rng.empty()) restore_generator(at::kCPU, state.cpu_rng);
    if (!state.cuda_rng.empty() && device.is_cuda()) restore_generator(device, state.cuda_rng);
    history = state.metrics;
    if (mpi.rank() == 0) rewind_metrics(run_dir + "/metrics.jsonl", state.step);
    log.info("resumed from ", resume_from, " at step ", start_step);
  }

  // ---- loop
  const auto train_source = data->train(start_position, mpi.rank(), mpi.size(), config.train.accumulate);
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
  distributed::Trainer trainer(task, *optimizer, schedule, *comm_, trainer_options, log);
  const distributed::ValidationSource validation = data->validation(mpi.rank(), mpi.size());
  std::unique_ptr<std::ofstream> metrics;
  std::unique_ptr<io::TensorBoardWriter> events;  // a new file per launch; START at the first new step
  if (!run_dir.empty() && mpi.rank() == 0) {
    metrics = std::make_unique<std::ofstream>(run_dir + "/metrics.jsonl", std::ios::app);
    NS_CHECK_AS(DataError, metrics->good(), "cannot append to '", run_dir, "/metrics.jsonl'");
    events = std::make_unique<io::TensorBoardWriter>(run_dir + "/tensorboard", start_step + 1);
  }
  TraceFile trace_file(tracer_.get(), run_dir, mpi.rank(), log);
  std::int64_t reached = 0;
  try {
    reached = trainer.run(train, validation, start_step, [&](const distributed::MetricsRecord& record) {
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
      throw CheckpointedStop(config.activity + " stopped by " + std::string(signal_name(pending_interrupt())) +
                             " at step " + std::to_string(reached) + " after saving a checkpoint; rerun to resume");
    }
    throw_if_interrupted(config.activity.c_str());
  }
  log.info(config.activity, " finished after ", reached, " steps");
}

}  // namespace neuroscale::jobs
