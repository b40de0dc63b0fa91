// Loading a module's parameters from a checkpoint: the one place that knows how a module's
// parameter names map to checkpoint tensor names ("model.<name>", optimiser state
// "optim.<name>.<slot>"), used by evaluation, fine-tuning's encoder initialisation and
// brain-tuning's resume alike.
#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <set>
#include <string>

#include "io/checkpoint/manifest.h"

namespace neuroscale::io {

inline constexpr const char* kModelPrefix = "model.";
inline constexpr const char* kOptimizerPrefix = "optim.";

struct ModuleLoad {
  /// checkpoint tensor name = prefix + the module's parameter name
  std::string prefix = kModelPrefix;
  /// skip parameters that do not require gradients (frozen base weights, loaded elsewhere)
  bool trainable_only = false;
  /// parameters that may be absent from the checkpoint; they keep their initial values
  std::function<bool(const std::string& name)> may_be_missing;
  /// parameters not loaded even when the checkpoint has them; they keep their initial values
  std::function<bool(const std::string& name)> skip;
  /// errors: "checkpoint 'X'" by default; what the user named, e.g. "init.checkpoint 'X'"
  std::string label;
  /// what a parameter is called in errors ("parameter", "encoder parameter")
  std::string noun = "parameter";
  /// appended to a missing or mis-shaped parameter's error, e.g. how to fix it
  std::function<std::string(const std::string& name, bool missing)> hint;
  /// missing or mis-shaped parameters throw ConfigError (a user's init choice) instead of
  /// CheckpointError
  bool config_error = false;
};

// Copies the tensors of checkpoint directory `path` (verified by `manifest`) into the
// module's parameters, in place, without recording gradients. Returns the names loaded.
// Throws (see ModuleLoad::config_error) naming the checkpoint and the parameter when one
// is missing (and may not be) or its shape differs ("is [64] there but [32] here").
std::set<std::string> load_module(torch::nn::Module& module, const std::string& path,
                                  const Manifest& manifest, const ModuleLoad& how = {});

}  // namespace neuroscale::io
