// FleetFault: a fault an emulated device answers with instead of its normal
// answer, set per device at run time (control API `POST /devices/N/fault`)
// to test how clients cope. Shared by every fleet (Tapo plugs, HTTP probe
// targets). Pure.
#pragma once

#include <optional>
#include <string_view>

#include "plugwatch/net/http_message.h"

namespace plugwatch::sim {

enum class FleetFault {
  kNone,
  kHang,     // never answer: clients time out
  kGarbage,  // 200 with 64 bytes of junk
  kHttp500,  // 500, empty body
};

// "none", "hang", "garbage", "http500"; nullopt for other names.
std::optional<FleetFault> ParseFleetFault(std::string_view name);
std::string_view FleetFaultName(FleetFault f);

// The answer a device with this fault gives; nullopt for kNone (answer
// normally).
std::optional<net::HttpResponse> FaultResponse(FleetFault f);

}  // namespace plugwatch::sim
