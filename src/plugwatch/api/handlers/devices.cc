// /api/devices: list, read, create, change and delete devices. Changes go to
// the store; the service picks them up within a second.
#include <fmt/format.h>

#include <boost/json/parse.hpp>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/config/config.h"
#include "plugwatch/core/device_spec_json.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

namespace json = boost::json;
using Awaitable = boost::asio::awaitable<net::HttpResponse>;

json::object DeviceJson(const store::StoredDevice& d, const engine::Service& service) {
  json::object o = ToJson(d.spec);
  o["source"] = d.source;
  json::object st;
  auto s = service.State(d.spec.id);
  auto opt = [](const auto& v) -> json::value {
    return v ? json::value(*v) : json::value(nullptr);
  };
  st["reachable"] = s ? opt(s->reachable) : json::value(nullptr);
  st["on"] = s ? opt(s->on) : json::value(nullptr);
  st["power_w"] = s ? opt(s->power_w) : json::value(nullptr);
  st["activity"] = s ? json::value(s->activity) : json::value(nullptr);
  st["since"] = s && s->since ? json::value(FormatTimestamp(*s->since)) : json::value(nullptr);
  st["last_reading_at"] = s && s->last_reading_at
                              ? json::value(FormatTimestamp(*s->last_reading_at))
                              : json::value(nullptr);
  st["energy_wh"] = s ? json::value(s->lifetime_energy_wh) : json::value(nullptr);
  o["state"] = std::move(st);
  return o;
}

// Applies the fields present in `o` to `spec`. Fails with kInvalidArgument
// naming the field and the expected type.
Result<void> ApplyFields(const json::object& o, DeviceSpec& spec, bool creating) {
  auto type_error = [](std::string_view key, std::string_view want) {
    return Fail(Errc::kInvalidArgument, fmt::format("{}: must be {}", key, want));
  };
  for (const auto& [key, value] : o) {
    auto str = [&](std::string& out) -> Result<void> {
      if (!value.is_string()) return type_error(key, "a string");
      out = std::string(value.as_string());
      return {};
    };
    Result<void> r;
    if (key == "id") {
      if (!creating) {
        if (!value.is_string() || value.as_string() != spec.id)
          return Fail(Errc::kInvalidArgument, "id: cannot be changed — delete and add the device");
        continue;
      }
      r = str(spec.id);
    } else if (key == "name")
      r = str(spec.name);
    else if (key == "kind")
      r = str(spec.kind);
    else if (key == "address")
      r = str(spec.address);
    else if (key == "username")
      r = str(spec.username);
    else if (key == "password")
      r = str(spec.password);
    else if (key == "site")
      r = str(spec.site);
    else if (key == "protocol")
      r = str(spec.protocol);
    else if (key == "enabled") {
      if (!value.is_bool()) return type_error(key, "true or false");
      spec.enabled = value.as_bool();
    } else if (key == "in_quorum") {
      if (!value.is_bool()) return type_error(key, "true or false");
      spec.in_quorum = value.as_bool();
    } else if (key == "poll_interval") {
      if (value.is_null()) {
        spec.poll_interval.reset();
        continue;
      }
      if (!value.is_string()) return type_error(key, "a duration string such as \"5s\"");
      auto d = ParseDuration(value.as_string());
      if (!d)
        return Fail(Errc::kInvalidArgument, fmt::format("poll_interval: {}", d.error().context));
      spec.poll_interval = *d;
    } else if (key == "activity") {
      if (value.is_null()) {
        spec.activity.reset();
        continue;
      }
      if (!value.is_object()) return type_error(key, "an object or null");
      ActivitySettings a = spec.activity.value_or(ActivitySettings{});
      for (const auto& [k, v] : value.as_object()) {
        const std::string path = fmt::format("activity.{}", std::string_view(k));
        auto num = [&](double& out) -> Result<void> {
          if (!v.is_number()) return type_error(path, "a number");
          out = v.to_number<double>();
          return {};
        };
        auto dur = [&](Duration& out) -> Result<void> {
          if (!v.is_string()) return type_error(path, "a duration string such as \"3m\"");
          auto d = ParseDuration(v.as_string());
          if (!d)
            return Fail(Errc::kInvalidArgument, fmt::format("{}: {}", path, d.error().context));
          out = *d;
          return {};
        };
        Result<void> ar;
        if (k == "start_above_w")
          ar = num(a.start_above_w);
        else if (k == "stop_below_w")
          ar = num(a.stop_below_w);
        else if (k == "price_per_kwh")
          ar = num(a.price_per_kwh);
        else if (k == "start_delay")
          ar = dur(a.start_delay);
        else if (k == "stop_delay")
          ar = dur(a.stop_delay);
        else if (k == "currency") {
          if (!v.is_string()) return type_error(path, "a string");
          a.currency = std::string(v.as_string());
        } else {
          return Fail(Errc::kInvalidArgument, fmt::format("{}: unknown field", path));
        }
        if (!ar) return ar;
      }
      spec.activity = a;
    } else {
      return Fail(Errc::kInvalidArgument,
                  fmt::format("{}: unknown field — see /api/openapi.json for the device fields",
                              std::string_view(key)));
    }
    if (!r) return r;
  }
  return {};
}

Result<json::object> ParseBody(const net::HttpRequest& req) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec)
    return Fail(Errc::kParse,
                fmt::format("malformed JSON body: {} — send a JSON object", ec.message()));
  if (!v.is_object()) return Fail(Errc::kInvalidArgument, "the body must be a JSON object");
  return std::move(v.as_object());
}

}  // namespace

void AddDeviceRoutes(Router& r, ApiContext& ctx) {
  r.Add("GET", "/api/devices", [&ctx](net::HttpRequest&, const Params&) -> Awaitable {
    auto list = ctx.service.store().ListDevices();
    if (!list) co_return ErrorResponse(list.error());
    json::array out;
    for (const auto& d : *list) out.push_back(DeviceJson(d, ctx.service));
    co_return Json(out);
  });
  r.Add("GET", "/api/devices/{id}", [&ctx](net::HttpRequest&, const Params& p) -> Awaitable {
    auto d = ctx.service.store().GetDevice(p.at("id"));
    if (!d) co_return ErrorResponse(d.error());
    if (!*d) co_return ErrorResponse(UnknownDevice(p.at("id")));
    co_return Json(DeviceJson(**d, ctx.service));
  });
  r.Add("POST", "/api/devices",
        RequireToken(ctx, [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
          auto body = ParseBody(req);
          if (!body) co_return ErrorResponse(body.error());
          DeviceSpec spec;
          if (auto a = ApplyFields(*body, spec, true); !a) co_return ErrorResponse(a.error());
          config::FillDeviceDefaults(spec);
          if (auto v = config::ValidateDevice(spec, "device"); !v)
            co_return ErrorResponse(v.error());
          if (auto a = ctx.service.store().AddDevice(spec, "api"); !a)
            co_return ErrorResponse(a.error());
          auto stored = ctx.service.store().GetDevice(spec.id);
          if (!stored || !*stored)
            co_return ErrorResponse(MakeError(Errc::kInternal, "device vanished after adding"));
          co_return Json(201, DeviceJson(**stored, ctx.service));
        }));
  r.Add("PATCH", "/api/devices/{id}",
        RequireToken(ctx, [&ctx](net::HttpRequest& req, const Params& p) -> Awaitable {
          auto body = ParseBody(req);
          if (!body) co_return ErrorResponse(body.error());
          auto d = ctx.service.store().GetDevice(p.at("id"));
          if (!d) co_return ErrorResponse(d.error());
          if (!*d) co_return ErrorResponse(UnknownDevice(p.at("id")));
          DeviceSpec spec = (*d)->spec;
          if (auto a = ApplyFields(*body, spec, false); !a) co_return ErrorResponse(a.error());
          config::FillDeviceDefaults(spec);
          if (auto v = config::ValidateDevice(spec, "device"); !v)
            co_return ErrorResponse(v.error());
          if (auto u = ctx.service.store().UpsertDevice(spec, (*d)->source); !u)
            co_return ErrorResponse(u.error());
          auto stored = ctx.service.store().GetDevice(spec.id);
          if (!stored || !*stored)
            co_return ErrorResponse(MakeError(Errc::kInternal, "device vanished after changing"));
          co_return Json(DeviceJson(**stored, ctx.service));
        }));
  r.Add("DELETE", "/api/devices/{id}",
        RequireToken(ctx, [&ctx](net::HttpRequest&, const Params& p) -> Awaitable {
          if (auto d = ctx.service.store().RemoveDevice(p.at("id")); !d)
            co_return ErrorResponse(d.error().Is(Errc::kNotFound) ? UnknownDevice(p.at("id"))
                                                                  : d.error());
          net::HttpResponse res;
          res.status = 204;
          co_return res;
        }));
}

}  // namespace plugwatch::api
