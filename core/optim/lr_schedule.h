// Learning-rate schedules as pure functions of the optimizer step, so a resumed run only
// needs its step count. lr(step) is the rate for the update numbered `step` (0-based).
//   warmup_cosine  linear warmup lr*(s+1)/W for s < W, then cosine from lr to lr*min_lr_ratio
//                  at s = total_steps
//   linear         the same warmup, then linear decay to lr*min_lr_ratio at total_steps
//   one_cycle      torch.optim.lr_scheduler.OneCycleLR (anneal "cos", two phases): from
//                  lr/div_factor up to lr over pct_start*total_steps, then down to
//                  lr/div_factor/final_div_factor; the BIT reference uses pct_start 0
//   constant       the same warmup, then lr
// Past total_steps every schedule holds its final value.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <string>

namespace neuroscale::optim {

enum class ScheduleKind { kWarmupCosine, kLinear, kOneCycle, kConstant };

// Throws UsageError listing the accepted names.
ScheduleKind parse_schedule_kind(const std::string& name);
std::string to_string(ScheduleKind kind);

struct LrScheduleOptions {
  /// the schedule's shape
  TORCH_ARG(ScheduleKind, kind) = ScheduleKind::kWarmupCosine;
  /// peak learning rate (the BIT reference: 5e-4)
  TORCH_ARG(double, lr) = 5e-4;
  /// optimizer steps in the run (>= 1)
  TORCH_ARG(std::int64_t, total_steps) = 1;
  /// linear warmup steps (warmup_cosine, linear, constant)
  TORCH_ARG(std::int64_t, warmup_steps) = 0;
  /// final rate as a fraction of lr (warmup_cosine, linear)
  TORCH_ARG(double, min_lr_ratio) = 0.0;
  /// one_cycle: fraction of steps spent rising
  TORCH_ARG(double, pct_start) = 0.0;
  /// one_cycle: initial rate = lr / div_factor
  TORCH_ARG(double, div_factor) = 25.0;
  /// one_cycle: final rate = initial / final_div_factor
  TORCH_ARG(double, final_div_factor) = 1e4;
};

class LrSchedule {
 public:
  // Throws UsageError naming the option that is out of range.
  explicit LrSchedule(const LrScheduleOptions& options);
  double lr(std::int64_t step) const;
  const LrScheduleOptions& options() const { return options_; }

 private:
  double one_cycle(std::int64_t step) const;
  LrScheduleOptions options_;
};

}  // namespace neuroscale::optim
