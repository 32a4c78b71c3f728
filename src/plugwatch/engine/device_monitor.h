// DeviceMonitor: everything plugwatch works out from one device's readings —
// cycles (ActivityDetector, when the device has [activity] settings),
// offline/online (OfflineDetector), plugwatch's own lifetime energy counter,
// and relay changes (switched_on/off with source "device"; switches made by
// plugwatch itself are recorded by whoever made them). Pure: readings and time in, events out.
//
// Not thread-safe; the engine uses it from its event loop.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"
#include "plugwatch/detect/activity_detector.h"
#include "plugwatch/detect/energy_counter.h"
#include "plugwatch/detect/offline_detector.h"

namespace plugwatch::engine {

// What the API and CLI show about a device right now.
struct DeviceState {
  std::optional<bool> reachable;  // nullopt until known
  std::optional<bool> on;
  std::optional<double> power_w;
  std::string activity = "idle";   // idle | starting | active | stopping ("" without [activity])
  std::optional<TimePoint> since;  // when reachability or activity last changed
  std::optional<TimePoint> cycle_started_at;  // the running cycle's start (active, stopping)
  std::optional<TimePoint> last_reading_at;   // last successful reading
  double lifetime_energy_wh = 0;
};

class DeviceMonitor {
 public:
  DeviceMonitor(const DeviceSpec& spec, int confirm_checks, double lifetime_energy_wh);
  // Restores detector state saved by Snapshot(); garbage restores a fresh state.
  static DeviceMonitor Restore(const DeviceSpec& spec, int confirm_checks,
                               double lifetime_energy_wh, const boost::json::object& snapshot);

  std::vector<Event> OnReading(const Reading& r);
  std::vector<Event> OnTick(TimePoint now);
  // plugwatch switched the relay itself (source "api", "cli", "automation"):
  // switched_on/off with that source when it changes the known state, and
  // the next reading showing the new state is not reported again.
  std::vector<Event> OnSwitched(bool on, TimePoint at, std::string_view source);

  boost::json::object Snapshot() const;
  const DeviceState& state() const { return state_; }
  bool cycle_running() const;  // a cycle is starting, active or stopping
  // Reachability confirmed by confirm_checks polls in a row (what the outage
  // quorum counts); std::nullopt until the first confirmation.
  std::optional<bool> confirmed_reachable() const;

 private:
  void Track(const std::vector<Event>& events, TimePoint at, std::optional<bool> observed);

  std::string device_;
  std::string site_;
  std::optional<detect::ActivityDetector> activity_;
  detect::OfflineDetector offline_;
  detect::EnergyCounter energy_;
  DeviceState state_;
};

}  // namespace plugwatch::engine
