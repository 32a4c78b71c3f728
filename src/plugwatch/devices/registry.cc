#include <fmt/format.h>

#include "plugwatch/devices/driver.h"
#include "plugwatch/devices/probe_driver.h"
#include "plugwatch/devices/tapo/p110_driver.h"

namespace plugwatch::devices {

Result<std::unique_ptr<Driver>> MakeDriver(const DeviceSpec& spec, const DriverContext& ctx) {
  if (spec.kind == "tapo") return tapo::MakeP110Driver(spec, ctx);
  if (spec.kind == "http" || spec.kind == "tcp") return MakeProbeDriver(spec, ctx);
  return Fail(
      Errc::kInvalidArgument,
      fmt::format("device '{}': unknown kind '{}' — use tapo, http or tcp", spec.id, spec.kind));
}

}  // namespace plugwatch::devices
