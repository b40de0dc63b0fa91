#include "io/checkpoint/module_loader.h"

#include <ATen/core/grad_mode.h>

#include <map>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_reader.h"

namespace neuroscale::io {
namespace {

[[noreturn]] void fail(const ModuleLoad& how, const std::string& message) {
  if (how.config_error) NS_THROW(ConfigError, message);
  NS_THROW(CheckpointError, message);
}

}  // namespace

std::set<std::string> load_module(torch::nn::Module& module, const std::string& path,
                                  const Manifest& manifest, const ModuleLoad& how) {
  const std::string label = how.label.empty() ? "checkpoint '" + path + "'" : how.label;
  const auto tensors = read_checkpoint_tensors(
      path, manifest, [&](const std::string& name) { return starts_with(name, how.prefix); });
  const std::map<std::string, at::Tensor> by_name(tensors.begin(), tensors.end());
  const auto hint = [&](const std::string& name, bool missing) {
    return how.hint ? how.hint(name, missing) : std::string();
  };
  std::set<std::string> loaded;
  at::NoGradGuard no_grad;
  for (auto& item : module.named_parameters(true)) {
    const std::string& name = item.key();
    if (how.trainable_only && !item.value().requires_grad()) continue;
    if (how.skip && how.skip(name)) continue;
    const auto found = by_name.find(how.prefix + name);
    if (found == by_name.end()) {
      if (how.may_be_missing && how.may_be_missing(name)) continue;
      fail(how, label + " lacks " + how.noun + " '" + name + "'" + hint(name, true));
    }
    if (found->second.sizes() != item.value().sizes()) {
      fail(how, label + ": " + how.noun + " '" + name + "' is " +
                    shape_text(found->second.sizes().vec()) + " there but " +
                    shape_text(item.value().sizes().vec()) + " here" + hint(name, false));
    }
    item.value().copy_(found->second);
    loaded.insert(name);
  }
  return loaded;
}

}  // namespace neuroscale::io
