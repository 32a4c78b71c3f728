// POST /api/devices/{id}/check, /on, /off: poll a device now, switch a plug.
// Writes: they need the API token.
#include <fmt/format.h>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

namespace json = boost::json;
using Awaitable = boost::asio::awaitable<net::HttpResponse>;

json::value Opt(const std::optional<double>& v) { return v ? json::value(*v) : json::value(); }

json::object ReadingJson(const Reading& r) {
  json::object o{{"ts", FormatTimestamp(r.at)},    {"reachable", r.reachable},
                 {"power_w", Opt(r.power_w)},      {"voltage_v", Opt(r.voltage_v)},
                 {"current_a", Opt(r.current_a)},  {"device_energy_wh", Opt(r.device_energy_wh)},
                 {"latency_ms", r.latency.count()}};
  o["on"] = r.relay_on ? json::value(*r.relay_on) : json::value();
  return o;
}

// The device did not answer: the device is the upstream that failed.
net::HttpResponse DeviceError(const std::string& id, const Error& e) {
  const int status = e.Is(Errc::kTimeout) ? 504 : 502;
  return Json(status, json::object{{"error", fmt::format("device '{}': {}", id, e.context)}});
}

bool DeviceFailure(const Error& e) {
  for (Errc c : {Errc::kTimeout, Errc::kUnavailable, Errc::kProtocol, Errc::kSessionExpired,
                 Errc::kUnauthorized})
    if (e.Is(c)) return true;
  return false;
}

}  // namespace

void AddControlRoutes(Router& r, ApiContext& ctx) {
  r.Add("POST", "/api/devices/{id}/check",
        RequireToken(ctx, [&ctx](net::HttpRequest&, const Params& p) -> Awaitable {
          const std::string id = p.at("id");
          auto reading = co_await ctx.service.CheckNow(id);
          if (!reading) {
            if (DeviceFailure(reading.error())) co_return DeviceError(id, reading.error());
            co_return ErrorResponse(reading.error());
          }
          co_return Json(json::object{{"device", id}, {"reading", ReadingJson(*reading)}});
        }));
  for (bool on : {true, false}) {
    r.Add("POST", on ? "/api/devices/{id}/on" : "/api/devices/{id}/off",
          RequireToken(ctx, [&ctx, on](net::HttpRequest&, const Params& p) -> Awaitable {
            const std::string id = p.at("id");
            auto done = co_await ctx.service.Switch(id, on, "api");
            if (!done) {
              if (DeviceFailure(done.error())) co_return DeviceError(id, done.error());
              co_return ErrorResponse(done.error());
            }
            co_return Json(json::object{{"device", id}, {"on", on}});
          }));
  }
}

}  // namespace plugwatch::api
