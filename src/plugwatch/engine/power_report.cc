#include "plugwatch/engine/power_report.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>
#include <set>

#include "plugwatch/core/time.h"

namespace plugwatch::engine {
namespace {

double Round(double v, double unit) { return std::round(v / unit) * unit; }

std::vector<store::OutageRecord> Scope(const std::vector<store::OutageRecord>& all,
                                       const std::string& site, const std::string& label) {
  std::vector<store::OutageRecord> out;
  for (const auto& o : all)
    if (label.empty() ? (o.cause == "quorum" && o.site == site) : o.label == label)
      out.push_back(o);
  return out;
}

}  // namespace

OutageStats Summarize(const std::vector<store::OutageRecord>& outages, TimePoint since,
                      TimePoint until) {
  OutageStats s;
  const double window = Seconds(until - since);
  for (const auto& o : outages) {
    const TimePoint from = std::max(o.started_at, since);
    const TimePoint to = std::min(o.ended_at.value_or(until), until);
    if (to < from || (to == from && o.ended_at)) continue;  // outside the window
    const double d = Seconds(to - from);
    ++s.outages;
    s.total_outage_s += d;
    s.longest_outage_s = std::max(s.longest_outage_s, d);
  }
  if (s.outages > 0) s.mean_outage_s = s.total_outage_s / s.outages;
  if (window > 0) s.uptime_pct = std::clamp(100.0 * (1.0 - s.total_outage_s / window), 0.0, 100.0);
  return s;
}

Result<StatisticsReport> ComputeStatistics(store::Store& store, const config::Config& cfg,
                                           TimePoint since, TimePoint until) {
  auto outages = store.QueryOutages(since, false);
  if (!outages) return Fail(outages.error());
  auto devices = store.ListDevices();
  if (!devices) return Fail(devices.error());

  std::set<std::string> sites;
  for (const auto& s : cfg.sites) sites.insert(s.id);
  for (const auto& d : *devices)
    if (d.spec.in_quorum) sites.insert(d.spec.site);
  std::map<std::string, const config::HeartbeatConfig*> labels;
  for (const auto& hb : cfg.heartbeats) labels[hb.label] = &hb;
  for (const auto& o : *outages) {
    if (o.cause == "quorum") sites.insert(o.site);
    if (!o.label.empty()) labels.try_emplace(o.label, nullptr);
  }

  StatisticsReport r;
  r.since = since;
  r.until = until;
  for (const auto& site : sites) {
    OutageStats s = Summarize(Scope(*outages, site, ""), since, until);
    s.site = site;
    auto checks = store.QueryChecks("site", site, since, until);
    if (!checks) return Fail(checks.error());
    s.checks = checks->checks;
    s.failed_checks = checks->failures;
    r.sites.push_back(std::move(s));
  }
  for (const auto& [label, hb] : labels) {
    auto scoped = Scope(*outages, "", label);
    OutageStats s = Summarize(scoped, since, until);
    s.label = label;
    s.site = hb ? hb->site : (scoped.empty() ? "" : scoped.front().site);
    auto checks = store.QueryChecks("label", label, since, until);
    if (!checks) return Fail(checks.error());
    if (hb && hb->period > Duration::zero())
      s.failed_checks = static_cast<long long>(s.total_outage_s / Seconds(hb->period));
    s.checks = checks->checks + s.failed_checks;
    r.labels.push_back(std::move(s));
  }
  return r;
}

boost::json::object ToJson(const OutageStats& s) {
  boost::json::object o;
  o["site"] = s.site;
  if (!s.label.empty()) o["label"] = s.label;
  o["checks"] = s.checks;
  o["failed_checks"] = s.failed_checks;
  o["outages"] = s.outages;
  o["total_outage_s"] = Round(s.total_outage_s, 0.001);
  o["mean_outage_s"] = Round(s.mean_outage_s, 0.001);
  o["longest_outage_s"] = Round(s.longest_outage_s, 0.001);
  o["uptime_pct"] = Round(s.uptime_pct, 0.0001);
  return o;
}

boost::json::object ToJson(const StatisticsReport& r) {
  boost::json::object o;
  o["since"] = FormatTimestamp(r.since);
  o["until"] = FormatTimestamp(r.until);
  o["hours"] = Round(Seconds(r.until - r.since) / 3600.0, 0.001);
  boost::json::array sites, labels;
  for (const auto& s : r.sites) sites.push_back(ToJson(s));
  for (const auto& s : r.labels) labels.push_back(ToJson(s));
  o["sites"] = std::move(sites);
  o["heartbeats"] = std::move(labels);
  return o;
}

boost::json::object ToJson(const store::OutageRecord& o, TimePoint now) {
  boost::json::object j;
  j["id"] = o.id;
  j["site"] = o.site;
  if (o.label.empty())
    j["label"] = nullptr;
  else
    j["label"] = o.label;
  j["cause"] = o.cause;
  j["started_at"] = FormatTimestamp(o.started_at);
  if (o.ended_at)
    j["ended_at"] = FormatTimestamp(*o.ended_at);
  else
    j["ended_at"] = nullptr;
  j["duration_s"] = Round(NonNegativeSeconds(o.ended_at.value_or(now) - o.started_at), 0.001);
  j["ongoing"] = !o.ended_at;
  boost::json::array devices;
  for (const auto& d : o.devices) devices.emplace_back(d);
  j["devices"] = std::move(devices);
  return j;
}

}  // namespace plugwatch::engine
