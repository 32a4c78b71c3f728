#include "plugwatch/detect/heartbeat_watchdog.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "plugwatch/core/time.h"
#include "plugwatch/detect/snapshot_fields.h"

namespace plugwatch::detect {
HeartbeatWatchdog::HeartbeatWatchdog(std::string label, std::string site, Duration period,
                                     Duration grace)
    : label_(std::move(label)),
      site_(std::move(site)),
      period_(std::max(Duration::zero(), period)),
      grace_(std::max(Duration::zero(), grace)) {}

std::optional<TimePoint> HeartbeatWatchdog::since() const {
  if (state_ == PowerState::kUnknown) return std::nullopt;
  return since_;
}

std::optional<TimePoint> HeartbeatWatchdog::last_heartbeat_at() const {
  if (state_ == PowerState::kUnknown) return std::nullopt;
  return last_heartbeat_;
}

std::optional<TimePoint> HeartbeatWatchdog::deadline() const {
  if (state_ != PowerState::kUp) return std::nullopt;
  return last_heartbeat_ + period_ + grace_;
}

std::vector<Event> HeartbeatWatchdog::OnHeartbeat(TimePoint received_at,
                                                  std::optional<TimePoint> up_since) {
  std::vector<Event> out;
  // Decision 7; since_ is the outage's start by then. A clock that went back
  // may put received_at before it: then received_at stands.
  auto back_at = [&] {
    TimePoint t = std::min(up_since.value_or(received_at), received_at);
    return since_ <= received_at ? std::max(t, since_) : t;
  };
  switch (state_) {
    case PowerState::kUnknown:
      state_ = PowerState::kUp;
      since_ = received_at;
      break;
    case PowerState::kUp:
      // kUp always has a deadline (a heartbeat has been seen).
      if (received_at >= *deadline()) {  // NOLINT(bugprone-unchecked-optional-access)
        out.push_back(Lose(last_heartbeat_ + period_));
        out.push_back(Regain(back_at()));
      }
      break;
    case PowerState::kDown:
      out.push_back(Regain(back_at()));
      break;
  }
  last_heartbeat_ = received_at;
  return out;
}

std::vector<Event> HeartbeatWatchdog::OnTick(TimePoint now) {
  std::vector<Event> out;
  // kUp always has a deadline (a heartbeat has been seen).
  if (state_ == PowerState::kUp &&
      now >= *deadline())  // NOLINT(bugprone-unchecked-optional-access)
    out.push_back(Lose(now));
  return out;
}

Event HeartbeatWatchdog::Lose(TimePoint ts) {
  const TimePoint started_at = last_heartbeat_ + period_;
  Event e = MakeEvent(EventType::kPowerLost, ts);
  e.data["last_heartbeat_at"] = FormatTimestamp(last_heartbeat_);
  e.data["started_at"] = FormatTimestamp(started_at);
  e.data["was_on_for_s"] = NonNegativeSeconds(started_at - since_);
  state_ = PowerState::kDown;
  since_ = started_at;
  return e;
}

Event HeartbeatWatchdog::Regain(TimePoint at) {
  Event e = MakeEvent(EventType::kPowerRestored, at);
  e.data["started_at"] = FormatTimestamp(since_);
  e.data["was_off_for_s"] = NonNegativeSeconds(at - since_);
  state_ = PowerState::kUp;
  since_ = at;
  return e;
}

Event HeartbeatWatchdog::MakeEvent(EventType type, TimePoint ts) const {
  Event e = plugwatch::MakeEvent(type, ts, "", site_);
  e.data["cause"] = "heartbeat";
  e.data["label"] = label_;
  return e;
}

boost::json::object HeartbeatWatchdog::Snapshot() const {
  boost::json::object o;
  o["version"] = internal::kSnapshotVersion;
  o["state"] = ToString(state_);
  if (state_ == PowerState::kUnknown) return o;
  o["last_heartbeat_ms"] = UnixMillis(last_heartbeat_);
  o["since_ms"] = UnixMillis(since_);
  return o;
}

HeartbeatWatchdog HeartbeatWatchdog::Restore(std::string label, std::string site, Duration period,
                                             Duration grace, const boost::json::object& snap) {
  HeartbeatWatchdog w(std::move(label), std::move(site), period, grace);
  using namespace internal;
  if (!HasVersion(snap)) return w;
  auto state_name = GetString(snap, "state");
  auto state = state_name ? ParsePowerState(*state_name) : std::nullopt;
  if (!state || *state == PowerState::kUnknown) return w;
  auto last = internal::GetTime(snap, "last_heartbeat_ms");
  auto since = internal::GetTime(snap, "since_ms");
  if (!last || !since) return w;
  HeartbeatWatchdog restored = w;
  restored.state_ = *state;
  restored.last_heartbeat_ = *last;
  restored.since_ = *since;
  return restored;
}

}  // namespace plugwatch::detect
