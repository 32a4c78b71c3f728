// Event: the product's vocabulary (device_active, cycle_finished, …) and its
// one stable JSON form, used by storage, API, notifications and brokers:
//   {"id":123,"ts":"2026-11-22T10:00:00.000Z","type":"cycle_finished",
//    "device":"washer","site":"home","data":{…}}
// Documented in docs/events.md. Values; safe to copy between threads.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch {

enum class EventType {
  kDeviceActive,
  kCycleFinished,
  kDeviceOffline,
  kDeviceOnline,
  kPowerLost,
  kPowerRestored,
  kSwitchedOn,
  kSwitchedOff,
};

std::string_view ToString(EventType t);
std::optional<EventType> ParseEventType(std::string_view s);

struct Event {
  long long id = 0;  // assigned by the store when the event is recorded; 0 before
  TimePoint ts{};
  EventType type = EventType::kDeviceActive;
  std::string device;  // empty for site-wide events (a heartbeat label's power_lost)
  std::string site;
  boost::json::object data;
};

inline Event MakeEvent(EventType type, TimePoint ts, std::string device, std::string site) {
  Event e;
  e.ts = ts;
  e.type = type;
  e.device = std::move(device);
  e.site = std::move(site);
  return e;
}

boost::json::value ToJson(const Event& e);
// Fails with kParse when a field is missing or has the wrong type.
Result<Event> EventFromJson(const boost::json::value& v);

}  // namespace plugwatch
