#include "jobs/brain_model.h"

#include <torch/torch.h>

#include <map>

#include "core/check.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/model_identity.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/hash/xxhash64.h"
#include "io/tensors/speech_checkpoint.h"

namespace neuroscale::jobs {

BrainModel build_brain_model(BraintuneModelConfig model, std::int64_t seed, std::int64_t voxels,
                             const std::vector<std::string>& participants, Logger& log) {
  torch::manual_seed(static_cast<std::uint64_t>(seed));
  BrainModel built;
  model.options.voxels(voxels);
  task::BrainTuningOptions options;
  options.model(model.options).participants(participants);
  built.task = std::make_unique<task::BrainTuningTask>(options);
  built.base_reference = "random initialisation (seed " + std::to_string(seed) + ")";
  if (!model.base_weights.empty()) {
    const auto summary =
        io::load_speech_checkpoint(model.base_weights, *built.task->model()->backbone);
    built.base_reference = summary.path + " bytes=" + std::to_string(summary.bytes) +
                           " xxh64=" + io::to_hex(summary.xxh64);
    log.info("backbone from ", built.base_reference, " (", summary.tensors_loaded, " tensors",
             summary.ignored.empty()
                 ? ""
                 : ", " + std::to_string(summary.ignored.size()) + " keys ignored",
             ")");
  }
  const auto trainable = built.task->model()->freeze_backbone();
  std::int64_t total = 0;
  for (const auto& p : built.task->module().parameters()) total += p.numel();
  log.info("speech model: ", total, " parameters, ", trainable, " trainable (adapters and head)");
  // The identity names the base weights by content (size and XXH64), not by path, so a
  // moved file still resumes; the path stays out of the hashed model keys too.
  std::string content = built.base_reference;
  if (!model.base_weights.empty()) content = content.substr(content.find(" bytes=") + 1);
  model.base_weights.clear();
  built.identity =
      io::ModelIdentity("brain_tuning", {{"voxels", std::to_string(voxels)}, {"base", content}},
                        io::to_yaml([&](io::ConfigVisitor& v) { jobs::describe(v, model); }));
  return built;
}

BraintuneConfig brain_run_config(const std::string& path) {
  const auto location = io::locate_checkpoints(path);
  const auto slash = location.directory.find_last_of('/');
  const std::string run_dir =
      slash == std::string::npos ? "." : location.directory.substr(0, slash);
  BraintuneConfig config;
  auto document = io::ConfigDocument::from_file(run_dir + "/config.yaml");
  io::Describer describe = [&](io::ConfigVisitor& v) { jobs::describe(v, config); };
  document.read_into(describe);
  return config;
}

std::int64_t load_brain_checkpoint(BrainModel& model, const std::string& path, Logger& log) {
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      io::locate_checkpoints(path), [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  NS_CHECK_AS(ConfigError, model.identity.matches(manifest.config_hash), "checkpoint '", checkpoint,
              "' does not fit: it was written for another model, voxel count or base weights than "
              "its run's "
              "config.yaml and the corpus describe (base weights now: ",
              model.base_reference, "; the checkpoint's: ",
              manifest.base_weights.empty() ? "none recorded" : manifest.base_weights, ")");
  io::ModuleLoad how;
  how.trainable_only = true;  // frozen: from the base weights
  io::load_module(model.task->module(), checkpoint, manifest, how);
  log.info("adapters and head from ", checkpoint, " (step ", manifest.step, ")");
  return manifest.step;
}

}  // namespace neuroscale::jobs
