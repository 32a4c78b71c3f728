// OutageQuorum: decides whether one site has lost its mains from how many of
// its probed devices answer (PowerMon's rule: when at least half of the
// switches are offline, a power outage starts; it ends when fewer are). A
// pure state machine: each device's confirmed reachability in, power_lost /
// power_restored out. It does no I/O and never reads a clock; time comes only
// from the callers' `at`. Not thread-safe: one owner (the site's pipeline)
// calls it sequentially. Nothing here fails or throws; Restore() turns a
// damaged snapshot into a fresh quorum.
//
// The owner feeds the devices that count towards the quorum
// (DeviceSpec::in_quorum) and only those, with their confirmed state (after
// OfflineDetector's confirm_checks), not every poll.
//
//   Unknown ──(judged, not out)──► Up, silently
//   Unknown or Up ──(judged out)──► Down: power_lost
//   Down ──(judged, not out)──► Up: power_restored
//
// Events (device "", site = the site; JSON forms in docs/events.md):
//   power_lost      ts = the `at` of the call that made the site out;
//                   data {cause "quorum", devices (the unreachable ids,
//                   sorted), unreachable, total, started_at (= ts),
//                   was_on_for_s (only when the site was Up before)}.
//   power_restored  ts = the `at` of the call that ended it;
//                   data {cause "quorum", devices (those still unreachable),
//                   unreachable, total, started_at (the outage's start),
//                   was_off_for_s}.
//
// Decisions (the rules a reader needs to predict an outcome):
//  1. The site is out when at least one device is unreachable and
//     unreachable / total >= quorum (so 2 of 4 is out at 0.5). quorum is a
//     fraction in (0, 1]; above 1 (or NaN) is treated as 1 (every device),
//     0 or below as "any one device".
//  2. The site is judged only when every tracked device has a known state
//     and at least one device is tracked; otherwise the state holds as it is
//     (no event). Track() registers a device whose state is not known yet, so
//     that at start-up the first device confirmed unreachable does not make a
//     site of one look out before the others have answered. A site whose
//     devices are all removed during an outage therefore stays Down until a
//     device is tracked again and judged: "power restored" is announced only
//     on evidence.
//  3. Every call re-judges, even one that changes nothing (so a quorum changed
//     across a restart takes effect on the next call). A state only changes
//     when the judgement does, so flapping below the quorum emits nothing and
//     nothing is announced twice, across restarts too: Snapshot() holds the
//     state, since() and every device's state, and "down" means power_lost
//     was announced and power_restored was not.
//  4. Durations are never negative: `at` of consecutive calls may go back a
//     little when the owner passes each device's change time.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/event.h"
#include "plugwatch/detect/power_state.h"

namespace plugwatch::detect {

class OutageQuorum {
 public:
  OutageQuorum(std::string site, double quorum);

  // Tracks the device (if new) and records its state; emits at most one event.
  std::vector<Event> SetReachable(std::string device, bool reachable, TimePoint at);
  // Tracks a device whose state is not known yet; a known device is left as
  // it is. Emits nothing: while a device is unknown the site is not judged.
  void Track(std::string device);
  // Stops tracking the device (no-op if unknown); emits at most one event.
  std::vector<Event> Remove(std::string_view device, TimePoint at);

  PowerState state() const { return state_; }
  // When the current state began; std::nullopt while Unknown.
  std::optional<TimePoint> since() const;
  int tracked() const { return static_cast<int>(devices_.size()); }
  int unreachable() const;
  // Reachability of one device: std::nullopt if not tracked or not known yet.
  std::optional<bool> reachable(std::string_view device) const;

  const std::string& site() const { return site_; }
  double quorum() const { return quorum_; }

  boost::json::object Snapshot() const;
  // Never throws; a snapshot that is not a complete, consistent version-1
  // snapshot gives a fresh quorum (Unknown, no devices).
  static OutageQuorum Restore(std::string site, double quorum, const boost::json::object& snap);

 private:
  std::vector<Event> Judge(TimePoint at);
  Event MakeEvent(EventType type, TimePoint ts) const;

  std::string site_;
  double quorum_;

  PowerState state_ = PowerState::kUnknown;
  TimePoint since_{};
  // Ordered, so that events list devices in a stable order. std::nullopt:
  // tracked, state not known yet.
  std::map<std::string, std::optional<bool>, std::less<>> devices_;
};

}  // namespace plugwatch::detect
