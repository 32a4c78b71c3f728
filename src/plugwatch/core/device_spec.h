// DeviceSpec: what a device is, as the config file, the CLI (`device add`)
// and the REST API define it, and as the store keeps it. Values.
#pragma once

#include <optional>
#include <string>

#include "plugwatch/core/clock.h"

namespace plugwatch {

// Appliance cycle detection (see detect/activity_detector.h). A cycle starts
// when power stays above start_above_w for start_delay and ends when it stays
// below stop_below_w for stop_delay; a pause shorter than stop_delay is part of
// the cycle.
struct ActivitySettings {
  double start_above_w = 5.0;
  Duration start_delay{10'000};
  double stop_below_w = 2.0;
  Duration stop_delay{180'000};
  double price_per_kwh = 0.0;
  std::string currency;  // shown next to cost, e.g. "€"; empty = none

  bool operator==(const ActivitySettings&) const = default;
};

struct DeviceSpec {
  std::string id;        // [a-z0-9_-]+, stable
  std::string name;      // human name; defaults to id
  std::string kind;      // "tapo" | "http" | "tcp"
  std::string address;   // host[:port]
  std::string username;  // secret-ish: the Tapo cloud e-mail
  std::string password;  // secret: never logged or returned
  std::string site = "home";
  std::string protocol = "auto";  // tapo: "auto" | "klap" | "passthrough"
  bool enabled = true;
  std::optional<Duration> poll_interval;     // unset = [defaults].poll_interval
  std::optional<ActivitySettings> activity;  // unset = no cycle detection
  bool in_quorum = true;                     // counts towards its site's outage quorum

  bool operator==(const DeviceSpec&) const = default;
};

}  // namespace plugwatch
