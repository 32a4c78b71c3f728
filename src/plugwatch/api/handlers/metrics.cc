// GET /metrics: Prometheus text format. Names and units follow Prometheus
// conventions (base units, _total counters); labels are device, site, label,
// cause and type only — never readings, errors or other unbounded values.
// Counters count since the process started (Prometheus handles the resets).
#include <map>
#include <memory>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/metrics_text.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

using Awaitable = boost::asio::awaitable<net::HttpResponse>;

// What the bus has carried since start.
struct Counts {
  std::map<std::string, long long, std::less<>> events;             // by type
  std::map<std::pair<std::string, std::string>, long long> cycles;  // by (device, site)
};

std::string Render(engine::Service& service, const Counts& counts) {
  MetricsText m;
  struct Row {
    const DeviceSpec* spec;
    engine::DeviceState state;
  };
  std::vector<Row> rows;
  service.ForEachDevice([&](const DeviceSpec& spec, const engine::DeviceState& st) {
    rows.push_back({&spec, st});
  });
  auto per_device = [&](std::string_view name, std::string_view type, std::string_view help,
                        auto value) {
    m.Family(name, type, help);
    for (const auto& r : rows)
      if (auto v = value(r.state))
        m.Sample(name, {{"device", r.spec->id}, {"site", r.spec->site}}, *v);
  };
  per_device("plugwatch_power_watts", "gauge", "Power the device draws now, in watts.",
             [](const engine::DeviceState& s) { return s.power_w; });
  per_device("plugwatch_energy_joules_total", "counter",
             "Energy used since plugwatch started counting for this device, in joules.",
             [](const engine::DeviceState& s) {
               return std::optional<double>(s.lifetime_energy_wh * 3600.0);
             });
  per_device("plugwatch_relay_on", "gauge", "1 when the plug's relay is on, 0 when off.",
             [](const engine::DeviceState& s) -> std::optional<double> {
               if (!s.on) return std::nullopt;
               return *s.on ? 1.0 : 0.0;
             });
  per_device("plugwatch_device_up", "gauge",
             "1 when the device answers its polls (after confirm_checks), 0 when not.",
             [](const engine::DeviceState& s) -> std::optional<double> {
               if (!s.reachable) return std::nullopt;
               return *s.reachable ? 1.0 : 0.0;
             });

  m.Family("plugwatch_cycles_total", "counter", "Appliance cycles finished since start.");
  for (const auto& r : rows) {
    auto it = counts.cycles.find({r.spec->id, r.spec->site});
    m.Sample("plugwatch_cycles_total", {{"device", r.spec->id}, {"site", r.spec->site}},
             it == counts.cycles.end() ? 0.0 : static_cast<double>(it->second));
  }

  const auto& power = service.power();
  m.Family("plugwatch_heartbeat_last_seen_timestamp_seconds", "gauge",
           "When the server last received a heartbeat of the label, in unix seconds.");
  for (const auto& [label, w] : power.labels())
    if (auto t = w.last_heartbeat_at())
      m.Sample("plugwatch_heartbeat_last_seen_timestamp_seconds",
               {{"label", label}, {"site", w.site()}},
               static_cast<double>(UnixMillis(*t)) / 1000.0);
  m.Family("plugwatch_outage_active", "gauge",
           "1 while a power outage of the site (cause quorum) or label (cause heartbeat) goes on.");
  for (const auto& [label, w] : power.labels())
    if (w.state() != detect::PowerState::kUnknown)
      m.Sample("plugwatch_outage_active",
               {{"site", w.site()}, {"label", label}, {"cause", "heartbeat"}},
               w.state() == detect::PowerState::kDown ? 1 : 0);
  for (const auto& [site, q] : power.sites())
    if (q.state() != detect::PowerState::kUnknown)
      m.Sample("plugwatch_outage_active", {{"site", site}, {"label", ""}, {"cause", "quorum"}},
               q.state() == detect::PowerState::kDown ? 1 : 0);

  const auto& ps = service.poller().stats();
  m.Family("plugwatch_polls_total", "counter", "Device polls completed.");
  m.Sample("plugwatch_polls_total", {}, static_cast<double>(ps.polls));
  m.Family("plugwatch_poll_failures_total", "counter", "Device polls that failed.");
  m.Sample("plugwatch_poll_failures_total", {}, static_cast<double>(ps.failures));
  m.Family("plugwatch_polls_late_total", "counter",
           "Polls that started more than one interval after their slot.");
  m.Sample("plugwatch_polls_late_total", {}, static_cast<double>(ps.late));
  m.Family("plugwatch_poll_duration_seconds", "histogram", "How long device polls took.");
  m.Histogram(
      "plugwatch_poll_duration_seconds", {},
      {engine::PollerStats::kDurationBounds.begin(), engine::PollerStats::kDurationBounds.end()},
      {ps.duration_le.begin(), ps.duration_le.end()}, ps.polls, ps.duration_sum_s);

  m.Family("plugwatch_events_total", "counter", "Events recorded since start, by type.");
  for (const auto& [type, n] : counts.events)
    m.Sample("plugwatch_events_total", {{"type", type}}, static_cast<double>(n));
  return m.text();
}

}  // namespace

void AddMetricsRoutes(Router& r, ApiContext& ctx) {
  auto counts = std::make_shared<Counts>();
  for (EventType t : {EventType::kDeviceActive, EventType::kCycleFinished,
                      EventType::kDeviceOffline, EventType::kDeviceOnline, EventType::kPowerLost,
                      EventType::kPowerRestored, EventType::kSwitchedOn, EventType::kSwitchedOff})
    counts->events[std::string(ToString(t))] = 0;
  ctx.service.bus().OnEvent([counts](const Event& e) {
    ++counts->events[std::string(ToString(e.type))];
    if (e.type == EventType::kCycleFinished) ++counts->cycles[{e.device, e.site}];
  });
  r.Add("GET", "/metrics", [&ctx, counts](net::HttpRequest&, const Params&) -> Awaitable {
    net::HttpResponse res;
    res.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    res.body = Render(ctx.service, *counts);
    if (ctx.extra_metrics) res.body += ctx.extra_metrics();
    co_return res;
  });
}

}  // namespace plugwatch::api
