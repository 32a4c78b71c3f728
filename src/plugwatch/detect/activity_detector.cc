#include "plugwatch/detect/activity_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "plugwatch/core/time.h"
#include "plugwatch/detect/snapshot_fields.h"

namespace plugwatch::detect {
namespace {

constexpr std::array<std::pair<ActivityState, std::string_view>, 4> kStateNames{{
    {ActivityState::kIdle, "idle"},
    {ActivityState::kStarting, "starting"},
    {ActivityState::kActive, "active"},
    {ActivityState::kStopping, "stopping"},
}};

std::optional<ActivityState> ParseState(std::string_view s) {
  for (auto& [state, name] : kStateNames)
    if (name == s) return state;
  return std::nullopt;
}

ActivitySettings Normalized(ActivitySettings s) {
  // An inverted band would let one power level both start and stop a cycle
  // and make the detector oscillate on every reading.
  s.stop_below_w = std::min(s.stop_below_w, s.start_above_w);
  return s;
}

}  // namespace

std::string_view ToString(ActivityState s) {
  for (auto& [state, name] : kStateNames)
    if (state == s) return name;
  return "unknown";
}

ActivityDetector::ActivityDetector(std::string device, std::string site, ActivitySettings settings,
                                   Duration max_gap)
    : device_(std::move(device)),
      site_(std::move(site)),
      settings_(Normalized(std::move(settings))),
      integrator_(0, max_gap) {}

std::optional<TimePoint> ActivityDetector::cycle_started_at() const {
  if (state_ == ActivityState::kIdle) return std::nullopt;
  return started_at_;
}

std::vector<Event> ActivityDetector::OnReading(const Reading& r) {
  std::vector<Event> out;
  auto power = UsablePower(r);
  if (!power) {
    // Decision 5: no power, no state change; the reading still tells the time.
    MaybeFinish(r.at, out);
    return out;
  }
  if (auto last = integrator_.last_at(); last && r.at < *last) {
    // Decision 6: the clock went back; treat the jump as taking no time.
    Duration back = *last - r.at;
    if (state_ != ActivityState::kIdle) start_timer_ -= back;
    if (state_ == ActivityState::kStopping) stop_timer_ -= back;
  }
  MaybeFinish(r.at, out);

  double added = integrator_.Add(r);
  if (state_ != ActivityState::kIdle) energy_wh_ += added;

  const double p = *power;
  const bool above_start = p > settings_.start_above_w;
  switch (state_) {
    case ActivityState::kIdle:
      if (above_start) {
        BeginCycle(r.at, p);
        if (settings_.start_delay <= Duration::zero()) Confirm(out);
      }
      break;
    case ActivityState::kStarting:
      if (!above_start) {
        Reset();
        break;
      }
      peak_w_ = std::max(peak_w_, p);
      if (r.at - start_timer_ >= settings_.start_delay) Confirm(out);
      break;
    case ActivityState::kActive:
      peak_w_ = std::max(peak_w_, p);
      if (p < settings_.stop_below_w) {
        state_ = ActivityState::kStopping;
        ended_at_ = r.at;
        stop_timer_ = r.at;
        energy_at_stop_wh_ = energy_wh_;
        MaybeFinish(r.at, out);  // stop_delay 0 ends at once
      }
      break;
    case ActivityState::kStopping:
      if (above_start) {
        state_ = ActivityState::kActive;
        peak_w_ = std::max(peak_w_, p);
      }
      break;
  }
  return out;
}

std::vector<Event> ActivityDetector::OnTick(TimePoint now) {
  std::vector<Event> out;
  MaybeFinish(now, out);
  return out;
}

void ActivityDetector::BeginCycle(TimePoint at, double power_w) {
  state_ = ActivityState::kStarting;
  started_at_ = at;
  start_timer_ = at;
  start_power_w_ = power_w;
  energy_wh_ = 0;
  energy_at_stop_wh_ = 0;
  peak_w_ = power_w;
}

void ActivityDetector::Confirm(std::vector<Event>& out) {
  state_ = ActivityState::kActive;
  Event e = MakeEvent(EventType::kDeviceActive, started_at_);
  e.data["power_w"] = start_power_w_;
  out.push_back(std::move(e));
}

void ActivityDetector::MaybeFinish(TimePoint now, std::vector<Event>& out) {
  if (state_ != ActivityState::kStopping || now - stop_timer_ < settings_.stop_delay) return;
  Event e = MakeEvent(EventType::kCycleFinished, now);
  const double energy = energy_at_stop_wh_;
  e.data["started_at"] = FormatTimestamp(started_at_);
  e.data["ended_at"] = FormatTimestamp(ended_at_);
  e.data["duration_s"] = Seconds(std::max(Duration::zero(), stop_timer_ - start_timer_));
  e.data["energy_wh"] = energy;
  e.data["peak_w"] = peak_w_;
  e.data["cost"] = std::round(energy / 1000.0 * settings_.price_per_kwh * 10'000.0) / 10'000.0;
  if (!settings_.currency.empty()) e.data["currency"] = settings_.currency;
  out.push_back(std::move(e));
  Reset();
}

void ActivityDetector::Reset() {
  state_ = ActivityState::kIdle;
  started_at_ = ended_at_ = start_timer_ = stop_timer_ = TimePoint{};
  start_power_w_ = energy_wh_ = energy_at_stop_wh_ = peak_w_ = 0;
}

Event ActivityDetector::MakeEvent(EventType type, TimePoint ts) const {
  return plugwatch::MakeEvent(type, ts, device_, site_);
}

boost::json::object ActivityDetector::Snapshot() const {
  boost::json::object o;
  o["version"] = internal::kSnapshotVersion;
  o["state"] = ToString(state_);
  if (auto last = integrator_.last_at()) {
    o["last_at_ms"] = UnixMillis(*last);
    o["last_power_w"] = integrator_.last_power_w();
  }
  if (state_ == ActivityState::kIdle) return o;
  o["started_at_ms"] = UnixMillis(started_at_);
  o["start_timer_ms"] = UnixMillis(start_timer_);
  o["start_power_w"] = start_power_w_;
  o["energy_wh"] = energy_wh_;
  o["peak_w"] = peak_w_;
  if (state_ == ActivityState::kStopping) {
    o["ended_at_ms"] = UnixMillis(ended_at_);
    o["stop_timer_ms"] = UnixMillis(stop_timer_);
    o["energy_at_stop_wh"] = energy_at_stop_wh_;
  }
  return o;
}

ActivityDetector ActivityDetector::Restore(std::string device, std::string site,
                                           ActivitySettings settings,
                                           const boost::json::object& snap, Duration max_gap) {
  ActivityDetector d(std::move(device), std::move(site), std::move(settings), max_gap);
  using namespace internal;
  if (!HasVersion(snap)) return d;
  auto state_name = GetString(snap, "state");
  auto state = state_name ? ParseState(*state_name) : std::nullopt;
  if (!state) return d;

  auto last_at = GetTime(snap, "last_at_ms");
  auto last_power = GetNonNegative(snap, "last_power_w");
  if (last_at.has_value() != last_power.has_value()) return d;

  ActivityDetector restored = d;
  if (last_at) restored.integrator_.Resume(*last_at, *last_power);
  if (*state == ActivityState::kIdle) return restored;

  auto started_at = GetTime(snap, "started_at_ms");
  auto start_timer = GetTime(snap, "start_timer_ms");
  auto start_power = GetNonNegative(snap, "start_power_w");
  auto energy = GetNonNegative(snap, "energy_wh");
  auto peak = GetNonNegative(snap, "peak_w");
  if (!started_at || !start_timer || !start_power || !energy || !peak) return d;
  restored.state_ = *state;
  restored.started_at_ = *started_at;
  restored.start_timer_ = *start_timer;
  restored.start_power_w_ = *start_power;
  restored.energy_wh_ = *energy;
  restored.peak_w_ = *peak;
  if (*state != ActivityState::kStopping) return restored;

  auto ended_at = GetTime(snap, "ended_at_ms");
  auto stop_timer = GetTime(snap, "stop_timer_ms");
  auto energy_at_stop = GetNonNegative(snap, "energy_at_stop_wh");
  if (!ended_at || !stop_timer || !energy_at_stop || *stop_timer < *start_timer) return d;
  restored.ended_at_ = *ended_at;
  restored.stop_timer_ = *stop_timer;
  restored.energy_at_stop_wh_ = *energy_at_stop;
  return restored;
}

}  // namespace plugwatch::detect
