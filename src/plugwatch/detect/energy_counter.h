// EnergyCounter: plugwatch's own lifetime energy counter for one plug (a Tapo
// P110 reports only "today" and "this month", which reset and cannot be
// summed across a restart of the plug). It integrates the power of successive
// readings; ActivityDetector uses the same integration for a cycle's energy.
//
// Integration rule (left Riemann sum): the power of a reading holds until the
// next usable reading, so a step adds power_prev × (at − at_prev). That is
// exact for the piecewise-constant power a polled plug (and the emulator)
// reports. Rules for imperfect streams:
//   - A reading with no usable power (unreachable, power_w absent or not
//     finite) is skipped: it adds nothing and does not move the baseline, so
//     one failed poll between two good ones does not lose that interval.
//   - A step longer than max_gap adds 0 Wh: after a long silence (device or
//     service down, clock jumped forward) we do not know what the power was,
//     and under-counting is better than inventing energy.
//   - A reading at or before the previous one (duplicate, clock jumped back)
//     adds 0 Wh and becomes the new baseline, so integration continues in the
//     new clock frame instead of stalling until the clock catches up.
//   - A negative power (a meter glitch; plugs do not export) counts as 0 W.
//
// Pure: no I/O, no clock. Not thread-safe; one owner (the device's poller).
// Nothing here fails.
#pragma once

#include <chrono>
#include <optional>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::detect {

// The longest step that is still integrated; longer ones count as 0 W.
inline constexpr Duration kDefaultMaxGap = std::chrono::minutes(5);

// The power a reading tells us about, clamped at 0 W; std::nullopt when the
// reading has none that can be used (unreachable, absent, NaN or infinite).
std::optional<double> UsablePower(const Reading& r);

class EnergyCounter {
 public:
  explicit EnergyCounter(double total_wh = 0, Duration max_gap = kDefaultMaxGap);

  // Integrates up to r.at and makes r the baseline for the next step.
  // Returns the Wh added by this reading (0 for the first one, a gap, a
  // backwards step or a reading without usable power).
  double Add(const Reading& r);

  double total_wh() const { return total_wh_; }
  Duration max_gap() const { return max_gap_; }

  // The baseline: time and power of the last usable reading, kept in detector
  // snapshots so that the step across a service restart is not lost.
  std::optional<TimePoint> last_at() const { return last_at_; }
  double last_power_w() const { return last_power_w_; }
  // Continues integration from a baseline saved before a restart.
  void Resume(TimePoint last_at, double last_power_w);

 private:
  double total_wh_;
  Duration max_gap_;
  std::optional<TimePoint> last_at_;
  double last_power_w_ = 0;
};

}  // namespace plugwatch::detect
