// Reachability probes: devices of kind "http" (any HTTP answer, even 404,
// means reachable) and "tcp" (a TCP connect succeeds). They report only
// reachability — no power, no relay — and feed the offline detector and,
// later, a site's outage quorum. Same threading as Driver.
#pragma once

#include <memory>

#include "plugwatch/devices/driver.h"

namespace plugwatch::devices {

// kind "http": GET / on host[:80]. kind "tcp": connect to host:port.
Result<std::unique_ptr<Driver>> MakeProbeDriver(const DeviceSpec& spec, const DriverContext& ctx);

}  // namespace plugwatch::devices
