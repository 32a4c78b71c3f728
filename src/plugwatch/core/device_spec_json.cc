#include "plugwatch/core/device_spec_json.h"

#include "plugwatch/core/time.h"

namespace plugwatch {

boost::json::object ToJson(const DeviceSpec& d) {
  boost::json::object o;
  o["id"] = d.id;
  o["name"] = d.name;
  o["kind"] = d.kind;
  o["address"] = d.address;
  o["site"] = d.site;
  o["enabled"] = d.enabled;
  if (d.poll_interval) o["poll_interval"] = FormatDuration(*d.poll_interval);
  if (d.activity) {
    const auto& a = *d.activity;
    o["activity"] = boost::json::object{
        {"start_above_w", a.start_above_w}, {"start_delay", FormatDuration(a.start_delay)},
        {"stop_below_w", a.stop_below_w},   {"stop_delay", FormatDuration(a.stop_delay)},
        {"price_per_kwh", a.price_per_kwh}, {"currency", a.currency}};
  }
  return o;
}

}  // namespace plugwatch
