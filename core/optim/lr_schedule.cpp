#include "core/optim/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::optim {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Cosine interpolation from `from` (pct 0) to `to` (pct 1), as OneCycleLR's _annealing_cos.
double cosine(double from, double to, double pct) {
  return to + (from - to) / 2.0 * (std::cos(kPi * pct) + 1.0);
}

}  // namespace

ScheduleKind parse_schedule_kind(const std::string& name) {
  if (name == "warmup_cosine") return ScheduleKind::kWarmupCosine;
  if (name == "linear") return ScheduleKind::kLinear;
  if (name == "one_cycle") return ScheduleKind::kOneCycle;
  if (name == "constant") return ScheduleKind::kConstant;
  NS_THROW(UsageError, "unknown learning-rate schedule '", name,
           "' (expected warmup_cosine, linear, one_cycle or constant)");
}

std::string to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::kWarmupCosine:
      return "warmup_cosine";
    case ScheduleKind::kLinear:
      return "linear";
    case ScheduleKind::kOneCycle:
      return "one_cycle";
    case ScheduleKind::kConstant:
      return "constant";
  }
  return "unknown";
}

LrSchedule::LrSchedule(const LrScheduleOptions& options) : options_(options) {
  NS_CHECK_AS(UsageError, std::isfinite(options.lr()) && options.lr() >= 0.0,
              "schedule lr must be finite and >= 0, got ", options.lr());
  NS_CHECK_AS(UsageError, options.total_steps() >= 1, "schedule total_steps must be >= 1, got ",
              options.total_steps());
  NS_CHECK_AS(UsageError,
              options.warmup_steps() >= 0 && options.warmup_steps() <= options.total_steps(),
              "schedule warmup_steps must be in 0..total_steps (", options.total_steps(), "), got ",
              options.warmup_steps());
  NS_CHECK_AS(UsageError, options.min_lr_ratio() >= 0.0 && options.min_lr_ratio() <= 1.0,
              "schedule min_lr_ratio must be in [0, 1], got ", options.min_lr_ratio());
  NS_CHECK_AS(UsageError, options.pct_start() >= 0.0 && options.pct_start() < 1.0,
              "schedule pct_start must be in [0, 1), got ", options.pct_start());
  NS_CHECK_AS(UsageError, options.div_factor() > 0.0 && options.final_div_factor() > 0.0,
              "schedule div factors must be positive");
}

double LrSchedule::lr(std::int64_t step) const {
  NS_CHECK_AS(UsageError, step >= 0, "schedule step must be >= 0, got ", step);
  const auto& o = options_;
  if (o.kind() == ScheduleKind::kOneCycle) return one_cycle(step);
  const std::int64_t warmup = o.warmup_steps(), total = o.total_steps();
  if (step < warmup) return o.lr() * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (o.kind() == ScheduleKind::kConstant) return o.lr();
  const double floor = o.lr() * o.min_lr_ratio();
  const double span = static_cast<double>(std::max<std::int64_t>(1, total - warmup));
  const double pct = std::min(1.0, static_cast<double>(step - warmup) / span);
  if (o.kind() == ScheduleKind::kLinear) return o.lr() + (floor - o.lr()) * pct;
  return cosine(o.lr(), floor, pct);
}

// OneCycleLR's get_lr with three_phase=False, step clamped to the last scheduled step.
double LrSchedule::one_cycle(std::int64_t step) const {
  const auto& o = options_;
  const double initial = o.lr() / o.div_factor();
  const double minimum = initial / o.final_div_factor();
  const double total = static_cast<double>(o.total_steps());
  const double rise_end = o.pct_start() * total - 1.0;
  const double fall_end = total - 1.0;
  const double s = std::min(static_cast<double>(step), fall_end);
  if (s <= rise_end) return rise_end > 0.0 ? cosine(initial, o.lr(), s / rise_end) : initial;
  if (fall_end == rise_end) return minimum;
  return cosine(o.lr(), minimum, (s - rise_end) / (fall_end - rise_end));
}

}  // namespace neuroscale::optim
