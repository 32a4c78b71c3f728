// Outages, heartbeats and check counts in the SQLite store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugwatch/store/store.h"

namespace plugwatch::store {
namespace {

using ::testing::ElementsAre;

constexpr long long kT0 = 1'700'000'000'000LL - 1'700'000'000'000LL % 3'600'000;
TimePoint At(long long offset_s) { return FromUnixMillis(kT0 + offset_s * 1000); }

std::unique_ptr<Store> OpenMemory() {
  auto s = OpenSqlite(":memory:");
  EXPECT_TRUE(s) << s.error().message();
  return std::move(*s);
}

OutageRecord Outage(std::string cause, std::string label, long long start_s,
                    std::optional<long long> end_s = std::nullopt) {
  OutageRecord o;
  o.site = "home";
  o.label = std::move(label);
  o.cause = std::move(cause);
  o.started_at = At(start_s);
  if (end_s) o.ended_at = At(*end_s);
  return o;
}

TEST(PowerHistory, AnOutageIsOpenedThenClosedInPlace) {
  auto s = OpenMemory();
  auto open = Outage("quorum", "", 100);
  open.devices = {"a", "b"};
  s->RecordOutage(open);
  ASSERT_TRUE(s->Flush());

  auto ongoing = s->QueryOutages(At(0), true);
  ASSERT_TRUE(ongoing);
  ASSERT_EQ(ongoing->size(), 1u);
  EXPECT_FALSE((*ongoing)[0].ended_at);
  EXPECT_THAT((*ongoing)[0].devices, ElementsAre("a", "b"));

  // Opening it again (a restart replaying power_lost) changes nothing.
  s->RecordOutage(open);
  s->RecordOutage(Outage("quorum", "", 100, 400));
  ASSERT_TRUE(s->Flush());
  auto all = s->QueryOutages(At(0), false);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].started_at, At(100));
  EXPECT_EQ((*all)[0].ended_at, At(400));
  EXPECT_THAT((*all)[0].devices, ElementsAre("a", "b"));  // an empty list keeps the stored one
  auto none = s->QueryOutages(At(0), true);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(PowerHistory, OutagesOfDifferentLabelsAndCausesAreIndependent) {
  auto s = OpenMemory();
  s->RecordOutage(Outage("heartbeat", "POWER", 10));
  s->RecordOutage(Outage("heartbeat", "GENERATOR", 20));
  s->RecordOutage(Outage("quorum", "", 30));
  s->RecordOutage(Outage("heartbeat", "POWER", 10, 50));
  ASSERT_TRUE(s->Flush());
  auto ongoing = s->QueryOutages(At(0), true);
  ASSERT_TRUE(ongoing);
  ASSERT_EQ(ongoing->size(), 2u);
  EXPECT_EQ((*ongoing)[0].cause, "quorum");  // newest first
  EXPECT_EQ((*ongoing)[1].label, "GENERATOR");
}

TEST(PowerHistory, AClosedOutageWithoutAnOpenOneIsStoredWhole) {
  // power_lost was recorded before the outages table existed, or was lost.
  auto s = OpenMemory();
  s->RecordOutage(Outage("heartbeat", "POWER", 10, 70));
  ASSERT_TRUE(s->Flush());
  auto all = s->QueryOutages(At(0), false);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].started_at, At(10));
  EXPECT_EQ((*all)[0].ended_at, At(70));
}

TEST(PowerHistory, QueryOutagesReturnsThoseOverlappingTheWindow) {
  auto s = OpenMemory();
  s->RecordOutage(Outage("heartbeat", "A", 0, 100));    // ended before the window
  s->RecordOutage(Outage("heartbeat", "B", 150, 250));  // ends inside it
  s->RecordOutage(Outage("heartbeat", "C", 50));        // ongoing since before it
  ASSERT_TRUE(s->Flush());
  auto got = s->QueryOutages(At(200), false);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].label, "B");
  EXPECT_EQ((*got)[1].label, "C");
}

TEST(PowerHistory, HeartbeatsAreStoredAndCountedAsChecks) {
  auto s = OpenMemory();
  for (int i = 0; i < 5; ++i) {
    HeartbeatRecord h{"POWER", At(10 + i), At(9 + i), "127.0.0.1"};
    s->RecordHeartbeat(h);
  }
  s->RecordHeartbeat({"OTHER", At(100), std::nullopt, "::1"});
  ASSERT_TRUE(s->Flush());
  auto last = s->LastHeartbeat("POWER");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, At(14));
  auto none = s->LastHeartbeat("NOPE");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  auto checks = s->QueryChecks("label", "POWER", At(0), At(3599));
  ASSERT_TRUE(checks);
  EXPECT_EQ(checks->checks, 5);
  EXPECT_EQ(checks->failures, 0);
  // Another hour holds none.
  auto later = s->QueryChecks("label", "POWER", At(3600), At(7000));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->checks, 0);
}

TEST(PowerHistory, ChecksAddUpPerHour) {
  auto s = OpenMemory();
  s->RecordChecks("site", "home", At(10), {3, 1});
  s->RecordChecks("site", "home", At(20), {2, 2});
  s->RecordChecks("site", "home", At(3700), {4, 0});
  s->RecordChecks("site", "cabin", At(10), {9, 9});
  ASSERT_TRUE(s->Flush());
  auto first = s->QueryChecks("site", "home", At(0), At(100));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->checks, 5);
  EXPECT_EQ(first->failures, 3);
  auto both = s->QueryChecks("site", "home", At(0), At(4000));
  ASSERT_TRUE(both);
  EXPECT_EQ(both->checks, 9);
  EXPECT_EQ(both->failures, 3);
}

TEST(PowerHistory, TheLatestHeartbeatWinsAndCountsAddUpAcrossBatches) {
  auto s = OpenMemory();
  // One batch, out of order: the latest receive time wins.
  s->RecordHeartbeat({"POWER", At(30), At(29), "10.0.0.2"});
  s->RecordHeartbeat({"POWER", At(20), At(19), "10.0.0.1"});
  ASSERT_TRUE(s->Flush());
  // A later batch with an older heartbeat (a clock that went back) still counts.
  s->RecordHeartbeat({"POWER", At(25), std::nullopt, "10.0.0.3"});
  s->RecordHeartbeat({"POWER", At(3600 + 5), std::nullopt, "10.0.0.4"});
  ASSERT_TRUE(s->Flush());
  auto last = s->LastHeartbeat("POWER");
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, At(3605));
  auto first_hour = s->QueryChecks("label", "POWER", At(0), At(3599));
  ASSERT_TRUE(first_hour);
  EXPECT_EQ(first_hour->checks, 3);
  auto all = s->QueryChecks("label", "POWER", At(0), At(7200));
  ASSERT_TRUE(all);
  EXPECT_EQ(all->checks, 4);
}

TEST(PowerHistory, ManyHeartbeatsAreOneWriteWithOneAcknowledgement) {
  auto s = OpenMemory();
  // Labels interleaved, one out of order, one in the next hour.
  std::vector<HeartbeatRecord> batch = {
      {"POWER", At(10), At(9), "10.0.0.1"},         {"OTHER", At(11), std::nullopt, "::1"},
      {"POWER", At(30), At(29), "10.0.0.3"},        {"POWER", At(20), std::nullopt, "10.0.0.2"},
      {"OTHER", At(3600 + 1), std::nullopt, "::2"},
  };
  int acknowledged = 0;
  Result<void> outcome = Fail(Errc::kInternal, "not called");
  s->RecordHeartbeats(std::move(batch), [&](const Result<void>& r) {
    ++acknowledged;
    outcome = r;
  });
  ASSERT_TRUE(s->Flush());
  EXPECT_EQ(acknowledged, 1);
  EXPECT_TRUE(outcome) << outcome.error().context;
  auto power = s->LastHeartbeat("POWER");
  ASSERT_TRUE(power);
  EXPECT_EQ(*power, At(30));
  auto other = s->LastHeartbeat("OTHER");
  ASSERT_TRUE(other);
  EXPECT_EQ(*other, At(3601));
  auto power_checks = s->QueryChecks("label", "POWER", At(0), At(7200));
  ASSERT_TRUE(power_checks);
  EXPECT_EQ(power_checks->checks, 3);
  auto other_first_hour = s->QueryChecks("label", "OTHER", At(0), At(3599));
  ASSERT_TRUE(other_first_hour);
  EXPECT_EQ(other_first_hour->checks, 1);
  auto other_all = s->QueryChecks("label", "OTHER", At(0), At(7200));
  ASSERT_TRUE(other_all);
  EXPECT_EQ(other_all->checks, 2);
}

TEST(PowerHistory, StatesAreKeptByKey) {
  auto s = OpenMemory();
  s->SaveState("label:POWER", boost::json::object{{"v", 1}});
  s->SaveState("site:home", boost::json::object{{"v", 2}});
  s->SaveState("washer", boost::json::object{{"v", 3}});
  s->SaveState("label:POWER", boost::json::object{{"v", 4}});
  ASSERT_TRUE(s->Flush());
  auto states = s->LoadStates();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 3u);
  EXPECT_EQ(states->at("label:POWER").at("v").as_int64(), 4);
  EXPECT_EQ(states->at("site:home").at("v").as_int64(), 2);
}

}  // namespace
}  // namespace plugwatch::store
