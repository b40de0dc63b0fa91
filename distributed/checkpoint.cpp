#include "distributed/checkpoint.h"

#include "distributed/gather.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "core/check.h"
#include "core/fault_injection.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "io/checkpoint/checkpoint_history.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/manifest.h"
#include "io/checkpoint/model_identity.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"

namespace neuroscale::distributed {
namespace {

// A checkpoint whose files cannot be made durable fails as a checkpoint (its exit code).
void fsync_path(const std::string& path) {
  try {
    io::fsync_path(path);
  } catch (const DataError& error) {
    NS_THROW(CheckpointError, error.what());
  }
}

// Why checkpoint `path` cannot continue this run's model, or "" when it can: the keys whose
// values differ between its model identity and this run's.
std::string identity_mismatch(const std::string& path, const io::Manifest& manifest,
                              const CheckpointOptions& options) {
  if (options.identity.empty() || options.identity.matches(manifest.config_hash)) return "";
  std::string keys;
  for (const auto& line :
       io::identity_differences(manifest.model_identity, options.identity.text)) {
    keys += (keys.empty() ? "" : "; ") + line;
  }
  return "'" + path + "' was saved by another model configuration (" + keys + "; config hash " +
         manifest.config_hash + " there, " + options.identity.hash + " now)";
}

// Whether `path` names an entry directly inside `directory` (both resolved).
bool directly_inside(const std::string& path, const std::string& directory) {
  char resolved_path[PATH_MAX], resolved_dir[PATH_MAX];
  if (!::realpath(path.c_str(), resolved_path) || !::realpath(directory.c_str(), resolved_dir))
    return false;
  const std::string entry = resolved_path;
  return entry.substr(0, entry.find_last_of('/')) == resolved_dir;
}

// dst <- src without LibTorch's intra-op thread pool (this runs beside the training thread):
// a plain memcpy for contiguous CPU tensors, a device-to-host copy otherwise.
void copy_tensor(const at::Tensor& src, const at::Tensor& dst) {
  if (src.device().is_cpu() && src.is_contiguous() && src.scalar_type() == dst.scalar_type()) {
    std::memcpy(dst.data_ptr(), src.data_ptr(), src.nbytes());
  } else {
    dst.copy_(src);
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Checkpointer::Checkpointer(CheckpointOptions options, Communicator& comm, Logger& log)
    : options_(std::move(options)), comm_(comm), log_(log) {
  NS_CHECK_AS(UsageError, options_.policy.keep >= 1, "checkpoint.keep must be >= 1, got ",
              options_.policy.keep);
  NS_CHECK_AS(UsageError, options_.policy.milestone_every >= 0,
              "checkpoint.milestone_every must be >= 0");
  if (comm_.rank() == 0) io::create_directories(options_.directory);
  comm_.barrier();
}

Checkpointer::~Checkpointer() {
  if (pending_ && pending_->writer.valid()) pending_->writer.wait();
  if (committing_.valid()) committing_.wait();
  if (retention_.valid()) retention_.wait();
}

std::vector<std::int64_t> Checkpointer::allgather_numbers(const std::vector<std::int64_t>& mine) {
  return distributed::allgather_numbers(comm_, options_.device, mine);
}

std::vector<std::string> Checkpointer::allgather_text(const std::string& mine) {
  return distributed::allgather_text(comm_, options_.device, mine);
}

double Checkpointer::save(std::int64_t step, const CheckpointContent& content) {
  const auto start = std::chrono::steady_clock::now();
  settle_commit();
  if (pending_) {
    const auto failure = finish(/*agree=*/true);
    if (!failure.empty()) log_.error(failure);
  }
  const int rank = comm_.rank();
  auto pending = std::make_unique<Pending>();
  pending->step = step;
  pending->final_dir = options_.directory + "/" + io::checkpoint_name(step);
  pending->temp_dir = pending->final_dir + ".tmp";

  // Rank 0 creates the temporary directory; everyone learns whether it could.
  std::string problem;
  if (rank == 0) {
    io::remove_checkpoint_directory(pending->temp_dir);  // a save that crashed earlier
    if (::mkdir(pending->temp_dir.c_str(), 0755) != 0) {
      problem = "cannot create '" + pending->temp_dir + "': " + std::strerror(errno);
    }
  }
  problem = allgather_text(problem)[0];
  if (!problem.empty()) {
    failed_ = "checkpoint " + io::checkpoint_name(step) + " was not saved: rank 0: " + problem +
              "; " + newest_committed();
    log_.error(failed_);
    return seconds_since(start);
  }

  // Who writes which replicated tensor: largest first to the rank with the fewest bytes so
  // far, counting each rank's own optimiser partition (deterministic on every rank).
  std::int64_t owned_bytes = 0;
  for (const auto& item : content.owned)
    owned_bytes += static_cast<std::int64_t>(item.second.nbytes());
  const auto owned_per_rank = allgather_numbers({owned_bytes});
  std::vector<std::uint64_t> load(owned_per_rank.begin(), owned_per_rank.end());
  const auto& replicated = content.replicated;
  std::vector<std::size_t> order(replicated.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return replicated[a].second.nbytes() > replicated[b].second.nbytes();
  });
  std::vector<bool> mine_flags(replicated.size(), false);
  for (const auto i : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    mine_flags[i] = r == rank;
    load[r] += replicated[i].second.nbytes();
  }
  // The tensors this rank writes. In async mode the writer copies them into host staging
  // buffers first (reused from the previous save when the layout is unchanged: its writer
  // has finished, so a save costs one copy and no allocation).
  io::NamedTensors sources, mine;
  const auto take = [&](const std::pair<std::string, at::Tensor>& item) {
    const auto tensor = item.second.detach();
    sources.emplace_back(item.first, tensor);
    if (!options_.policy.async) {
      mine.emplace_back(item.first, tensor);
      return;
    }
    const std::size_t k = mine.size();
    if (k >= staging_.size() || staging_[k].first != item.first ||
        !staging_[k].second.sizes().equals(tensor.sizes()) ||
        staging_[k].second.scalar_type() != tensor.scalar_type()) {
      staging_.resize(k + 1);
      staging_[k] = {item.first,
                     at::empty(tensor.sizes(),
                               tensor.options().device(at::kCPU).pinned_memory(tensor.is_cuda()))};
    }
    mine.push_back(staging_[k]);
  };
  for (std::size_t i = 0; i < replicated.size(); ++i) {
    if (mine_flags[i]) take(replicated[i]);
  }
  for (const auto& item : content.owned) take(item);
  for (const auto& [name, tensor] : sources) {  // what the shard will hold, for the manifest
    pending->listing += name + "\t" + io::safetensors_dtype(tensor.scalar_type()) + "\t";
    for (std::int64_t d = 0; d < tensor.dim(); ++d)
      pending->listing += (d ? "," : "") + std::to_string(tensor.size(d));
    pending->listing += "\n";
  }

  const std::string shard = pending->temp_dir + "/" + io::shard_file_name(rank);
  const std::string state_file = pending->temp_dir + "/" + io::state_file_name(rank);
  auto snapshot = std::make_shared<std::promise<void>>();
  pending->snapshot = snapshot->get_future().share();
  const bool copy = options_.policy.async;
  auto write = [shard, state_file, step, rank, copy, snapshot, sources = std::move(sources),
                tensors = std::move(mine), state = content.state]() {
    if (copy) {
      try {
        for (std::size_t k = 0; k < tensors.size(); ++k)
          copy_tensor(sources[k].second, tensors[k].second);
      } catch (...) {
        snapshot->set_value();  // nobody may wait forever; the error surfaces through the writer
        throw;
      }
    }
    snapshot->set_value();
    const auto shard_digest =
        io::write_safetensors(shard, tensors, {{"step", std::to_string(step)}});
    const auto state_digest = io::save_training_state(state, state_file);
    fault_point("save.written", step, rank);
    return Written{shard_digest.bytes, shard_digest.xxh64, state_digest.bytes, state_digest.xxh64};
  };
  pending->writer = std::async(options_.policy.async ? std::launch::async : std::launch::deferred,
                               std::move(write));
  pending_ = std::move(pending);
  if (!options_.policy.async) {
    const auto failure = finish(/*agree=*/true);
    if (!failure.empty()) log_.error(failure);
  }
  return seconds_since(start);
}

double Checkpointer::wait_for_snapshot() {
  if (!pending_ || !pending_->snapshot.valid()) return 0.0;
  const auto start = std::chrono::steady_clock::now();
  pending_->snapshot.wait();
  return seconds_since(start);
}

bool Checkpointer::poll() {
  if (!pending_) return false;
  const bool done = pending_->writer.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  const auto flags = allgather_numbers({done ? 1 : 0});
  if (std::find(flags.begin(), flags.end(), 0) != flags.end()) return false;
  const auto failure = finish(/*agree=*/false);
  if (!failure.empty()) log_.error(failure);
  return true;
}

void Checkpointer::wait() {
  settle_commit();
  if (pending_) finish(/*agree=*/true);
  NS_CHECK_AS(CheckpointError, failed_.empty(), failed_);
}

std::string Checkpointer::newest_committed() const {
  const auto names = io::committed_checkpoints(options_.directory);
  return names.empty()
             ? "there is no earlier checkpoint"
             : "the previous checkpoint " + options_.directory + "/" + names.front() + " is intact";
}

std::string Checkpointer::finish(bool agree) {
  settle_commit();
  const std::shared_ptr<Pending> pending = std::move(pending_);
  Written mine;
  std::string error;
  try {
    mine = pending->writer.get();
  } catch (const std::exception& e) {
    error = e.what();
  }
  const int world = comm_.size();
  const auto table = allgather_numbers(
      {error.empty() ? 0 : 1, static_cast<std::int64_t>(mine.shard_bytes),
       static_cast<std::int64_t>(mine.shard_xxh64), static_cast<std::int64_t>(mine.state_bytes),
       static_cast<std::int64_t>(mine.state_xxh64)});
  std::vector<Written> results(world);
  bool any_failed = false;
  for (int r = 0; r < world; ++r) {
    const auto* v = table.data() + 5 * r;
    any_failed = any_failed || v[0] != 0;
    results[r] = {static_cast<std::uint64_t>(v[1]), static_cast<std::uint64_t>(v[2]),
                  static_cast<std::uint64_t>(v[3]), static_cast<std::uint64_t>(v[4])};
  }
  std::string failure;
  if (any_failed) {
    const auto texts = allgather_text(error);
    for (int r = 0; r < world; ++r) {
      if (table[5 * r] != 0)
        failure += (failure.empty() ? "" : "; ") + ("rank " + std::to_string(r) + ": " + texts[r]);
    }
    if (comm_.rank() == 0) io::remove_checkpoint_directory(pending->temp_dir);
  } else {
    auto listings = allgather_text(pending->listing);
    // Rank 0 commits; the others have nothing left to do for this save.
    auto job = [this, pending, results, listings = std::move(listings)]() -> std::string {
      try {
        commit(*pending, results, listings);
        return "";
      } catch (const std::exception& e) {
        io::remove_checkpoint_directory(pending->temp_dir);
        return e.what();
      }
    };
    if (!agree) {  // the commit's fsyncs and renames run beside training; settle_commit() reports
      if (comm_.rank() == 0) {
        committing_step_ = pending->step;
        committing_ = std::async(std::launch::async, std::move(job));
      }
      return "";
    }
    const auto problem = allgather_text(comm_.rank() == 0 ? job() : "")[0];
    if (!problem.empty()) failure = "rank 0: " + problem;
  }
  if (failure.empty()) {
    failed_.clear();
    log_.info("checkpoint ", pending->final_dir, " committed");
    return "";
  }
  failed_ = "checkpoint " + io::checkpoint_name(pending->step) + " was not saved: " + failure +
            "; " + newest_committed();
  return failed_;
}

void Checkpointer::settle_commit() {
  if (!committing_.valid()) return;
  const auto problem = committing_.get();
  const auto name = io::checkpoint_name(committing_step_);
  if (problem.empty()) {
    failed_.clear();
    log_.info("checkpoint ", options_.directory, "/", name, " committed");
  } else {
    failed_ =
        "checkpoint " + name + " was not saved: rank 0: " + problem + "; " + newest_committed();
    log_.error(failed_);
  }
}

void Checkpointer::commit(const Pending& pending, const std::vector<Written>& results,
                          const std::vector<std::string>& listings) {
  io::Manifest manifest;
  manifest.step = pending.step;
  manifest.world_size = comm_.size();
  manifest.config_hash = options_.identity.hash;
  manifest.model_identity = options_.identity.text;
  manifest.parent = head_name_;
  manifest.parent_checksum = head_checksum_;
  manifest.code_version = options_.code_version;
  manifest.base_weights = options_.base_weights;
  for (int r = 0; r < comm_.size(); ++r) {
    const auto shard = io::shard_file_name(r);
    manifest.files.push_back({shard, results[r].shard_bytes, results[r].shard_xxh64});
    manifest.files.push_back(
        {io::state_file_name(r), results[r].state_bytes, results[r].state_xxh64});
    std::istringstream lines(listings[r]);
    std::string name, dtype, dims;
    while (std::getline(lines, name, '\t') && std::getline(lines, dtype, '\t') &&
           std::getline(lines, dims)) {
      std::vector<std::int64_t> shape;
      std::istringstream extents(dims);
      for (std::string extent; std::getline(extents, extent, ',');)
        shape.push_back(std::stoll(extent));
      manifest.tensors.push_back({name, shard, dtype, shape});
    }
  }
  const auto checksum = io::write_manifest(manifest, pending.temp_dir);
  fsync_path(pending.temp_dir);
  fault_point("commit.manifest", pending.step, 0);
  io::remove_checkpoint_directory(
      pending.final_dir);  // a stale directory of the same step (never the protected one)
  NS_CHECK_AS(CheckpointError,
              std::rename(pending.temp_dir.c_str(), pending.final_dir.c_str()) == 0,
              "cannot commit '", pending.final_dir, "': ", std::strerror(errno));
  fsync_path(options_.directory);
  fault_point("commit.renamed", pending.step, 0);
  head_name_ = io::checkpoint_name(pending.step);
  head_checksum_ = checksum;
  io::set_latest(options_.directory, head_name_);
  fsync_path(options_.directory);  // the new `latest` entry itself
  // Deleting old checkpoints (unlinking gigabytes) need not hold up training.
  if (retention_.valid()) retention_.wait();
  retention_ = std::async(std::launch::async, [this] { retain(); });
}

void Checkpointer::retain() {
  // Only this run's chain counts toward `keep`; nothing off it is touched.
  const auto chain =
      io::history_chain(options_.directory, io::latest_checkpoint(options_.directory));
  for (std::size_t i = static_cast<std::size_t>(options_.policy.keep); i < chain.size(); ++i) {
    const std::string path = options_.directory + "/" + chain[i];
    const auto step = io::checkpoint_step(chain[i]);
    const auto milestone = options_.policy.milestone_every;
    if (path == protected_ || (milestone > 0 && step % milestone == 0)) continue;
    io::remove_checkpoint_directory(path);
  }
}

std::string Checkpointer::begin(const std::string& resume) {
  std::string problem, chosen;
  if (comm_.rank() == 0) {
    const auto& directory = options_.directory;
    try {
      std::vector<std::string> chain;
      io::Manifest manifest;
      if (resume == "auto") {
        const auto skip = [&](const std::string& path, const std::string& why) {
          log_.warn("skipping checkpoint: ",
                    why.rfind("'" + path, 0) == 0 ? why : "'" + path + "': " + why);
        };
        if (auto head = io::resume_head(directory, skip)) {
          std::tie(chosen, manifest) = *head;
          const auto mismatch = identity_mismatch(chosen, manifest, options_);
          NS_CHECK_AS(CheckpointError, mismatch.empty(), mismatch,
                      ": this run's configuration changed since its last checkpoint. Relaunch with "
                      "the run's "
                      "configuration, or start the run over with --resume none (its checkpoints "
                      "are moved to ",
                      directory, "/", io::kOffChainDirectory, "/), or use another run directory");
          chain = io::history_chain(directory, chosen.substr(chosen.find_last_of('/') + 1));
        }
      } else if (resume != "none") {
        manifest = io::verify_checkpoint(resume);
        const auto mismatch = identity_mismatch(resume, manifest, options_);
        NS_CHECK_AS(CheckpointError, mismatch.empty(), mismatch);
        chosen = resume;
        char resolved[PATH_MAX];
        if (directly_inside(resume, directory)) {
          chain = io::history_chain(directory, io::checkpoint_name(io::checkpoint_step(resume)));
        } else if (::realpath(resume.c_str(), resolved)) {
          chosen = resolved;  // the parent the next commit records
        }
      }
      for (const auto& name : io::remove_incomplete(directory)) {
        log_.info("removed ", directory, "/", name, ": a save that never committed");
      }
      const auto moved = io::set_aside(directory, chain);
      if (!moved.empty()) {
        std::string names;
        for (const auto& path : moved)
          names += (names.empty() ? "" : ", ") + path.substr(path.find_last_of('/') + 1);
        log_.warn("moved ", moved.size(), " checkpoint(s) that are not on this run's history from ",
                  chosen.empty() ? "the start" : chosen, " to ", directory, "/",
                  io::kOffChainDirectory, "/ (", names,
                  "); they are not resumed, kept or deleted by this run");
      }
      head_name_ = chain.empty() ? chosen : chain.front();
      head_checksum_ = chosen.empty() ? 0 : manifest.checksum;
      io::set_latest(directory, chain.empty() ? "" : chain.front());
      if (!chain.empty()) chosen = directory + "/" + chain.front();
    } catch (const Error& error) {
      problem = error.what();
    }
  }
  problem = allgather_text(problem)[0];
  NS_CHECK_AS(CheckpointError, problem.empty(), problem);
  return allgather_text(chosen)[0];
}

io::TrainingState Checkpointer::load(const std::string& path, const CheckpointContent& target) {
  std::string problem;
  if (comm_.rank() == 0) {
    try {
      problem = identity_mismatch(path, io::verify_checkpoint(path), options_);
    } catch (const CheckpointError& error) {
      problem = error.what();
    }
  }
  problem = allgather_text(problem)[0];
  NS_CHECK_AS(CheckpointError, problem.empty(), problem);
  const auto manifest = io::read_manifest(path);
  std::map<std::string, const io::ManifestTensor*> entries;
  for (const auto& t : manifest.tensors) entries[t.name] = &t;

  // Check every wanted tensor against the manifest, then read only those, each shard once.
  std::map<std::string, at::Tensor> targets;
  for (const auto* list : {&target.replicated, &target.owned}) {
    for (const auto& [name, tensor] : *list) {
      const auto it = entries.find(name);
      NS_CHECK_AS(CheckpointError, it != entries.end(), "'", path, "' has no tensor '", name, "'");
      const auto dtype = io::safetensors_dtype(tensor.scalar_type());
      NS_CHECK_AS(CheckpointError,
                  it->second->shape == tensor.sizes().vec() && it->second->dtype == dtype, "'",
                  path, "': tensor '", name, "' is ", at::IntArrayRef(it->second->shape), " ",
                  it->second->dtype, ", the model expects ", tensor.sizes(), " ", dtype);
      targets[name] = tensor;
    }
  }
  at::NoGradGuard no_grad;
  const auto wanted = [&](const std::string& name) { return targets.count(name) > 0; };
  for (const auto& [name, tensor] : io::read_checkpoint_tensors(path, manifest, wanted))
    targets.at(name).copy_(tensor);
  const bool same_world = manifest.world_size == comm_.size();
  auto state =
      io::load_training_state(path + "/" + io::state_file_name(same_world ? comm_.rank() : 0));
  if (!same_world) {
    state.cpu_rng.clear();
    state.cuda_rng.clear();
    log_.warn(
        "resuming a ", manifest.world_size, "-rank checkpoint on ", comm_.size(),
        " ranks: parameters, optimiser state and data order continue; dropout streams restart");
  }
  protected_ = path;
  return state;
}

}  // namespace neuroscale::distributed
