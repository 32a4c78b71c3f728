// `plugwatch outages` and `plugwatch stats`: power history from the database,
// the same figures as /api/outages and /api/statistics (engine/power_report.h).
#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/human.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/power_report.h"

namespace plugwatch::cli {
namespace {

struct HistoryArgs {
  DbOptions db;
  double hours = 24;
  bool json = false;

  void Add(CLI::App& cmd) {
    db.Add(cmd);
    cmd.add_option("--hours", hours, "how far back")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd.add_flag("--json", json, "print JSON (the REST API's form)");
  }
  TimePoint Since(TimePoint now) const {
    return now - Duration(static_cast<long long>(hours * 3'600'000));
  }
};

std::string Scope(const std::string& site, const std::string& label) {
  return label.empty() ? fmt::format("site {}", site) : fmt::format("{} ({})", label, site);
}

}  // namespace

void RegisterPower(CLI::App& app, Context&) {
  auto* outages = app.add_subcommand("outages", "list power outages, newest first");
  struct OutagesArgs : HistoryArgs {
    bool ongoing = false;
  };
  auto oa = std::make_shared<OutagesArgs>();
  oa->Add(*outages);
  outages->add_flag("--ongoing", oa->ongoing, "only outages that have not ended");
  outages->callback([oa] {
    const TimePoint now = SystemClock().Now();
    auto store = oa->db.OpenStore();
    auto rows = store->QueryOutages(oa->Since(now), oa->ongoing);
    if (!rows) Throw(rows.error());
    if (oa->json) {
      boost::json::array arr;
      for (const auto& o : *rows) arr.push_back(engine::ToJson(o, now));
      fmt::print("{}\n", boost::json::serialize(arr));
      return;
    }
    if (rows->empty()) {
      fmt::print("no outages in the last {} h\n", oa->hours);
      return;
    }
    for (const auto& o : *rows) {
      const double secs = NonNegativeSeconds(o.ended_at.value_or(now) - o.started_at);
      std::string devices;
      if (!o.devices.empty())
        devices = fmt::format(" — unreachable: {}", fmt::join(o.devices, ", "));
      fmt::print("{}  {:<20} {:<9} {}{}{}\n", FormatTimestamp(o.started_at), Scope(o.site, o.label),
                 o.cause, o.ended_at ? "off for " : "OFF for ", HumanDuration(secs),
                 o.ended_at ? devices : " so far" + devices);
    }
  });

  auto* stats = app.add_subcommand("stats", "uptime and outage statistics per site and label");
  auto sa = std::make_shared<HistoryArgs>();
  sa->Add(*stats);
  stats->callback([sa] {
    const TimePoint now = SystemClock().Now();
    auto store = sa->db.OpenStore();
    const auto& cfg = sa->db.LoadConfig();
    auto report =
        engine::ComputeStatistics(*store, cfg ? *cfg : config::Config{}, sa->Since(now), now);
    if (!report) Throw(report.error());
    if (sa->json) {
      fmt::print("{}\n", boost::json::serialize(engine::ToJson(*report)));
      return;
    }
    if (report->sites.empty() && report->labels.empty()) {
      fmt::print("nothing to report: no sites with probed devices and no heartbeat labels\n");
      return;
    }
    fmt::print("last {} h, since {}\n", sa->hours, FormatTimestamp(report->since));
    fmt::print("{:<24} {:>9} {:>7} {:>12} {:>12} {:>12} {:>9} {:>7}\n", "", "uptime", "outages",
               "total", "mean", "longest", "checks", "failed");
    auto row = [](const engine::OutageStats& s) {
      fmt::print("{:<24} {:>8.3f}% {:>7} {:>12} {:>12} {:>12} {:>9} {:>7}\n",
                 Scope(s.site, s.label), s.uptime_pct, s.outages, HumanDuration(s.total_outage_s),
                 HumanDuration(s.mean_outage_s), HumanDuration(s.longest_outage_s), s.checks,
                 s.failed_checks);
    };
    for (const auto& s : report->sites) row(s);
    for (const auto& s : report->labels) row(s);
  });
}

}  // namespace plugwatch::cli
