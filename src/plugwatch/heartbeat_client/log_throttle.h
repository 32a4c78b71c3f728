// FailureLogThrottle: which failed heartbeat attempts the client logs, so
// that a server that is down for a day does not fill a Raspberry Pi's
// journal (at a 10 s interval with 3 retries that would be 34,560 lines).
//
// Logged: every failed attempt while fewer than `verbose_heartbeats`
// heartbeats in a row were lost; the first attempt after that (its line says
// that logging is thinned from now on); every failure of a kind different
// from the previous one (refused → 401 is news); and otherwise one line per
// `quiet_period`. Reset() after a delivery starts over. Pure; not
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"

namespace plugwatch::heartbeat_client {

class FailureLogThrottle {
 public:
  explicit FailureLogThrottle(int verbose_heartbeats = 3,
                              Duration quiet_period = Duration(5 * 60 * 1000));

  // lost_in_a_row: heartbeats lost in a row before the one this attempt
  // belongs to. kind: AttemptReport::kind.
  bool ShouldLog(TimePoint now, int lost_in_a_row, std::string_view kind);
  void Reset();

  Duration quiet_period() const { return quiet_period_; }

 private:
  int verbose_heartbeats_;
  Duration quiet_period_;
  std::string last_kind_;
  std::optional<TimePoint> last_logged_;
  bool quiet_ = false;  // the first thinned line was logged
};

}  // namespace plugwatch::heartbeat_client
