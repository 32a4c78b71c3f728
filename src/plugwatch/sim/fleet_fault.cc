#include "plugwatch/sim/fleet_fault.h"

namespace plugwatch::sim {

std::optional<FleetFault> ParseFleetFault(std::string_view name) {
  if (name == "none") return FleetFault::kNone;
  if (name == "hang") return FleetFault::kHang;
  if (name == "garbage") return FleetFault::kGarbage;
  if (name == "http500") return FleetFault::kHttp500;
  return std::nullopt;
}

std::string_view FleetFaultName(FleetFault f) {
  switch (f) {
    case FleetFault::kNone:
      return "none";
    case FleetFault::kHang:
      return "hang";
    case FleetFault::kGarbage:
      return "garbage";
    case FleetFault::kHttp500:
      return "http500";
  }
  return "none";
}

std::optional<net::HttpResponse> FaultResponse(FleetFault f) {
  net::HttpResponse out;
  switch (f) {
    case FleetFault::kNone:
      return std::nullopt;
    case FleetFault::kHang:
      out.hang = true;
      return out;
    case FleetFault::kGarbage:
      out.headers.emplace_back("Content-Type", "application/octet-stream");
      for (int i = 0; i < 64; ++i) out.body.push_back(static_cast<char>((i * 73 + 41) & 0xff));
      return out;
    case FleetFault::kHttp500:
      out.status = 500;
      return out;
  }
  return std::nullopt;
}

}  // namespace plugwatch::sim
