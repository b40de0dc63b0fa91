// Parameter groups for decoupled weight decay. Decay applies to weight matrices (Linear,
// convolution); biases, LayerNorm parameters, embeddings and learned tokens such as the
// mask token are excluded, as the BIT reference and common practice (BERT, GPT) do.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace neuroscale::optim {

struct ParamGroup {
  std::string name;                ///< "decay" or "no_decay" (or a caller's label)
  std::vector<std::string> names;  ///< fully qualified parameter names, module order
  std::vector<at::Tensor> params;
  double weight_decay = 0.0;
  double lr_scale = 1.0;  ///< this group's learning rate = schedule lr * lr_scale
};

// True when `name` (a qualified parameter name) of `module` must not be decayed.
bool excluded_from_decay(const torch::nn::Module& module, const std::string& name);

// Two groups, "decay" (with `weight_decay`) and "no_decay" (0), covering every parameter
// that requires grad, in module order. Empty groups are dropped.
std::vector<ParamGroup> weight_decay_groups(const torch::nn::Module& module, double weight_decay);

}  // namespace neuroscale::optim
