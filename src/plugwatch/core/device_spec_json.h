// The JSON form of a DeviceSpec shared by the CLI (`device list --json`) and
// the API: every field but the credentials, durations as strings ("5s"). Pure.
#pragma once

#include <boost/json/object.hpp>

#include "plugwatch/core/device_spec.h"

namespace plugwatch {

boost::json::object ToJson(const DeviceSpec& d);

}  // namespace plugwatch
