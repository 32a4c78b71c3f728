// LiveStatus: what the running service knows right now — each site's and
// heartbeat label's power with since-when, and each monitored device's state
// — for front ends other than the HTTP API (the Telegram bot's /status and
// /devices). /api/status and the bot judge a site's power the same way
// (SitePower).
//
// Threading: the engine's event loop (it reads the Service's live state).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/core/clock.h"
#include "plugwatch/detect/power_state.h"
#include "plugwatch/engine/device_monitor.h"

namespace plugwatch::engine {

class PowerWatch;
class Service;

// What one site's power is, from its quorum and its heartbeat labels: off
// when any of them says off (since the earliest of those outages), on when
// at least one says on (since the latest return), else unknown.
struct SitePower {
  detect::PowerState state = detect::PowerState::kUnknown;
  std::optional<TimePoint> since;

  void Add(detect::PowerState s, std::optional<TimePoint> t);
};

struct PowerLine {
  std::string site;
  std::string label;  // "" for the site as a whole
  detect::PowerState state = detect::PowerState::kUnknown;
  std::optional<TimePoint> since;
};

struct DeviceLine {
  std::string id;
  std::string name;
  std::string site;
  DeviceState state;
};

// The configured sites and every site PowerWatch knows (id order), then
// each heartbeat label (label order).
std::vector<PowerLine> PowerLines(const PowerWatch& power, const config::Config& cfg);

class LiveStatus {
 public:
  virtual ~LiveStatus() = default;
  virtual std::vector<PowerLine> Power() const = 0;
  virtual std::vector<DeviceLine> Devices() const = 0;  // id order
};

// Reads `service`, which must outlive the returned object.
std::unique_ptr<LiveStatus> MakeLiveStatus(const Service& service);

}  // namespace plugwatch::engine
