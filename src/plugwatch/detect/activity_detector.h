// ActivityDetector: appliance cycle detection for one plug ("the washer has
// started", "the washer has finished: 41 min, 0.49 kWh, 0.15 €"). A pure state
// machine: readings and time in, events out. It does no I/O and never reads a
// clock; time comes only from Reading::at and OnTick(now), so tests drive it
// with synthetic streams. Not thread-safe: one owner (the device's pipeline)
// calls it sequentially. Nothing here fails or throws; Restore() turns a
// damaged snapshot into an idle detector.
//
//   Idle ──(power > start_above_w)──► Starting
//   Starting ──(a reading still above start_above_w, start_delay after the first)──► Active:
//       device_active
//   Starting ──(a reading not above start_above_w)──► Idle, silently
//   Active ──(power < stop_below_w)──► Stopping
//   Stopping ──(power > start_above_w)──► Active (a pause, not the end)
//   Stopping ──(stop_delay after the first low reading; a reading or a tick)──► Idle:
//       cycle_finished
//
// Events (JSON forms in docs/events.md):
//   device_active   ts = first reading above start_above_w (= the cycle's
//                   started_at, not the moment start_delay expired);
//                   data {power_w: that first reading's power}, so that ts and
//                   power_w describe the same instant.
//   cycle_finished  ts = the reading or tick that confirmed the stop;
//                   data {started_at, ended_at (RFC 3339), duration_s,
//                   energy_wh, peak_w, cost (energy_wh/1000 × price_per_kwh,
//                   rounded to 4 decimals, 0 without a price), currency (only
//                   when set)}. ended_at is the first reading below
//                   stop_below_w of the final stopping period; energy_wh and
//                   peak_w cover [started_at, ended_at).
//
// Decisions (the rules a reader needs to predict an outcome):
//  1. Thresholds are strict: start needs power > start_above_w, stopping
//     needs power < stop_below_w; a power in between (inclusive) keeps the
//     current Active or Stopping state, and a Stopping period's timer keeps
//     running through it (only a reading above start_above_w resumes the
//     cycle). Starting is not hysteretic: any reading not above
//     start_above_w before confirmation cancels it silently, so flapping
//     around the start threshold emits nothing. If stop_below_w is
//     configured above start_above_w it is lowered to start_above_w.
//  2. Starting is confirmed only by a reading that is above start_above_w at
//     or after started_at + start_delay (evidence that the power stayed up);
//     OnTick never confirms. start_delay <= 0 confirms on the first reading.
//  3. Stopping is confirmed as soon as the detector learns that stop_delay has
//     passed since ended_at: by OnTick(now) or by any reading (reachable or
//     not) whose time is at or past the deadline. Such a reading is processed
//     after the cycle ends, so a reading above start that arrives after a
//     pause longer than stop_delay finishes the cycle and begins a new one:
//     the outcome does not depend on whether a tick happened in between.
//  4. Energy uses EnergyCounter's rules (see energy_counter.h): left Riemann
//     sum; a step longer than max_gap (constructor argument, default 5 min)
//     counts as 0 W; readings without usable power (unreachable, no power_w)
//     add nothing and do not move the baseline. Energy of a cancelled Starting
//     period is discarded. Energy during a pause is part of the cycle when the
//     cycle resumes; the final stopping period is not.
//  5. Unreachable readings never change the state by their power (they have
//     none): a cycle does not end because a plug stops answering, only because
//     a stop_delay that began with a real low reading runs out (decision 3).
//  6. Clock jumps. Forward: elapsed time is real time as far as we can tell,
//     so delays expire and duration_s includes the gap, but a step longer than
//     max_gap adds no energy. Backward (a reading at or before the previous
//     one): the step adds no energy, the reading becomes the baseline, and
//     the running timers move back with the clock, i.e. the jump is treated as
//     taking no time. started_at and ended_at are reported as the clock said
//     when they happened (so cycle_finished.started_at matches device_active's
//     ts); duration_s is the elapsed time measured with the moved timers,
//     which equals ended_at − started_at when the clock did not jump back and
//     is never negative.
//  7. Snapshot() is a versioned JSON object with everything Restore() needs to
//     continue a running cycle without losing or repeating events: state,
//     started_at, ended_at, both timers, energies, peak, the first power and
//     the integration baseline. Restore() of anything it does not fully
//     understand gives a fresh Idle detector.
//  8. Readings are not filtered by Reading::device; the owner routes them.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"
#include "plugwatch/detect/energy_counter.h"

namespace plugwatch::detect {

enum class ActivityState { kIdle, kStarting, kActive, kStopping };

// "idle" | "starting" | "active" | "stopping", as the API shows it.
std::string_view ToString(ActivityState s);

class ActivityDetector {
 public:
  ActivityDetector(std::string device, std::string site, ActivitySettings settings,
                   Duration max_gap = kDefaultMaxGap);

  // May emit device_active and/or cycle_finished (both when a pause longer
  // than stop_delay is followed by a new start with start_delay 0).
  std::vector<Event> OnReading(const Reading& r);
  // Lets a Stopping period's delay expire without a new reading; may emit
  // cycle_finished with ts = now. A time before the stop deadline is a no-op.
  std::vector<Event> OnTick(TimePoint now);

  ActivityState state() const { return state_; }
  std::string_view ActivityName() const { return ToString(state_); }

  // The current (or, while Starting, the prospective) cycle. started_at is
  // std::nullopt when Idle; energy and peak are 0 then.
  std::optional<TimePoint> cycle_started_at() const;
  // Energy so far, including a pause in progress.
  double cycle_energy_wh() const { return state_ == ActivityState::kIdle ? 0 : energy_wh_; }
  double cycle_peak_w() const { return state_ == ActivityState::kIdle ? 0 : peak_w_; }

  const std::string& device() const { return device_; }
  const std::string& site() const { return site_; }
  const ActivitySettings& settings() const { return settings_; }

  boost::json::object Snapshot() const;
  // Never throws; a snapshot that is not a complete, consistent version-1
  // snapshot gives an Idle detector with no baseline.
  static ActivityDetector Restore(std::string device, std::string site, ActivitySettings settings,
                                  const boost::json::object& snap,
                                  Duration max_gap = kDefaultMaxGap);

 private:
  void BeginCycle(TimePoint at, double power_w);
  void Confirm(std::vector<Event>& out);
  // Finishes the cycle if Stopping and stop_delay has passed at `now`.
  void MaybeFinish(TimePoint now, std::vector<Event>& out);
  void Reset();
  Event MakeEvent(EventType type, TimePoint ts) const;

  std::string device_;
  std::string site_;
  ActivitySettings settings_;
  EnergyCounter integrator_;

  ActivityState state_ = ActivityState::kIdle;
  // Reported anchors: as the clock said when they happened.
  TimePoint started_at_{};
  TimePoint ended_at_{};
  // Timer anchors: the same instants, moved back with the clock when it
  // jumps back (decision 6); delays and duration_s are measured from these.
  TimePoint start_timer_{};
  TimePoint stop_timer_{};
  double start_power_w_ = 0;
  double energy_wh_ = 0;          // since started_at, including a pause in progress
  double energy_at_stop_wh_ = 0;  // energy_wh_ at ended_at
  double peak_w_ = 0;
};

}  // namespace plugwatch::detect
