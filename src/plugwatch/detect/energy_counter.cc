#include "plugwatch/detect/energy_counter.h"

#include <algorithm>
#include <cmath>

namespace plugwatch::detect {

std::optional<double> UsablePower(const Reading& r) {
  if (!r.reachable || !r.power_w || !std::isfinite(*r.power_w)) return std::nullopt;
  return std::max(0.0, *r.power_w);
}

EnergyCounter::EnergyCounter(double total_wh, Duration max_gap)
    : total_wh_(std::isfinite(total_wh) ? std::max(0.0, total_wh) : 0.0), max_gap_(max_gap) {}

double EnergyCounter::Add(const Reading& r) {
  auto power = UsablePower(r);
  if (!power) return 0;
  double added = 0;
  if (last_at_) {
    Duration step = r.at - *last_at_;
    if (step > Duration::zero() && step <= max_gap_) added = last_power_w_ * Seconds(step) / 3600.0;
  }
  last_at_ = r.at;
  last_power_w_ = *power;
  total_wh_ += added;
  return added;
}

void EnergyCounter::Resume(TimePoint last_at, double last_power_w) {
  last_at_ = last_at;
  last_power_w_ = std::isfinite(last_power_w) ? std::max(0.0, last_power_w) : 0.0;
}

}  // namespace plugwatch::detect
