#include "distributed/checkpoint.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "core/check.h"
#include "io/checkpoint/manifest.h"
#include "io/checkpoint/xxhash64.h"
#include "io/run/run_directory.h"

namespace neuroscale::distributed {
namespace {

std::string step_name(std::int64_t step) {
  char name[32];
  std::snprintf(name, sizeof(name), "step-%08lld", static_cast<long long>(step));
  return name;
}

std::string rank_file(const char* stem, int rank, const char* ext) {
  char name[64];
  std::snprintf(name, sizeof(name), "%s-%05d.%s", stem, rank, ext);
  return name;
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  NS_CHECK_AS(CheckpointError, fd >= 0, "cannot open '", path, "' to sync it: ", std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  NS_CHECK_AS(CheckpointError, rc == 0, "cannot sync '", path, "': ", std::strerror(errno));
}

void remove_tree(const std::string& path) {
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") std::remove((path + "/" + name).c_str());
    }
    ::closedir(dir);
  }
  ::rmdir(path.c_str());
}

// Committed step directories, newest first.
std::vector<std::string> committed_steps(const std::string& directory) {
  std::vector<std::string> steps;
  if (DIR* dir = ::opendir(directory.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name.rfind("step-", 0) == 0 && name.find('.') == std::string::npos) steps.push_back(name);
    }
    ::closedir(dir);
  }
  std::sort(steps.rbegin(), steps.rend());
  return steps;
}

std::string dtype_name(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "F32";
    case at::kDouble: return "F64";
    case at::kHalf: return "F16";
    case at::kBFloat16: return "BF16";
    case at::kLong: return "I64";
    case at::kInt: return "I32";
    default: return "other";
  }
}

}  // namespace

Checkpointer::Checkpointer(CheckpointOptions options, Communicator& comm, Logger& log)
    : options_(std::move(options)), comm_(comm), log_(log) {
  NS_CHECK_AS(UsageError, options_.keep >= 1, "checkpoint.keep must be >= 1, got ", options_.keep);
  if (comm_.rank() == 0) io::create_directories(options_.directory);
  comm_.barrier();
}

void Checkpointer::save(std::int64_t step, const io::NamedTensors& tensors, const io::TrainingState& state) {
  const int rank = comm_.rank(), world = comm_.size();
  const std::string final_dir = options_.directory + "/" + step_name(step);
  const std::string temp_dir = final_dir + ".tmp";
  if (rank == 0) {
    remove_tree(temp_dir);  // a save that crashed earlier
    NS_CHECK_AS(CheckpointError, ::mkdir(temp_dir.c_str(), 0755) == 0, "cannot create '", temp_dir,
                "': ", std::strerror(errno));
  }
  comm_.barrier();

  // Owners: largest tensors first to the least-loaded rank (deterministic on every rank).
  std::vector<std::size_t> order(tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return tensors[a].second.nbytes() > tensors[b].second.nbytes();
  });
  std::vector<std::uint64_t> load(world, 0);
  std::vector<int> owner(tensors.size());
  for (const auto i : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[i] = r;
    load[r] += tensors[i].second.nbytes();
  }
  io::NamedTensors mine;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (owner[i] == rank) mine.push_back(tensors[i]);
  }
  const auto shard = rank_file("shard", rank, "safetensors");
  const auto state_file = rank_file("state", rank, "txt");
  io::write_safetensors(temp_dir + "/" + shard, mine, {{"step", std::to_string(step)}});
  io::save_training_state(state, temp_dir + "/" + state_file);

  // Gather every rank's (bytes, xxh64) for its two files.
  auto local = at::empty({4}, at::kLong);
  int index = 0;
  for (const auto& name : {shard, state_file}) {
    struct stat info {};
    ::stat((temp_dir + "/" + name).c_str(), &info);
    local[index++] = static_cast<std::int64_t>(info.st_size);
    local[index++] = static_cast<std::int64_t>(io::xxhash64_file(temp_dir + "/" + name));
  }
  auto all = at::empty({4 * world}, at::kLong);
  comm_.allgather(local, all)->wait(comm_.options().timeout);

  if (rank == 0) {
    io::Manifest manifest;
    manifest.step = step;
    manifest.world_size = world;
    manifest.config_hash = options_.config_hash;
    manifest.code_version = options_.code_version;
    for (int r = 0; r < world; ++r) {
      const auto* v = all.data_ptr<std::int64_t>() + 4 * r;
      manifest.files.push_back({rank_file("shard", r, "safetensors"), static_cast<std::uint64_t>(v[0]),
                                static_cast<std::uint64_t>(v[1])});
      manifest.files.push_back({rank_file("state", r, "txt"), static_cast<std::uint64_t>(v[2]),
                                static_cast<std::uint64_t>(v[3])});
    }
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      const auto& t = tensors[i].second;
      manifest.tensors.push_back({tensors[i].first, rank_file("shard", owner[i], "safetensors"),
                                  dtype_name(t.scalar_type()), t.sizes().vec()});
    }
    io::write_manifest(manifest, temp_dir);
    fsync_path(temp_dir);
    remove_tree(final_dir);  // a stale directory of the same step (never the protected one)
    NS_CHECK_AS(CheckpointError, std::rename(temp_dir.c_str(), final_dir.c_str()) == 0, "cannot commit '",
                final_dir, "': ", std::strerror(errno));
    fsync_path(options_.directory);
    io::write_file_atomically(options_.directory + "/latest", step_name(step) + "\n");
    retain();
  }
  comm_.barrier();
  log_.info("checkpoint ", final_dir, " committed");
}

void Checkpointer::retain() {
  const auto steps = committed_steps(options_.directory);
  for (std::size_t i = static_cast<std::size_t>(options_.keep); i < steps.size(); ++i) {
    const std::string path = options_.directory + "/" + steps[i];
    if (path == protected_) continue;
    remove_tree(path);
  }
}

void Checkpointer::verify(const std::string& path) const {
  const auto manifest = io::read_manifest(path);
  NS_CHECK_AS(CheckpointError, options_.config_hash.empty() || manifest.config_hash == options_.config_hash,
              "'", path, "' belongs to another model (config hash ", manifest.config_hash, ", this run ",
              options_.config_hash, ")");
  const auto failure = io::verify_files(manifest, path);
  NS_CHECK_AS(CheckpointError, failure.empty(), "'", path, "' fails verification: ", failure);
}

std::string Checkpointer::find_latest_valid() {
  // Rank 0 decides; the others follow (one broadcast of the chosen step).
  auto chosen = at::full({1}, -1, at::kLong);
  if (comm_.rank() == 0) {
    for (const auto& name : committed_steps(options_.directory)) {
      const std::string path = options_.directory + "/" + name;
      try {
        verify(path);
        chosen[0] = static_cast<std::int64_t>(std::stoll(name.substr(5)));
        break;
      } catch (const CheckpointError& error) {
        log_.warn("skipping checkpoint: ", error.what());
      }
    }
  }
  comm_.broadcast(chosen, 0)->wait(comm_.options().timeout);
  const auto step = chosen[0].item<std::int64_t>();
  return step < 0 ? "" : options_.directory + "/" + step_name(step);
}

io::TrainingState Checkpointer::load(const std::string& path, const io::NamedTensors& tensors) {
  verify(path);
  const auto manifest = io::read_manifest(path);
  std::map<std::string, const io::ManifestTensor*> entries;
  for (const auto& t : manifest.tensors) entries[t.name] = &t;
  std::map<std::string, at::Tensor> loaded;
  for (const auto& file : manifest.files) {
    if (file.name.rfind("shard-", 0) != 0) continue;
    for (auto& [name, tensor] : io::read_safetensors(path + "/" + file.name).tensors) loaded[name] = tensor;
  }
  at::NoGradGuard no_grad;
  for (const auto& [name, target] : tensors) {
    const auto it = loaded.find(name);
    NS_CHECK_AS(CheckpointError, it != loaded.end(), "'", path, "' has no tensor '", name, "'");
    NS_CHECK_AS(CheckpointError, it->second.sizes() == target.sizes() && it->second.scalar_type() == target.scalar_type(),
                "'", path, "': tensor '", name, "' is ", it->second.sizes(), " ", it->second.scalar_type(),
                ", the model expects ", target.sizes(), " ", target.scalar_type());
    target.copy_(it->second);
  }
  const bool same_world = manifest.world_size == comm_.size();
  auto state = io::load_training_state(path + "/" + rank_file("state", same_world ? comm_.rank() : 0, "txt"));
  if (!same_world) {
    state.cpu_rng.clear();
    state.cuda_rng.clear();
    log_.warn("resuming a ", manifest.world_size, "-rank checkpoint on ", comm_.size(),
              " ranks: parameters, optimiser state and data order continue; dropout streams restart");
  }
  protected_ = path;
  return state;
}

}  // namespace neuroscale::distributed
