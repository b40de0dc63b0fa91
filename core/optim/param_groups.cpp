#include "core/optim/param_groups.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>

#include <set>

namespace neuroscale::optim {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Names of parameters owned by LayerNorm and Embedding modules.
std::set<std::string> typed_exclusions(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_modules()) {
    const auto& child = *item.value();
    const bool excluded = dynamic_cast<const torch::nn::LayerNormImpl*>(&child) != nullptr ||
                          dynamic_cast<const torch::nn::EmbeddingImpl*>(&child) != nullptr;
    if (!excluded) continue;
    const std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& param : child.named_parameters(false)) names.insert(prefix + param.key());
  }
  return names;
}

bool excluded_by_name(const std::string& name) {
  return ends_with(name, "bias") || ends_with(name, "token") || ends_with(name, "embedding");
}

}  // namespace

bool excluded_from_decay(const torch::nn::Module& module, const std::string& name) {
  return excluded_by_name(name) || typed_exclusions(module).count(name) > 0;
}

std::vector<ParamGroup> weight_decay_groups(const torch::nn::Module& module, double weight_decay) {
  const auto typed = typed_exclusions(module);
  ParamGroup decay{"decay", {}, {}, weight_decay, 1.0};
  ParamGroup no_decay{"no_decay", {}, {}, 0.0, 1.0};
  for (const auto& item : module.named_parameters(true)) {
    if (!item.value().requires_grad()) continue;
    auto& group = excluded_by_name(item.key()) || typed.count(item.key()) ? no_decay : decay;
    group.names.push_back(item.key());
    group.params.push_back(item.value());
  }
  std::vector<ParamGroup> groups;
  if (!decay.params.empty()) groups.push_back(std::move(decay));
  if (!no_decay.params.empty()) groups.push_back(std::move(no_decay));
  return groups;
}

}  // namespace neuroscale::optim
