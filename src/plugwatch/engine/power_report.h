// Power reports: outages and uptime statistics per site and heartbeat label,
// over any window, in the one JSON form shared by the REST API
// (/api/outages, /api/statistics, /api/status) and the CLI (`plugwatch
// outages`, `plugwatch stats`). Reads the store; no live state, so another
// process can report on a running service's database.
//
// Decisions:
//  - Outage durations are clipped to the window: an outage that began before
//    it counts from the window's start, an ongoing one until its end. Uptime
//    is 100 × (1 − outage time / window length).
//  - Checks: a site's are the polls of its quorum devices (failed: polls that
//    failed); a label's are its expected heartbeats: those received plus
//    those missed during its outages (one per period of outage time), and
//    the missed ones are its failed checks. Checks are counted per hour, so
//    a window includes the counts of every hour it touches.
//  - Scopes reported: the configured sites and labels, plus any site or
//    label that has outages in the window or devices in the store.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/core/error.h"
#include "plugwatch/store/store.h"

namespace plugwatch::engine {

struct OutageStats {
  std::string site;
  std::string label;  // "" for a site's quorum statistics
  long long checks = 0;
  long long failed_checks = 0;
  int outages = 0;
  double total_outage_s = 0;
  double mean_outage_s = 0;
  double longest_outage_s = 0;
  double uptime_pct = 100;
};

// Pure: the outages of one scope over [since, until]; checks are left as 0.
OutageStats Summarize(const std::vector<store::OutageRecord>& outages, TimePoint since,
                      TimePoint until);

struct StatisticsReport {
  TimePoint since{};
  TimePoint until{};
  std::vector<OutageStats> sites;
  std::vector<OutageStats> labels;
};

Result<StatisticsReport> ComputeStatistics(store::Store& store, const config::Config& cfg,
                                           TimePoint since, TimePoint until);

// {"since","until","hours","sites":[…],"heartbeats":[…]} (docs/api.md).
boost::json::object ToJson(const StatisticsReport& r);
boost::json::object ToJson(const OutageStats& s);
// {"id","site","label","cause","started_at","ended_at","duration_s","ongoing","devices"};
// an ongoing outage's duration runs until `now`.
boost::json::object ToJson(const store::OutageRecord& o, TimePoint now);

}  // namespace plugwatch::engine
