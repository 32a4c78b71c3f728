// Reading: what a driver reports after one poll of one device. Absent fields
// are std::nullopt (a heartbeat or HTTP probe only knows reachability). Values.
#pragma once

#include <optional>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch {

using DeviceId = std::string;

struct Reading {
  DeviceId device;
  TimePoint at{};
  bool reachable = false;
  std::optional<double> power_w;
  std::optional<double> voltage_v;
  std::optional<double> current_a;
  std::optional<double> device_energy_wh;  // the device's own counter (Tapo: today)
  std::optional<bool> relay_on;
  std::optional<Error> error;  // set when !reachable
  Duration latency{0};         // time the poll took
};

}  // namespace plugwatch
