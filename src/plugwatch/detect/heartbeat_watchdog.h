// HeartbeatWatchdog: decides whether the mains behind one heartbeat label
// ("POWER", "GENERATOR") is on, from the times at which the server received
// that label's heartbeats. A pure state machine: receive times and ticks in,
// power_lost / power_restored out. It does no I/O and never reads a clock;
// time comes only from OnHeartbeat(received_at) and OnTick(now), both the
// server's clock (the client's own timestamp is never trusted: its clock may
// be skewed). Not thread-safe: one owner calls it sequentially. One object per
// label, so a silent label never affects another. Nothing here fails or
// throws; Restore() turns a damaged snapshot into a fresh watchdog.
//
//   Unknown ──(first heartbeat)──► Up, silently
//   Up ──(a tick period + grace or more after the last heartbeat)──► Down: power_lost
//   Up ──(a heartbeat period + grace or more after the previous one)──► Down ► Up:
//       power_lost, power_restored (the deadline passed while nobody ticked,
//       e.g. the service was not running)
//   Down ──(any heartbeat)──► Up: power_restored
//
// Events (device "", site = the label's site; JSON forms in docs/events.md):
//   power_lost      ts = the tick that detected the silence (the moment we
//                   know), or, in the late case above, the estimated start;
//                   data {cause "heartbeat", label, last_heartbeat_at,
//                   started_at (RFC 3339), was_on_for_s}.
//   power_restored  ts = the heartbeat's receive time (or when the sender
//                   says power came back, decision 7);
//                   data {cause "heartbeat", label, started_at, was_off_for_s}.
//
// Decisions (the rules a reader needs to predict an outcome):
//  1. Silence is measured from the last heartbeat's receive time. The label is
//     lost once the silence reaches period + grace (>=, the same deadline for
//     ticks and heartbeats, so the outcome does not depend on whether a tick
//     or a heartbeat is processed first at that instant).
//  2. The best estimate of when the power went off is one period after the
//     last heartbeat (the heartbeat that should have come next did not): the
//     outage's started_at = last heartbeat + period. was_off_for_s = the
//     restoring heartbeat − started_at; was_on_for_s = started_at − the
//     heartbeat that began the up period (the first one ever, or the one that
//     announced power_restored). Both are never negative. started_at is kept
//     in the snapshot, so a restart or a change of period does not move it.
//  3. A fresh watchdog is Unknown and stays so until the first heartbeat,
//     which is silent: a label that has never sent a heartbeat is never
//     reported lost (there is no evidence that it ever had power, and the
//     watchdog does not know when the service started).
//  4. Ticks never restore power and never announce anything twice: while
//     Down only a heartbeat does anything.
//  5. Restarts. Snapshot() holds the state, the last heartbeat and since();
//     the state "down" is exactly "power_lost was announced and
//     power_restored was not", so it needs no flag of its own. After
//     Restore(), the first tick past the deadline announces power_lost once
//     (not again if it was announced before the restart); the first
//     heartbeat after an outage announces exactly one power_restored measured
//     from the pre-restart started_at; and a heartbeat that finds the deadline
//     passed unannounced (the power went and came back while the service was
//     down) announces power_lost with ts = started_at, then power_restored,
//     in that order.
//  6. Clock jumps. The last heartbeat is always the one received last, even
//     when its time is earlier than the previous one (the server clock went
//     back): later ticks come from the same clock, so the deadline moves back
//     with it.
//  7. A heartbeat that restores power may say when the power really came
//     back (`up_since`: a client that could not reach the server, e.g. while
//     the service was stopped, knows when it started trying). The outage
//     then ends there instead of at the receive time, clamped to
//     [the outage's start, received_at]; the up period begins there too.
//     Without it the receive time is the best evidence.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/event.h"
#include "plugwatch/detect/power_state.h"

namespace plugwatch::detect {

class HeartbeatWatchdog {
 public:
  // Negative period or grace is treated as 0.
  HeartbeatWatchdog(std::string label, std::string site, Duration period, Duration grace);

  // May emit power_restored, or power_lost then power_restored (decision 5).
  // up_since: when the sender says the power came back, already converted to
  // the server's clock (decision 7); ignored unless the heartbeat restores.
  std::vector<Event> OnHeartbeat(TimePoint received_at,
                                 std::optional<TimePoint> up_since = std::nullopt);
  // May emit power_lost with ts = now.
  std::vector<Event> OnTick(TimePoint now);

  PowerState state() const { return state_; }
  // When the current state began: Up = the heartbeat that began it, Down =
  // the outage's estimated start. std::nullopt while Unknown.
  std::optional<TimePoint> since() const;
  // std::nullopt while Unknown.
  std::optional<TimePoint> last_heartbeat_at() const;
  // When silence makes the label lost if no heartbeat arrives: the time the
  // owner should tick at. std::nullopt unless Up.
  std::optional<TimePoint> deadline() const;

  const std::string& label() const { return label_; }
  const std::string& site() const { return site_; }
  Duration period() const { return period_; }
  Duration grace() const { return grace_; }

  boost::json::object Snapshot() const;
  // Never throws; a snapshot that is not a complete, consistent version-1
  // snapshot gives a fresh (Unknown) watchdog.
  static HeartbeatWatchdog Restore(std::string label, std::string site, Duration period,
                                   Duration grace, const boost::json::object& snap);

 private:
  // Up → Down; ts is the event's time.
  Event Lose(TimePoint ts);
  // Down → Up at `at`.
  Event Regain(TimePoint at);
  Event MakeEvent(EventType type, TimePoint ts) const;

  std::string label_;
  std::string site_;
  Duration period_;
  Duration grace_;

  PowerState state_ = PowerState::kUnknown;
  TimePoint last_heartbeat_{};
  TimePoint since_{};
};

}  // namespace plugwatch::detect
