#include "plugwatch/engine/power_report.h"

#include <gtest/gtest.h>

namespace plugwatch::engine {
namespace {

using std::chrono::seconds;

constexpr long long kT0ms = 1'700'000'000'000LL - 1'700'000'000'000LL % 3'600'000;
TimePoint At(long long s) { return FromUnixMillis(kT0ms + s * 1000); }

store::OutageRecord Outage(std::string label, long long start, std::optional<long long> end) {
  store::OutageRecord o;
  o.site = "home";
  o.label = std::move(label);
  o.cause = o.label.empty() ? "quorum" : "heartbeat";
  o.started_at = At(start);
  if (end) o.ended_at = At(*end);
  return o;
}

TEST(Summarize, ClipsOutagesToTheWindow) {
  // Window [1000, 2000]: 900–1100 counts 100 s, 1500–1600 100 s, the ongoing
  // one from 1900 counts 100 s; 0–500 is outside.
  std::vector<store::OutageRecord> outages = {Outage("", 0, 500), Outage("", 900, 1100),
                                              Outage("", 1500, 1600), Outage("", 1900, {})};
  auto s = Summarize(outages, At(1000), At(2000));
  EXPECT_EQ(s.outages, 3);
  EXPECT_DOUBLE_EQ(s.total_outage_s, 300);
  EXPECT_DOUBLE_EQ(s.mean_outage_s, 100);
  EXPECT_DOUBLE_EQ(s.longest_outage_s, 100);
  EXPECT_DOUBLE_EQ(s.uptime_pct, 70);
}

TEST(Summarize, NoOutagesIsFullUptime) {
  auto s = Summarize({}, At(0), At(3600));
  EXPECT_EQ(s.outages, 0);
  EXPECT_DOUBLE_EQ(s.uptime_pct, 100);
  EXPECT_DOUBLE_EQ(s.mean_outage_s, 0);
}

TEST(ComputeStatistics, ReportsEverySiteAndLabelWithChecks) {
  auto opened = store::OpenSqlite(":memory:");
  ASSERT_TRUE(opened);
  auto& store = **opened;
  config::Config cfg;
  cfg.heartbeats.push_back({"POWER", "", seconds(10), seconds(40), "home"});
  store.RecordOutage(Outage("POWER", 100, 400));  // 300 s: 30 missed heartbeats
  store.RecordOutage(Outage("", 200, 260));
  for (int i = 0; i < 5; ++i) store.RecordHeartbeat({"POWER", At(10 * i), std::nullopt, "::1"});
  store.RecordChecks("site", "home", At(5), {100, 7});
  ASSERT_TRUE(store.Flush());

  auto r = ComputeStatistics(store, cfg, At(0), At(1000));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->sites.size(), 1u);
  EXPECT_EQ(r->sites[0].site, "home");
  EXPECT_EQ(r->sites[0].checks, 100);
  EXPECT_EQ(r->sites[0].failed_checks, 7);
  EXPECT_EQ(r->sites[0].outages, 1);
  EXPECT_DOUBLE_EQ(r->sites[0].total_outage_s, 60);
  ASSERT_EQ(r->labels.size(), 1u);
  EXPECT_EQ(r->labels[0].label, "POWER");
  EXPECT_EQ(r->labels[0].failed_checks, 30);
  EXPECT_EQ(r->labels[0].checks, 35);
  EXPECT_DOUBLE_EQ(r->labels[0].uptime_pct, 70);

  auto json = ToJson(*r);
  EXPECT_EQ(json.at("heartbeats").as_array()[0].at("label").as_string(), "POWER");
  EXPECT_DOUBLE_EQ(json.at("sites").as_array()[0].at("uptime_pct").as_double(), 94);
}

TEST(OutageJson, AnOngoingOutageRunsUntilNow) {
  auto j = ToJson(Outage("POWER", 100, {}), At(160));
  EXPECT_TRUE(j.at("ongoing").as_bool());
  EXPECT_TRUE(j.at("ended_at").is_null());
  EXPECT_DOUBLE_EQ(j.at("duration_s").as_double(), 60);
  EXPECT_EQ(j.at("label").as_string(), "POWER");
  auto q = ToJson(Outage("", 100, 130), At(500));
  EXPECT_TRUE(q.at("label").is_null());
  EXPECT_DOUBLE_EQ(q.at("duration_s").as_double(), 30);
}

}  // namespace
}  // namespace plugwatch::engine
