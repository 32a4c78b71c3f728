#include "plugwatch/engine/event_line.h"

#include <fmt/format.h>

#include "plugwatch/core/human.h"
#include "plugwatch/core/time.h"

namespace plugwatch::engine {
namespace {

double Number(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0.0;
}

std::string Text(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string DeviceList(const boost::json::object& o) {
  std::string out;
  if (auto* v = o.if_contains("devices"); v && v->is_array())
    for (const auto& d : v->as_array())
      if (d.is_string()) out += (out.empty() ? "" : ", ") + std::string(d.as_string());
  return out;
}

}  // namespace

std::string SummarizeEvent(const Event& e) {
  const auto& d = e.data;
  switch (e.type) {
    case EventType::kDeviceActive:
      return fmt::format("started, {}", HumanPower(Number(d, "power_w")));
    case EventType::kCycleFinished: {
      std::string s =
          fmt::format("finished after {}, {}, peak {}", HumanDuration(Number(d, "duration_s")),
                      HumanEnergy(Number(d, "energy_wh")), HumanPower(Number(d, "peak_w")));
      if (double cost = Number(d, "cost"); cost > 0) {
        std::string currency = Text(d, "currency");
        s += currency.empty() ? fmt::format(", cost {:.2f}", cost)
                              : fmt::format(", {:.2f} {}", cost, currency);
      }
      return s;
    }
    case EventType::kDeviceOffline:
      return fmt::format("offline: {}", Text(d, "error"));
    case EventType::kDeviceOnline:
      return fmt::format("online again after {}", HumanDuration(Number(d, "offline_for_s")));
    case EventType::kPowerLost:
      if (Text(d, "cause") == "heartbeat")
        return fmt::format("power lost — no heartbeat from {} since {}", Text(d, "label"),
                           Text(d, "last_heartbeat_at"));
      return fmt::format("power lost — {} of {} devices unreachable ({})", Number(d, "unreachable"),
                         Number(d, "total"), DeviceList(d));
    case EventType::kPowerRestored:
      return fmt::format("power restored after {} ({})", HumanDuration(Number(d, "was_off_for_s")),
                         Text(d, "cause") == "heartbeat" ? Text(d, "label") : "quorum");
    case EventType::kSwitchedOn:
    case EventType::kSwitchedOff:
      return fmt::format("switched {} ({})", e.type == EventType::kSwitchedOn ? "on" : "off",
                         Text(d, "source"));
  }
  return {};
}

std::string FormatEventLine(const Event& e) {
  return fmt::format("{}  {:<10} {:<15} {}", FormatTimestamp(e.ts),
                     e.device.empty() ? e.site : e.device, ToString(e.type), SummarizeEvent(e));
}

}  // namespace plugwatch::engine
