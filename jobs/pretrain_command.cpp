// `neuroscale pretrain`: masked-modelling pretraining of the BIT encoder over a corpus,
// data-parallel across the ranks of `mpirun -np N` or `srun`.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/check.h"
#include "core/interrupt.h"
#include "distributed/accelerator.h"
#include "distributed/checkpoint.h"
#include "io/checkpoint/xxhash64.h"
#include "distributed/loader_source.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "io/run/metrics_log.h"
#include "io/run/run_directory.h"
#include "io/schema/pretrain_schema.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
namespace {

// Training FLOPs per bin (20 ms): 6 x parameters used per token / bins per token. The
// standard 6N estimate (forward 2N, backward 4N), counting the shared encoder and one
// subject's read-in and read-out; attention's N^2 term is left out (small at N ~ 100).
double flops_per_bin(const torch::nn::Module& module, const task::MaskedModelingTask& task) {
  std::int64_t shared = 0;
  for (const auto& item : module.named_parameters(true)) {
    if (!task.subject_specific(item.key())) shared += item.value().numel();
  }
  const auto& options = task.options().model();
  const auto& first = options.encoder().subjects().front();
  const double width = static_cast<double>(first.channels * options.encoder().patch_size());
  const double d = static_cast<double>(options.encoder().transformer().hidden());
  const double per_token = 6.0 * (static_cast<double>(shared) + 2.0 * width * d);
  return per_token / static_cast<double>(options.encoder().patch_size());
}

// The tensors of a checkpoint, views of the live ones: parameters ("model.<name>",
// replicated on every rank) and optimiser state ("optim.<name>.<slot>"): this rank's own
// partition under ZeRO-1, else replicated too.
distributed::CheckpointContent checkpoint_tensors(torch::nn::Module& module, optim::Optimizer& optimizer,
                                                  bool sharded) {
  distributed::CheckpointContent content;
  for (const auto& item : module.named_parameters(true)) {
    content.replicated.emplace_back("model." + item.key(), item.value().detach());
  }
  for (auto& [name, tensor] : optimizer.named_state()) {
    (sharded ? content.owned : content.replicated).emplace_back("optim." + name, tensor);
  }
  return content;
}

// Cuts RUN_DIR/metrics.jsonl back to the records of steps up to a resumed checkpoint's, so
// a run that died after logging steps past its last checkpoint has no duplicate steps.
void rewind_metrics(const std::string& path, std::int64_t step) {
  std::ifstream in(path);
  if (!in) return;  // nothing logged yet
  std::string kept, line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (line.rfind("{\"step\":", 0) == 0 && std::stoll(line.substr(colon + 1)) <= step) kept += line + "\n";
  }
  io::write_file_atomically(path, kept);
}

// The part of a metric record a checkpoint keeps as history: what the training computed
// (losses, lr, norms, validation), not how fast this machine ran it.
std::map<std::string, double> training_metrics(const std::map<std::string, double>& values) {
  static const std::set<std::string> kMachine = {"samples_per_s", "bins_per_s", "tokens_per_s", "flops_per_s",
                                                  "data_wait_s", "comm_exposed_s", "checkpoint_s", "step_s"};
  std::map<std::string, double> kept;
  for (const auto& [key, value] : values) {
    if (!kMachine.count(key)) kept[key] = value;
  }
  return kept;
}

// The indices of the subjects named by `data.subjects` (empty: all). Throws ConfigError
// naming the unknown subject, the corpus and the subjects it has.
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

}  // namespace

int run_pretrain(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  std::string config_path, run_dir, resume = "auto";
  bool dry_run = false;
  std::vector<std::string> overrides;
  CommonOptions common;
  ArgParser parser("neuroscale pretrain",
                   "Pretrain the BIT encoder by masked time-patch reconstruction on a corpus,\n"
                   "data-parallel over the ranks of mpirun or srun. Metrics go to the log and,\n"
                   "with --run-dir, to RUN_DIR/metrics.jsonl; checkpoints to RUN_DIR/checkpoints.\n"
                   "SIGTERM or SIGUSR1 on any rank: all ranks save a checkpoint at the next step\n"
                   "and exit with code 75 (requeue me); the next launch resumes from it.");
  parser.option("--config", &config_path, "FILE", "YAML config (configs/pretrain/*.yaml)", true);
  parser.option("--run-dir", &run_dir, "DIR", "run directory: resolved config, environment, logs, metrics");
  parser.option("--resume", &resume, "auto|none|DIR",
                "auto (default): the newest checkpoint in RUN_DIR/checkpoints that verifies; none: start fresh; "
                "DIR: that checkpoint");
  parser.flag("--dry-run", &dry_run, "validate the config, print it resolved, and exit");
  add_common_options(parser, common);
  parser.overrides(&overrides);
  parser.epilog(
      "examples:\n"
      "  neuroscale pretrain --config configs/pretrain/tiny.yaml data.corpus=corpus.h5\n"
      "  mpirun -np 4 neuroscale pretrain --config configs/pretrain/tiny.yaml --run-dir runs/a train.max_steps=200\n"
      "  srun --mpi=pmix neuroscale pretrain --config configs/pretrain/paper.yaml --run-dir $RUN_DIR\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  // ---- config
  auto document = io::ConfigDocument::from_file(config_path);
  document.apply_overrides(overrides);
  io::PretrainConfig config;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  document.read_into(describe);
  io::validate(config, document.source());
  if (dry_run) {
    std::cout << io::to_yaml(describe);
    return 0;
  }

  // ---- ranks and device
  auto& mpi = runtime.mpi();
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  const int threads = config.train.threads > 0 ? config.train.threads : cpu_threads_from_launcher();
  if (threads > 0) torch::set_num_threads(threads);
  at::Device device(at::kCPU);
  if (config.train.device == "cuda") device = at::Device(at::kCUDA, distributed::select_cuda_device(mpi.local_rank()));
  distributed::CommunicatorOptions comm_options;
  comm_options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(config.train.comm_timeout_s * 1000));
  auto comm = distributed::make_communicator(mpi, device, comm_options);

  // ---- data
  io::CorpusReader reader(config.data.corpus, MPI_COMM_NULL);
  const auto& index = reader.index();
  io::SamplerOptions sampler_options;
  sampler_options.seed = config.seed;
  sampler_options.batch_trials = config.train.micro_batch;
  sampler_options.bucket_batches = config.data.bucket_batches;
  sampler_options.subjects = subject_indices(index, config.data.subjects, config.data.corpus);
  io::GlobalSampler train_sampler(index, sampler_options);
  sampler_options.split = io::Split::kVal;
  std::unique_ptr<io::GlobalSampler> val_sampler;
  try {
    val_sampler = std::make_unique<io::GlobalSampler>(index, sampler_options);
  } catch (const ConfigError&) {
    log.warn("corpus '", config.data.corpus, "' has no val trials: validation is skipped");
  }
  io::LoaderOptions loader_options;
  loader_options.prefetch = config.data.prefetch;
  loader_options.threads = config.data.loader_threads;
  loader_options.normalize = config.data.normalize;
  loader_options.pad_multiple = static_cast<int>(config.task.model().encoder().patch_size());

  // ---- model, task, optimiser (same seed on every rank; rank 0's weights are broadcast)
  torch::manual_seed(config.seed);
  std::vector<model::SubjectSpec> subjects;
  for (const auto& s : index.subjects) subjects.push_back({s.name, s.n_channels});
  config.task.model().encoder().subjects(subjects);
  config.task.seed(static_cast<std::uint64_t>(config.seed));
  task::MaskedModelingTask task(config.task);
  task.module().to(device);
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
  auto optimizer = optim::make_optimizer(config.optimizer, task.module(), [&](const std::string& name) {
    return !partition || partition->owner(name) == mpi.rank();
  });
  optim::LrSchedule schedule(config.schedule.total_steps(config.train.max_steps));
  // Dropout streams differ per rank (as in DDP), after the identical initialisation.
  torch::manual_seed(config.seed + 1000003ULL * static_cast<std::uint64_t>(mpi.rank() + 1));

  distributed::TrainerOptions trainer_options;
  trainer_options.max_steps = config.train.max_steps;
  trainer_options.accumulate = config.train.accumulate;
  trainer_options.log_every = config.train.log_every;
  trainer_options.eval_every = config.train.eval_every;
  trainer_options.eval_steps = config.train.eval_steps;
  trainer_options.verify_every = config.train.verify_every;
  trainer_options.loss_reduction = config.train.loss_reduction;
  trainer_options.grad_clip = config.optimizer.grad_clip();
  trainer_options.bf16 = config.train.precision == "bf16";
  trainer_options.flops_per_bin = flops_per_bin(task.module(), task);
  trainer_options.bins_per_token = static_cast<double>(config.task.model().encoder().patch_size());
  trainer_options.reducer.first_bucket_bytes = static_cast<std::int64_t>(config.train.first_bucket_mb * (1 << 20));
  trainer_options.reducer.bucket_bytes = static_cast<std::int64_t>(config.train.bucket_mb * (1 << 20));
  trainer_options.partition = partition.get();
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
    std::string model_text;
    for (const auto& s : subjects) model_text += s.name + ":" + std::to_string(s.channels) + ";";
    model_text += io::to_yaml([&](io::ConfigVisitor& v) { io::describe(v, config.task); });
    io::XxHash64 hash;
    hash.update(model_text.data(), model_text.size());
    checkpoint_options.config_hash = io::to_hex(hash.digest());
    const auto version = version_text();
    checkpoint_options.code_version = version.substr(0, version.find('\n'));
    checkpointer = std::make_unique<distributed::Checkpointer>(checkpoint_options, *comm, log);
  }
  NS_CHECK_AS(UsageError, resume == "auto" || resume == "none" || checkpointer,
              "neuroscale pretrain: --resume ", resume, " needs --run-dir (checkpoints live there)");
  const auto tensors = checkpoint_tensors(task.module(), *optimizer, partition != nullptr);
  std::string resume_from;
  std::vector<std::pair<std::int64_t, std::map<std::string, double>>> history;  // rank 0's metric records
  if (resume != "none" && checkpointer) resume_from = resume == "auto" ? checkpointer->find_latest_valid() : resume;
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
  distributed::LoaderSource train(config.data.corpus, train_sampler, start_position, mpi.rank(), mpi.size(),
                                  config.train.accumulate, loader_options);
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
  distributed::Trainer trainer(task, *optimizer, schedule, *comm, trainer_options, log);
  distributed::ValidationSource validation;
  if (val_sampler) {
    validation = [&] {
      return std::make_unique<distributed::LoaderSource>(config.data.corpus, *val_sampler, io::SamplerPosition{},
                                                         mpi.rank(), mpi.size(), 1, loader_options);
    };
  }
  std::unique_ptr<std::ofstream> metrics;
  if (!run_dir.empty() && mpi.rank() == 0) {
    metrics = std::make_unique<std::ofstream>(run_dir + "/metrics.jsonl", std::ios::app);
    NS_CHECK_AS(DataError, metrics->good(), "cannot append to '", run_dir, "/metrics.jsonl'");
  }
  const auto reached = trainer.run(train, validation, start_step, [&](const distributed::MetricsRecord& record) {
    if (metrics) {
      *metrics << io::format_metrics_line(record.step, record.values);
      metrics->flush();
    }
    history.emplace_back(record.step, training_metrics(record.values));
  });
  if (checkpointer) checkpointer->wait();  // the last save: committed, or a CheckpointError
  if (reached < config.train.max_steps) {
    if (checkpointer) {
      throw CheckpointedStop("pretraining stopped by " + std::string(signal_name(pending_interrupt())) +
                             " at step " + std::to_string(reached) + " after saving a checkpoint; rerun to resume");
    }
    throw_if_interrupted("pretraining");
  }
  log.info("pretraining finished after ", reached, " steps");
  return 0;
}

}  // namespace neuroscale::jobs
