#include "plugwatch/heartbeat_client/log_throttle.h"

namespace plugwatch::heartbeat_client {

FailureLogThrottle::FailureLogThrottle(int verbose_heartbeats, Duration quiet_period)
    : verbose_heartbeats_(verbose_heartbeats), quiet_period_(quiet_period) {}

bool FailureLogThrottle::ShouldLog(TimePoint now, int lost_in_a_row, std::string_view kind) {
  const bool verbose = lost_in_a_row < verbose_heartbeats_;
  const bool log = verbose || !quiet_ || kind != last_kind_ || !last_logged_ ||
                   now - *last_logged_ >= quiet_period_;
  if (!verbose) quiet_ = true;
  last_kind_ = kind;
  if (log) last_logged_ = now;
  return log;
}

void FailureLogThrottle::Reset() {
  last_kind_.clear();
  last_logged_.reset();
  quiet_ = false;
}

}  // namespace plugwatch::heartbeat_client
