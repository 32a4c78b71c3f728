// /api/outages, /api/status, /api/statistics: is the power on, and how often
// was it off. Shapes in docs/api.md; the computations in engine/power_report.h.
#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/live_status.h"
#include "plugwatch/engine/power_report.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

namespace json = boost::json;
using Awaitable = boost::asio::awaitable<net::HttpResponse>;
using detect::PowerState;

json::value Time(std::optional<TimePoint> t) {
  if (!t) return nullptr;
  return json::value(FormatTimestamp(*t));
}

std::string_view PowerText(PowerState s) {
  switch (s) {
    case PowerState::kUp:
      return "on";
    case PowerState::kDown:
      return "off";
    case PowerState::kUnknown:
      break;
  }
  return "unknown";
}

Result<json::object> Status(const ApiContext& ctx) {
  const TimePoint now = ctx.clock.Now();
  auto& service = ctx.service;
  const auto& power = service.power();

  json::object devices{{"total", 0}, {"online", 0}, {"offline", 0}, {"unknown", 0}};
  long long total = 0, online = 0, offline = 0;
  service.ForEachDevice([&](const DeviceSpec&, const engine::DeviceState& st) {
    ++total;
    if (st.reachable == true) ++online;
    if (st.reachable == false) ++offline;
  });
  devices["total"] = total;
  devices["online"] = online;
  devices["offline"] = offline;
  devices["unknown"] = total - online - offline;

  // Uptime over the last 24 h from the stored outages; no device list or
  // check counts, so this stays cheap with thousands of devices.
  const TimePoint day_ago = now - Duration(24LL * 3'600'000);
  auto outages = service.store().QueryOutages(day_ago, false);
  if (!outages) return Fail(outages.error());
  auto uptime = [&](const std::string& site, const std::string& label) {
    std::vector<store::OutageRecord> scoped;
    for (const auto& o : *outages)
      if (label.empty() ? (o.cause == "quorum" && o.site == site) : o.label == label)
        scoped.push_back(o);
    return engine::Summarize(scoped, day_ago, now).uptime_pct;
  };

  json::array sites;
  for (const engine::PowerLine& line : engine::PowerLines(power, service.config())) {
    if (!line.label.empty()) continue;  // the labels follow, with their heartbeat details
    json::value quorum = nullptr;
    if (auto it = power.sites().find(line.site); it != power.sites().end()) {
      const auto& q = it->second;
      quorum = json::object{
          {"unreachable", q.unreachable()}, {"total", q.tracked()}, {"threshold", q.quorum()}};
    }
    sites.push_back(json::object{{"id", line.site},
                                 {"power", PowerText(line.state)},
                                 {"since", Time(line.since)},
                                 {"quorum", std::move(quorum)},
                                 {"uptime_24h_pct", uptime(line.site, "")}});
  }

  json::array labels;
  for (const auto& [label, w] : power.labels())
    labels.push_back(json::object{{"label", label},
                                  {"site", w.site()},
                                  {"power", PowerText(w.state())},
                                  {"since", Time(w.since())},
                                  {"last_heartbeat_at", Time(w.last_heartbeat_at())},
                                  {"period_s", Seconds(w.period())},
                                  {"grace_s", Seconds(w.grace())},
                                  {"uptime_24h_pct", uptime(w.site(), label)}});

  json::array ongoing;
  for (const auto& o : *outages)
    if (!o.ended_at) ongoing.push_back(engine::ToJson(o, now));

  return json::object{{"ts", FormatTimestamp(now)},
                      {"devices", std::move(devices)},
                      {"sites", std::move(sites)},
                      {"heartbeats", std::move(labels)},
                      {"outages", std::move(ongoing)}};
}

}  // namespace

void AddPowerRoutes(Router& r, ApiContext& ctx) {
  r.Add("GET", "/api/outages", [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
    auto since = SinceParam(req, ctx.clock.Now());
    if (!since) co_return ErrorResponse(since.error());
    bool ongoing_only = false;
    if (auto v = req.QueryParam("ongoing_only")) {
      if (*v != "true" && *v != "false")
        co_return ErrorResponse(
            MakeError(Errc::kInvalidArgument,
                      fmt::format("ongoing_only must be true or false (got '{}')", *v)));
      ongoing_only = *v == "true";
    }
    auto outages = ctx.service.store().QueryOutages(*since, ongoing_only);
    if (!outages) co_return ErrorResponse(outages.error());
    const TimePoint now = ctx.clock.Now();
    json::array out;
    for (const auto& o : *outages) out.push_back(engine::ToJson(o, now));
    co_return Json(out);
  });

  r.Add("GET", "/api/status", [&ctx](net::HttpRequest&, const Params&) -> Awaitable {
    auto status = Status(ctx);
    if (!status) co_return ErrorResponse(status.error());
    co_return Json(*status);
  });

  r.Add("GET", "/api/statistics", [&ctx](net::HttpRequest& req, const Params&) -> Awaitable {
    const TimePoint now = ctx.clock.Now();
    auto since = SinceParam(req, now);
    if (!since) co_return ErrorResponse(since.error());
    auto report = engine::ComputeStatistics(ctx.service.store(), ctx.service.config(), *since, now);
    if (!report) co_return ErrorResponse(report.error());
    co_return Json(engine::ToJson(*report));
  });
}

}  // namespace plugwatch::api
