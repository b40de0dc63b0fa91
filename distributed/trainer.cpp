#include "distributed/trainer.h"

#include <torch/nn/module.h>

#include <chrono>
#include <cmath>

#include "core/autocast.h"
#include "core/check.h"
#include "core/interrupt.h"
#include "core/optim/grad_clip.h"
#include "core/trace.h"

namespace neuroscale::distributed {
namespace {

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The batch's dense inputs on `device` (features, regression targets, token ids; whichever
// the task has).
Batch to_device(Batch batch, const at::Device& device) {
  for (auto* tensor : {&batch.features, &batch.targets, &batch.tokens}) {
    if (tensor->defined() && tensor->device() != device)
      *tensor = tensor->to(device, /*non_blocking=*/true);
  }
  return batch;
}

// Real 20 ms bins of a batch (its trials' lengths, padding excluded).
double trial_bins(const Batch& batch) {
  return static_cast<double>(batch.bins.sum().item<std::int64_t>());
}

}  // namespace

Trainer::Trainer(task::Task& task, optim::Optimizer& optimizer, const optim::LrSchedule& schedule,
                 Communicator& comm, TrainerOptions options, Logger& log)
    : task_(task),
      optimizer_(optimizer),
      schedule_(schedule),
      comm_(comm),
      options_(options),
      log_(log) {
  NS_CHECK_AS(UsageError,
              options_.train.accumulate >= 1 && options_.train.log_every >= 1 &&
                  options_.train.max_steps >= 0,
              "trainer: accumulate and log_every must be >= 1, max_steps >= 0");
  NS_CHECK_AS(
      UsageError, options_.train.loss_reduction == "mean" || options_.train.loss_reduction == "sum",
      "trainer: loss_reduction must be mean or sum, got '", options_.train.loss_reduction, "'");
  // Bucket order: shared parameters in reverse registration order (the order backward
  // produces their gradients), then the subject-specific layers, which some ranks leave
  // unused in a step and which would otherwise hold back every bucket behind them.
  std::vector<std::string> shared_names, subject_names;
  std::vector<at::Tensor> shared, subject;
  const auto named = task_.module().named_parameters(true);
  for (auto it = named.items().rbegin(); it != named.items().rend(); ++it) {
    if (!it->value().requires_grad()) continue;
    const bool own = task_.subject_specific(it->key());
    (own ? subject_names : shared_names).push_back(it->key());
    (own ? subject : shared).push_back(it->value());
  }
  shared_names.insert(shared_names.end(), subject_names.begin(), subject_names.end());
  shared.insert(shared.end(), subject.begin(), subject.end());
  params_ = shared;
  param_names_ = shared_names;
  NS_CHECK_AS(UsageError, options_.train.max_nonfinite_steps >= 0,
              "trainer: max_nonfinite_steps must be >= 0");
  NS_CHECK_AS(UsageError, options_.train.precision == "fp32" || options_.train.precision == "bf16",
              "trainer: precision must be fp32 or bf16, got '", options_.train.precision, "'");
  ReducerOptions reducer;
  reducer.first_bucket_bytes =
      static_cast<std::int64_t>(options_.train.first_bucket_mb * (1 << 20));
  reducer.bucket_bytes = static_cast<std::int64_t>(options_.train.bucket_mb * (1 << 20));
  reducer.tracer = options_.tracer;
  reducer_ = std::make_unique<Reducer>(shared_names, shared, comm_, reducer);
}

at::Tensor Trainer::allreduce_sum(const std::vector<double>& values, const char* what) {
  TraceSpan span(options_.tracer, what, "sync");  // where a fast rank waits for a slow one
  const auto device = params_.front().device();
  auto tensor = at::tensor(values, at::kDouble).to(device);
  if (options_.tracer) comm_.trace_next(std::string("allreduce ") + what);
  comm_.allreduce(tensor, ReduceOp::kSum)->wait(comm_.options().timeout);
  return tensor.to(at::kCPU);
}

std::int64_t Trainer::run(BatchSource& train, const ValidationSource& validation,
                          std::int64_t start_step, const MetricsSink& sink) {
  const auto device = params_.front().device();
  const int world = comm_.size();
  auto& module = task_.module();
  if (options_.tracer) options_.tracer->name_thread("training");
  reducer_->broadcast_parameters();
  log_.info("training steps ", start_step, "..", options_.train.max_steps, " on ", world,
            " rank(s) (", comm_.backend(), "), ", reducer_->bucket_count(), " gradient buckets, ",
            options_.train.accumulate, " micro-batch(es) per rank per step");

  const auto names = task_.sum_names();
  std::vector<double> window(names.size() + 2, 0.0);  // task sums, trials, bins
  double data_wait = 0.0, comm_exposed = 0.0, checkpoint = 0.0, grad_norm_sum = 0.0;
  std::int64_t window_steps = 0, window_skipped = 0, nonfinite_streak = 0;
  auto window_start = Clock::now();
  std::int64_t step = start_step;
  for (; step < options_.train.max_steps; ++step) {
    TraceSpan step_span(options_.tracer, "step", "step");
    if (options_.tracer) step_span.set_args("\"step\": " + std::to_string(step + 1));
    module.train();
    // ---- data
    const auto fetch_start = Clock::now();
    std::vector<Batch> batches;
    {
      TraceSpan span(options_.tracer, "data_wait", "data");
      for (int slot = 0; slot < options_.train.accumulate; ++slot) {
        if (auto batch = train.next(slot)) batches.push_back(to_device(std::move(*batch), device));
      }
    }
    data_wait += seconds(fetch_start);

    // ---- agree on the step: global element count and whether anyone was signalled
    const task::StepContext context{step};
    double local_count = 0.0;
    for (const auto& batch : batches) local_count += task_.count(batch, context);
    const double global_count = allreduce_sum({local_count}, "sync_count")[0].item<double>();
    const double scale = options_.train.loss_reduction == "mean" && global_count > 0.0
                             ? 1.0 / global_count
                             : 1.0 / world;

    // ---- forward and backward, gradients reduced across ranks as they become ready
    reducer_->zero_grad();
    at::Tensor sums = at::zeros({static_cast<std::int64_t>(names.size())},
                                at::TensorOptions().dtype(at::kDouble).device(device));
    at::Tensor step_loss =
        at::zeros({}, sums.options());  // this rank's scaled loss (read only if it diverges)
    if (batches.empty()) reducer_->prepare_for_backward(true);
    for (std::size_t j = 0; j < batches.size(); ++j) {
      reducer_->prepare_for_backward(j + 1 == batches.size());
      task::TaskOutput out;
      {
        TraceSpan span(options_.tracer, "forward", "compute");
        AutocastGuard autocast(device.type(), options_.train.precision == "bf16");
        out = task_.forward(batches[j], context);
      }
      {
        TraceSpan span(options_.tracer, "backward", "compute");
        const auto scaled = out.loss.to(at::kFloat) * scale;
        scaled.backward();
        step_loss += scaled.detach().to(at::kDouble);
      }
      sums += out.sums;
      window[names.size()] += static_cast<double>(batches[j].size());
      window[names.size() + 1] += trial_bins(batches[j]);
    }
    {
      TraceSpan span(options_.tracer, "allreduce_wait", "comm");  // exposed communication
      comm_exposed += reducer_->finish();
    }

    // ---- update
    if (options_.before_update) {
      const auto wait_start = Clock::now();
      const double blocked = options_.before_update();
      checkpoint += blocked;
      if (options_.tracer &&
          blocked > 0.0) {  // only the waits that blocked (a snapshot in progress)
        options_.tracer->record("checkpoint_wait", "checkpoint", wait_start, Clock::now());
      }
    }
    TraceSpan optimizer_span(options_.tracer, "optimizer", "compute");
    const double norm = optim::clip_grad_norm(params_, options_.grad_clip);
    if (std::isfinite(norm)) {  // the norm is global: every rank takes the same branch
      optimizer_.step(schedule_.lr(step));
      if (options_.partition) options_.partition->broadcast_from_owners(comm_);
      grad_norm_sum += norm;
      nonfinite_streak = 0;
    } else {
      ++window_skipped;
      ++nonfinite_streak;
      // The reduced gradients are the same on every rank, so is this list; the loss is summed.
      const double loss =
          allreduce_sum({step_loss.item<double>()}, "sync_nonfinite")[0].item<double>();
      std::string bad;
      std::int64_t bad_count = 0;
      for (std::size_t i = 0; i < params_.size(); ++i) {
        const auto& grad = params_[i].grad();
        if (!grad.defined() || at::isfinite(grad).all().item<bool>()) continue;
        if (++bad_count <= 5) bad += (bad.empty() ? "" : ", ") + param_names_[i];
      }
      if (bad_count > 5) bad += " and " + std::to_string(bad_count - 5) + " more";
      const std::string what = "step " + std::to_string(step + 1) + ": gradient norm " +
                               std::to_string(norm) + ", loss " + std::to_string(loss) +
                               ", non-finite gradients in " +
                               (bad.empty() ? "no parameter (the clipping overflowed)" : bad);
      const int limit = options_.train.max_nonfinite_steps;
      NS_CHECK_AS(
          DivergedError, limit == 0 || nonfinite_streak < limit, limit,
          " consecutive steps with a non-finite gradient norm, the last ", what,
          ". No update was applied in them; the last checkpoint before them is the resume point. "
          "Lower the learning rate, check the data, or raise train.max_nonfinite_steps");
      log_.warn(what, "; update skipped (", nonfinite_streak, " in a row",
                limit ? ", limit " + std::to_string(limit) : "", ")");
    }
    const auto sums_cpu = sums.to(at::kCPU);
    for (std::size_t k = 0; k < names.size(); ++k) window[k] += sums_cpu[k].item<double>();
    ++window_steps;
    optimizer_span.end();

    if (options_.train.verify_every > 0 && (step + 1) % options_.train.verify_every == 0) {
      reducer_->verify_parameters_identical();
    }
    // ---- agree whether a rank was signalled
    const bool stop =
        allreduce_sum({pending_interrupt() != 0 ? 1.0 : 0.0}, "sync_stop")[0].item<double>() > 0.0;

    // ---- metrics
    const bool last = step + 1 == options_.train.max_steps;
    if ((step + 1) % options_.train.log_every == 0 || last) {
      auto totals_tensor = allreduce_sum(window, "sync_metrics");
      std::vector<double> totals(totals_tensor.data_ptr<double>(),
                                 totals_tensor.data_ptr<double>() + window.size());
      const double elapsed = seconds(window_start);
      MetricsRecord record{step + 1,
                           task_.metrics({totals.begin(), totals.begin() + names.size()})};
      const double trials = totals[names.size()], bins = totals[names.size() + 1];
      record.values["lr"] = schedule_.lr(step);
      record.values["grad_norm"] =
          window_steps > window_skipped ? grad_norm_sum / (window_steps - window_skipped) : 0.0;
      record.values["skipped_steps"] = static_cast<double>(window_skipped);
      record.values["samples_per_s"] = trials / elapsed;
      record.values["bins_per_s"] = bins / elapsed;
      record.values["tokens_per_s"] = bins / options_.bins_per_token / elapsed;
      record.values["flops_per_s"] = options_.flops_per_bin * bins / elapsed;
      record.values["data_wait_s"] = data_wait / window_steps;
      record.values["comm_exposed_s"] = comm_exposed / window_steps;
      record.values["checkpoint_s"] = checkpoint / window_steps;
      record.values["step_s"] = elapsed / window_steps;
      if (validation &&
          ((options_.train.eval_every > 0 && (step + 1) % options_.train.eval_every == 0) ||
           last)) {
        for (const auto& [key, value] : validate(validation, step + 1))
          record.values["val_" + key] = value;
      }
      // Error rates (fine-tuning) and validation losses join the line when the task has them.
      std::string extra;
      for (const char* key : {"per", "val_loss", "val_per"}) {
        if (record.values.count(key))
          extra += std::string("  ") + key + " " + std::to_string(record.values[key]);
      }
      log_.info("step ", record.step, "/", options_.train.max_steps, "  loss ",
                record.values["loss"], "  lr ", record.values["lr"], "  grad_norm ",
                record.values["grad_norm"], "  samples/s ", record.values["samples_per_s"],
                "  tokens/s ", record.values["tokens_per_s"], "  data_wait ",
                record.values["data_wait_s"], " s  comm ", record.values["comm_exposed_s"], " s",
                extra);
      if (comm_.rank() == 0 && sink) sink(record);
      std::fill(window.begin(), window.end(), 0.0);
      data_wait = comm_exposed = checkpoint = grad_norm_sum = 0.0;
      window_steps = window_skipped = 0;
      window_start = Clock::now();
    }

    // ---- checkpoint (periodic, last, or stopping); its metric record is already logged
    const bool last_step = step + 1 == options_.train.max_steps;
    const auto checkpoint_start = Clock::now();
    if (options_.after_step) options_.after_step(step + 1);
    const bool periodic = options_.save_every > 0 && (step + 1) % options_.save_every == 0;
    if (options_.save && periodic && nonfinite_streak > 0 && !stop && !last_step) {
      log_.warn("checkpoint of step ", step + 1,
                " skipped: the step's update was skipped (non-finite gradients)");
    } else if (options_.save && (stop || last_step || periodic)) {
      TraceSpan span(options_.tracer, "checkpoint", "checkpoint");
      options_.save(step + 1);
    }
    checkpoint += seconds(checkpoint_start);
    if (stop && !last_step) {
      log_.warn("stopping after step ", step + 1, ": a rank received a signal");
      ++step;
      break;
    }
  }
  return step;
}

std::map<std::string, double> Trainer::validate(const ValidationSource& validation,
                                                std::int64_t step) {
  TraceSpan span(options_.tracer, "validation", "validation");
  auto& module = task_.module();
  module.eval();
  at::NoGradGuard no_grad;
  const auto device = params_.front().device();
  auto source = validation();
  const auto names = task_.sum_names();
  auto sums = at::zeros({static_cast<std::int64_t>(names.size())},
                        at::TensorOptions().dtype(at::kDouble).device(device));
  for (int i = 0; i < options_.train.eval_steps; ++i) {
    if (auto batch = source->next(0)) {
      AutocastGuard autocast(device.type(), options_.train.precision == "bf16");
      sums += task_.forward(to_device(std::move(*batch), device), {step}).sums;
    }
  }
  const auto cpu = sums.to(at::kCPU);
  std::vector<double> local(cpu.data_ptr<double>(), cpu.data_ptr<double>() + names.size());
  const auto total = allreduce_sum(local, "sync_validation");
  module.train();
  return task_.metrics({total.data_ptr<double>(), total.data_ptr<double>() + names.size()});
}

}  // namespace neuroscale::distributed
