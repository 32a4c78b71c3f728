// PowerWatch: whether the mains are on, for every heartbeat label (one
// HeartbeatWatchdog each, from [[heartbeats]]) and every site (one
// OutageQuorum each over the site's probed devices). The engine feeds it
// heartbeats, ticks and each device's confirmed reachability, and records
// the power_lost / power_restored events it returns. Pure: no I/O, no clock;
// not thread-safe (the service's loop owns it).
//
// Decisions:
//  - Labels are independent: each has its own watchdog and deadline, so a
//    silent label never delays another's checks.
//  - Only devices with in_quorum count towards their site's quorum; a device
//    that moves to another site or leaves the quorum is removed from the old
//    one (which may end or start an outage there).
//  - A site's quorum is created when its first device is seen; sites without
//    probed devices stay "unknown".
//  - State is saved and restored per key: "label:<label>", "site:<site>"
//    (Snapshots/Restore); a label no longer in the config is forgotten.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/event.h"
#include "plugwatch/detect/heartbeat_watchdog.h"
#include "plugwatch/detect/outage_quorum.h"
#include "plugwatch/store/store.h"

namespace plugwatch::engine {

class PowerWatch {
 public:
  explicit PowerWatch(const config::Config& cfg);

  // Restores the labels and sites found in `states` (other keys are ignored).
  void Restore(const std::map<std::string, boost::json::object>& states);
  // Every label's and site's state, by key.
  std::map<std::string, boost::json::object> Snapshots() const;

  // Heartbeats for labels that are not configured are ignored.
  bool HasLabel(std::string_view label) const { return labels_.contains(label); }
  // up_since: see HeartbeatWatchdog decision 7.
  std::vector<Event> OnHeartbeat(std::string_view label, TimePoint received_at,
                                 std::optional<TimePoint> up_since = std::nullopt);
  std::vector<Event> OnTick(TimePoint now);
  // When the next label's silence becomes an outage; the owner ticks then.
  std::optional<TimePoint> NextDeadline() const;

  // A device's confirmed reachability (nullopt: not known yet), on start and
  // whenever it changes; also when its spec changes.
  std::vector<Event> SetDevice(const DeviceSpec& spec, std::optional<bool> reachable, TimePoint at);
  std::vector<Event> RemoveDevice(std::string_view id, TimePoint at);

  const std::map<std::string, detect::HeartbeatWatchdog, std::less<>>& labels() const {
    return labels_;
  }
  const std::map<std::string, detect::OutageQuorum, std::less<>>& sites() const { return sites_; }

 private:
  detect::OutageQuorum& Site(const std::string& id);

  const config::Config& cfg_;
  std::map<std::string, detect::HeartbeatWatchdog, std::less<>> labels_;
  std::map<std::string, detect::OutageQuorum, std::less<>> sites_;
  std::map<std::string, std::string, std::less<>> device_site_;  // quorum members → their site
};

// The outage a power_lost (opened) or power_restored (closed) event records;
// nullopt for other events.
std::optional<store::OutageRecord> OutageFromEvent(const Event& e);

}  // namespace plugwatch::engine
