// Writes the C++ side of the model cross-check: for each case, a safetensors file with the
// initial weights, the batch, the span mask, reconstructions, both losses with every
// parameter's gradient, three AdamW and three LAMB steps, gradient clipping and the
// learning-rate schedules. tests/core/model_reference.py recomputes all of it with an
// independent PyTorch implementation and compares. Usage: model_crosscheck_dump OUT_DIR
#include <torch/nn/module.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "core/model/patching.h"
#include "core/optim/grad_clip.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/sanitizer_defaults.h"
#include "core/task/masked_modeling.h"
#include "io/tensors/safetensors.h"

namespace ns = neuroscale;
using ns::io::NamedTensors;

namespace {

struct Case {
  std::string name;
  std::int64_t hidden, layers, heads, mlp, max_span;
  std::vector<ns::model::SubjectSpec> subjects;
  std::int64_t subject;
  std::vector<std::int64_t> bins;  // per trial; T = max
  double smooth_sd;
};

ns::task::MaskedModelingOptions options_for(const Case& c, ns::task::ReconstructionLoss loss) {
  auto transformer = ns::model::TransformerOptions()
                         .hidden(c.hidden)
                         .layers(c.layers)
                         .heads(c.heads)
                         .mlp(c.mlp)
                         .dropout(0.0);
  auto encoder = ns::model::BitEncoderOptions()
                     .patch_size(5)
                     .transformer(transformer)
                     .embedding_dropout(0.0)
                     .subjects(c.subjects);
  return ns::task::MaskedModelingOptions()
      .model(ns::model::MaskedModelOptions().encoder(encoder).readout_norm(true))
      .augment(ns::model::AugmentOptions().smooth_sd(c.smooth_sd))
      .masking(ns::task::SpanMaskOptions().ratio(0.5).max_span(c.max_span))
      .loss(loss)
      .seed(7);
}

std::vector<at::Tensor> parameters(torch::nn::Module& module) { return module.parameters(true); }

void add_named(NamedTensors& out, const std::string& prefix, torch::nn::Module& module,
               bool grads) {
  for (const auto& item : module.named_parameters(true)) {
    const auto& tensor = grads ? item.value().grad() : item.value();
    if (tensor.defined()) out.emplace_back(prefix + item.key(), tensor.clone());  // unused: none
  }
}

void restore(torch::nn::Module& module, const std::vector<at::Tensor>& saved) {
  at::NoGradGuard no_grad;
  auto params = parameters(module);
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
}

void run_case(const Case& c, const std::string& directory) {
  torch::manual_seed(1234);
  ns::task::MaskedModelingTask mse(options_for(c, ns::task::ReconstructionLoss::kMse));
  ns::task::MaskedModelingTask poisson(options_for(c, ns::task::ReconstructionLoss::kPoissonNll));
  auto& model = mse.module();
  std::vector<at::Tensor> initial;
  for (const auto& p : parameters(model)) initial.push_back(p.detach().clone());
  restore(poisson.module(), initial);

  // The batch: features zero past each trial's end, as the loader delivers them.
  ns::Batch batch;
  batch.subject = static_cast<std::int32_t>(c.subject);
  const auto trials = static_cast<std::int64_t>(c.bins.size());
  const auto time = *std::max_element(c.bins.begin(), c.bins.end());
  const auto channels = c.subjects[c.subject].channels;
  batch.bins = at::tensor(c.bins, at::kLong);
  auto valid = (at::arange(time).view({1, time}) < batch.bins.view({trials, 1})).unsqueeze(-1);
  batch.features = at::randn({trials, time, channels}) * valid;
  for (std::int64_t i = 0; i < trials; ++i) batch.trials.push_back(42 + i);
  const ns::task::StepContext context{3};

  NamedTensors out;
  add_named(out, "param.", model, false);
  out.emplace_back("input.features", batch.features);
  out.emplace_back("input.bins", batch.bins);
  out.emplace_back("output.mask", mse.mask_for(batch, context).to(at::kByte));
  {
    // The reconstruction the task scores (same weights, same mask, training mode).
    const auto smoothed =
        ns::model::augment(batch.features, batch.bins, mse.options().augment(), true);
    const auto patched = ns::model::patchify(smoothed, batch.bins, 5);
    at::NoGradGuard no_grad;
    out.emplace_back("output.reconstruction",
                     mse.model()->forward(patched.tokens, patched.padding, patched.positions,
                                          c.subject, mse.mask_for(batch, context)));
  }
  auto result = mse.forward(batch, context);
  result.loss.backward();
  out.emplace_back("output.loss_mse", result.loss.detach());
  out.emplace_back("output.sums_mse", result.sums);
  add_named(out, "grad_mse.", model, true);
  auto poisson_result = poisson.forward(batch, context);
  poisson_result.loss.backward();
  out.emplace_back("output.loss_poisson", poisson_result.loss.detach());
  add_named(out, "grad_poisson.", poisson.module(), true);

  // Optimisers: three steps at lr 1e-3, 2e-3, 3e-3 with the MSE gradients held fixed.
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters(model))
    grads.push_back(p.grad().defined() ? p.grad().clone() : at::Tensor());
  const auto run_optimizer = [&](ns::optim::Optimizer& optimizer, const std::string& prefix) {
    for (int step = 0; step < 3; ++step) {
      auto params = parameters(model);
      for (std::size_t i = 0; i < params.size(); ++i) {
        if (grads[i].defined()) params[i].mutable_grad().copy_(grads[i]);
      }
      optimizer.step(1e-3 * (step + 1));
    }
    add_named(out, prefix, model, false);
    restore(model, initial);
  };
  {
    ns::optim::AdamW adamw(ns::optim::weight_decay_groups(model, 0.1));
    run_optimizer(adamw, "adamw.");
    ns::optim::Lamb lamb(ns::optim::weight_decay_groups(model, 0.1));
    run_optimizer(lamb, "lamb.");
  }
  // Clipping to 0.3 of the norm.
  const double norm = ns::optim::global_grad_norm(parameters(model));
  const double clipped_norm = ns::optim::clip_grad_norm(parameters(model), 0.3 * norm);
  out.emplace_back("clip.norm", at::scalar_tensor(clipped_norm, at::kDouble));
  add_named(out, "clip.", model, true);

  // Schedules over 60 steps (past their 50-step end).
  const auto schedule = [&](const std::string& name, ns::optim::LrScheduleOptions options) {
    ns::optim::LrSchedule lr(options.lr(1e-3).total_steps(50));
    std::vector<double> values;
    for (int s = 0; s < 60; ++s) values.push_back(lr.lr(s));
    out.emplace_back("schedule." + name, at::tensor(values, at::kDouble));
  };
  using ns::optim::ScheduleKind;
  schedule("warmup_cosine", ns::optim::LrScheduleOptions()
                                .kind(ScheduleKind::kWarmupCosine)
                                .warmup_steps(5)
                                .min_lr_ratio(0.1));
  schedule("linear", ns::optim::LrScheduleOptions().kind(ScheduleKind::kLinear).warmup_steps(5));
  schedule("constant",
           ns::optim::LrScheduleOptions().kind(ScheduleKind::kConstant).warmup_steps(5));
  schedule("one_cycle", ns::optim::LrScheduleOptions().kind(ScheduleKind::kOneCycle));
  schedule("one_cycle_rise",
           ns::optim::LrScheduleOptions().kind(ScheduleKind::kOneCycle).pct_start(0.3));

  std::string subjects;
  for (const auto& s : c.subjects)
    subjects += (subjects.empty() ? "" : ",") + s.name + ":" + std::to_string(s.channels);
  const std::map<std::string, std::string> metadata = {{"hidden", std::to_string(c.hidden)},
                                                       {"layers", std::to_string(c.layers)},
                                                       {"heads", std::to_string(c.heads)},
                                                       {"mlp", std::to_string(c.mlp)},
                                                       {"patch_size", "5"},
                                                       {"subjects", subjects},
                                                       {"subject", std::to_string(c.subject)},
                                                       {"smooth_sd", std::to_string(c.smooth_sd)},
                                                       {"mask_ratio", "0.5"},
                                                       {"max_span", std::to_string(c.max_span)},
                                                       {"mask_seed", "7"},
                                                       {"step", "3"},
                                                       {"first_trial", "42"},
                                                       {"rope_theta", "10000"}};
  ns::io::write_safetensors(directory + "/" + c.name + ".safetensors", out, metadata);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: model_crosscheck_dump OUT_DIR\n";
    return 2;
  }
  try {
    // Two subjects of different widths, trials shorter than the batch, smoothing on.
    run_case({"small", 32, 2, 4, 48, 3, {{"m1", 7}, {"t12", 12}}, 1, {23, 19, 12}, 2.0}, argv[1]);
    // The default model (BIT sizes) on a 512-channel subject.
    run_case({"default", 384, 7, 6, 512, 15, {{"t15", 512}}, 0, {60, 47}, 0.0}, argv[1]);
  } catch (const std::exception& error) {
    std::cerr << "model_crosscheck_dump: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
