// /api/events, /api/cycles, /api/readings: what happened, from the store.
#include <fmt/format.h>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

namespace json = boost::json;
using Awaitable = boost::asio::awaitable<net::HttpResponse>;

Result<TimePoint> Since(const ApiContext& ctx, const net::HttpRequest& req) {
  return SinceParam(req, ctx.clock.Now());
}

}  // namespace

void AddHistoryRoutes(Router& r, ApiContext& ctx) {
  r.Add("GET", "/api/events", [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
    auto since = Since(ctx, req);
    if (!since) co_return ErrorResponse(since.error());
    store::EventQuery q;
    q.since = *since;
    if (auto t = req.QueryParam("type")) {
      q.type = ParseEventType(*t);
      if (!q.type)
        co_return ErrorResponse(MakeError(
            Errc::kInvalidArgument,
            fmt::format("type: unknown event type '{}' — see docs/events.md for the types", *t)));
    }
    if (auto d = req.QueryParam("device")) q.device = *d;
    auto limit = NumberParam(req, "limit", 1000, 1, 100000);
    if (!limit) co_return ErrorResponse(limit.error());
    q.limit = static_cast<int>(*limit);
    auto events = ctx.service.store().QueryEvents(q);
    if (!events) co_return ErrorResponse(events.error());
    json::array out;
    for (const auto& e : *events) out.push_back(ToJson(e));
    co_return Json(out);
  });

  r.Add("GET", "/api/cycles", [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
    auto since = Since(ctx, req);
    if (!since) co_return ErrorResponse(since.error());
    auto cycles = ctx.service.store().QueryCycles(*since, req.QueryParam("device"));
    if (!cycles) co_return ErrorResponse(cycles.error());
    json::array out;
    for (const auto& c : *cycles)
      out.push_back(json::object{{"device", c.device},
                                 {"site", c.site},
                                 {"started_at", FormatTimestamp(c.started_at)},
                                 {"ended_at", FormatTimestamp(c.ended_at)},
                                 {"duration_s", c.duration_s},
                                 {"energy_wh", c.energy_wh},
                                 {"peak_w", c.peak_w},
                                 {"cost", c.cost}});
    co_return Json(out);
  });

  r.Add("GET", "/api/readings", [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
    auto device = req.QueryParam("device");
    if (!device || device->empty())
      co_return ErrorResponse(MakeError(
          Errc::kInvalidArgument, "device: required — e.g. /api/readings?device=washer&hours=24"));
    // A typo must not look like a device that never used power.
    auto known = ctx.service.store().GetDevice(*device);
    if (!known) co_return ErrorResponse(known.error());
    if (!*known) co_return ErrorResponse(UnknownDevice(*device));
    auto since = Since(ctx, req);
    if (!since) co_return ErrorResponse(since.error());
    auto points = NumberParam(req, "points", 1000, 1, 100000);
    if (!points) co_return ErrorResponse(points.error());
    auto rows = ctx.service.store().QueryReadings(*device, *since, ctx.clock.Now(),
                                                  static_cast<int>(*points));
    if (!rows) co_return ErrorResponse(rows.error());
    json::array out;
    for (const auto& p : *rows) {
      json::object o;
      o["ts"] = FormatTimestamp(p.ts);
      o["power_w"] = p.power_w ? json::value(*p.power_w) : json::value(nullptr);
      o["energy_wh"] = p.energy_wh ? json::value(*p.energy_wh) : json::value(nullptr);
      o["on"] = p.on ? json::value(*p.on) : json::value(nullptr);
      if (p.max_power_w) o["max_power_w"] = *p.max_power_w;
      out.push_back(std::move(o));
    }
    co_return Json(out);
  });
}

}  // namespace plugwatch::api
