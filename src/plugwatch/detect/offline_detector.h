// OfflineDetector: decides when one device has stopped or started answering,
// with a confirmation count so that one lost poll does not page anybody. A
// pure state machine fed with the device's readings (Reading::reachable); it
// does no I/O and never reads a clock. Not thread-safe: one owner calls it
// sequentially. Nothing here fails or throws.
//
// The state starts unknown. confirm_checks consecutive unreachable readings
// make it offline and emit device_offline (also from unknown: a device that
// never answers since start-up is reported). confirm_checks consecutive
// reachable readings make it online; that emits device_online only when it
// was offline, so start-up is silent for devices that answer. A streak of the
// other kind resets the count.
//
// Events carry the time of the change, not of its confirmation (the same
// choice as ActivityDetector's device_active):
//   device_offline  ts = first unreachable reading of the streak;
//                   data {error: the confirming reading's error context, or
//                   "unreachable" when the driver gave none}.
//   device_online   ts = first reachable reading of the streak;
//                   data {offline_for_s: ts − the first unreachable reading of
//                   the offline streak, never negative}. A success shorter
//                   than confirm_checks inside the offline period does not
//                   restart that clock.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::detect {

class OfflineDetector {
 public:
  // confirm_checks below 1 is treated as 1.
  OfflineDetector(std::string device, std::string site, int confirm_checks);

  // Emits at most one event.
  std::vector<Event> OnReading(const Reading& r);

  // True only when confirmed online.
  bool online() const { return known_ == true; }
  // std::nullopt until confirm_checks readings of one kind in a row.
  std::optional<bool> known_online() const { return known_; }
  // First unreachable reading of the current offline period, when offline.
  std::optional<TimePoint> offline_since() const;
  int confirm_checks() const { return confirm_checks_; }
  const std::string& device() const { return device_; }

  boost::json::object Snapshot() const;
  // Never throws; a snapshot that is not a complete, consistent version-1
  // snapshot gives the initial (unknown) state.
  static OfflineDetector Restore(std::string device, std::string site, int confirm_checks,
                                 const boost::json::object& snap);

 private:
  Event MakeEvent(EventType type, TimePoint ts) const;

  std::string device_;
  std::string site_;
  int confirm_checks_;

  std::optional<bool> known_;
  // Streak counters saturate at confirm_checks_: only "enough" matters, and
  // a device polled for years must not overflow them.
  int ok_streak_ = 0;
  int fail_streak_ = 0;
  TimePoint ok_since_{};    // first reading of the current reachable streak
  TimePoint fail_since_{};  // first reading of the current unreachable streak
  TimePoint offline_since_{};
};

}  // namespace plugwatch::detect
