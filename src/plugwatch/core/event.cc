#include "plugwatch/core/event.h"

#include <array>
#include <utility>

#include "plugwatch/core/time.h"

namespace plugwatch {
namespace {

constexpr std::array<std::pair<EventType, std::string_view>, 8> kNames{{
    {EventType::kDeviceActive, "device_active"},
    {EventType::kCycleFinished, "cycle_finished"},
    {EventType::kDeviceOffline, "device_offline"},
    {EventType::kDeviceOnline, "device_online"},
    {EventType::kPowerLost, "power_lost"},
    {EventType::kPowerRestored, "power_restored"},
    {EventType::kSwitchedOn, "switched_on"},
    {EventType::kSwitchedOff, "switched_off"},
}};

}  // namespace

std::string_view ToString(EventType t) {
  for (auto& [type, name] : kNames)
    if (type == t) return name;
  return "unknown";
}

std::optional<EventType> ParseEventType(std::string_view s) {
  for (auto& [type, name] : kNames)
    if (name == s) return type;
  return std::nullopt;
}

boost::json::value ToJson(const Event& e) {
  boost::json::object o;
  o["id"] = e.id;
  o["ts"] = FormatTimestamp(e.ts);
  o["type"] = ToString(e.type);
  o["device"] = e.device;
  o["site"] = e.site;
  o["data"] = e.data;
  return o;
}

Result<Event> EventFromJson(const boost::json::value& v) {
  const auto* o = v.if_object();
  if (!o) return Fail(Errc::kParse, "event: expected a JSON object");
  Event e;
  auto str = [&](const char* key) -> const boost::json::string* {
    auto* f = o->if_contains(key);
    return f ? f->if_string() : nullptr;
  };
  if (auto* id = o->if_contains("id"); id && id->is_int64()) e.id = id->as_int64();
  auto* ts = str("ts");
  auto* type = str("type");
  if (!ts || !type) return Fail(Errc::kParse, "event: 'ts' and 'type' must be strings");
  auto t = ParseTimestamp(*ts);
  if (!t) return Fail(t.error());
  e.ts = *t;
  auto et = ParseEventType(*type);
  if (!et) return Fail(Errc::kParse, "event: unknown type '" + std::string(*type) + "'");
  e.type = *et;
  if (auto* d = str("device")) e.device = *d;
  if (auto* s = str("site")) e.site = *s;
  if (auto* d = o->if_contains("data"); d && d->is_object()) e.data = d->as_object();
  return e;
}

}  // namespace plugwatch
