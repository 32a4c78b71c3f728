#include "plugwatch/detect/offline_detector.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "plugwatch/detect/reading_stream_testutil.h"

namespace plugwatch::detect {
namespace {

using std::chrono::seconds;
using testing::kT0;

constexpr Duration kPoll = seconds(10);

// '+' a reachable reading, '-' an unreachable one; reading i is at kT0 + i×10 s.
std::vector<Reading> Polls(std::string_view pattern) {
  std::vector<Reading> out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    Reading r;
    r.device = "router";
    r.at = kT0 + kPoll * static_cast<int>(i);
    r.reachable = pattern[i] == '+';
    if (!r.reachable)
      r.error = MakeError(Errc::kTimeout, "poll " + std::to_string(i) + ": timeout");
    out.push_back(std::move(r));
  }
  return out;
}

// "off@2 on@5": device_offline with ts of reading 2, device_online with ts of
// reading 5; both checked against the data they must carry.
std::string Describe(const std::vector<Event>& events) {
  std::ostringstream out;
  for (const auto& e : events) {
    auto index = (e.ts - kT0) / kPoll;
    if (!out.str().empty()) out << ' ';
    out << (e.type == EventType::kDeviceOffline ? "off@" : "on@") << index;
  }
  return out.str();
}

struct OfflineCase {
  int confirm_checks;
  std::string pattern;
  std::string events;
  std::optional<bool> known;
};
void PrintTo(const OfflineCase& c, std::ostream* os) {
  *os << c.confirm_checks << " " << c.pattern;
}

class OfflineTable : public ::testing::TestWithParam<OfflineCase> {};

TEST_P(OfflineTable, ConfirmsChangesAfterConsecutiveChecks) {
  const auto& c = GetParam();
  OfflineDetector d("router", "home", c.confirm_checks);
  std::vector<Event> events;
  TimePoint offline_since{};
  for (const auto& r : Polls(c.pattern)) {
    for (auto& e : d.OnReading(r)) {
      EXPECT_EQ(e.device, "router");
      EXPECT_EQ(e.site, "home");
      if (e.type == EventType::kDeviceOffline) {
        offline_since = e.ts;
        // The confirming reading's error.
        EXPECT_EQ(e.data.at("error").as_string(), r.error->context);
      } else {
        EXPECT_EQ(e.data.at("offline_for_s").as_double(), Seconds(e.ts - offline_since));
      }
      events.push_back(std::move(e));
    }
  }
  EXPECT_EQ(Describe(events), c.events);
  EXPECT_EQ(d.known_online(), c.known);
  EXPECT_EQ(d.online(), c.known == true);
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, OfflineTable,
    ::testing::Values(
        // confirm_checks 2
        OfflineCase{2, "", "", std::nullopt}, OfflineCase{2, "+", "", std::nullopt},
        OfflineCase{2, "++", "", true},  // start-up is silent
        OfflineCase{2, "-", "", std::nullopt},
        OfflineCase{2, "--", "off@0", false},  // never answered since start-up
        OfflineCase{2, "-+-+-+", "", std::nullopt},
        OfflineCase{2, "++-+-+", "", true},  // single lost polls
        OfflineCase{2, "++--++", "off@2 on@4", true}, OfflineCase{2, "++-+--", "off@4", false},
        OfflineCase{2, "++------", "off@2", false},      // once, not per poll
        OfflineCase{2, "++--+-++", "off@2 on@6", true},  // a lone success inside the outage
        OfflineCase{2, "++--++--++", "off@2 on@4 off@6 on@8", true},
        // confirm_checks 3
        OfflineCase{3, "++--", "", std::nullopt}, OfflineCase{3, "+++--", "", true},
        OfflineCase{3, "+++---", "off@3", false}, OfflineCase{3, "+++---+++", "off@3 on@6", true},
        OfflineCase{3, "---++---", "off@0", false}, OfflineCase{3, "---++-+++", "off@0 on@6", true},
        OfflineCase{3, "+++--+---++", "off@6", false},
        // confirm_checks below 1 behaves as 1
        OfflineCase{1, "-+", "off@0 on@1", true}, OfflineCase{0, "-+", "off@0 on@1", true},
        OfflineCase{-4, "+-", "off@1", false}));

TEST(OfflineDetector, OfflineSinceAndDefaultError) {
  OfflineDetector d("router", "home", 2);
  Reading r{.device = "router", .at = kT0, .reachable = false};
  EXPECT_TRUE(d.OnReading(r).empty());
  r.at += kPoll;
  auto events = d.OnReading(r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.at("error").as_string(), "unreachable");
  EXPECT_EQ(d.offline_since(), kT0);
  EXPECT_EQ(d.confirm_checks(), 2);
}

TEST(OfflineDetector, OfflineForIsNeverNegativeAfterClockJump) {
  OfflineDetector d("router", "home", 1);
  Reading r{.device = "router", .at = kT0, .reachable = false};
  d.OnReading(r);
  r.at = kT0 - std::chrono::hours(1);
  r.reachable = true;
  auto events = d.OnReading(r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.at("offline_for_s").as_double(), 0);
}

OfflineDetector RoundTrip(const OfflineDetector& d, int confirm_checks) {
  auto text = boost::json::serialize(d.Snapshot());
  return OfflineDetector::Restore(d.device(), "home", confirm_checks,
                                  boost::json::parse(text).as_object());
}

TEST(OfflineDetector, RestartAnywhereGivesSameEvents) {
  for (int confirm : {2, 3}) {
    const auto polls = Polls("++-+---+-+--+++----++++-");
    OfflineDetector reference("router", "home", confirm);
    const auto expected = testing::Feed(reference, polls);
    ASSERT_FALSE(expected.empty());
    for (size_t split = 0; split <= polls.size(); ++split) {
      SCOPED_TRACE(::testing::Message() << "confirm " << confirm << " split " << split);
      OfflineDetector before("router", "home", confirm);
      auto events = testing::Feed(before, polls, 0, split);
      auto after = RoundTrip(before, confirm);
      EXPECT_EQ(after.known_online(), before.known_online());
      for (auto& e : testing::Feed(after, polls, split)) events.push_back(std::move(e));
      EXPECT_TRUE(testing::SameEvents(events, expected));
    }
  }
}

TEST(OfflineDetector, RestoreWithSmallerConfirmChecksNeverEmitsByItself) {
  OfflineDetector d("router", "home", 3);
  testing::Feed(d, Polls("+++--"));
  auto restored = RoundTrip(d, 2);
  EXPECT_EQ(restored.known_online(), true);
  // The saved streak (2 failures) already meets the new count; the next
  // failure completes it.
  Reading r{.device = "router", .at = kT0 + kPoll * 5, .reachable = false};
  auto events = restored.OnReading(r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ts, kT0 + kPoll * 3);
}

class OfflineRestoreGarbage : public ::testing::TestWithParam<std::string> {};

TEST_P(OfflineRestoreGarbage, GivesUnknownState) {
  auto d =
      OfflineDetector::Restore("router", "home", 2, boost::json::parse(GetParam()).as_object());
  EXPECT_EQ(d.known_online(), std::nullopt);
  EXPECT_EQ(Describe(testing::Feed(d, Polls("--++"))), "off@0 on@2");
}

INSTANTIATE_TEST_SUITE_P(
    Snapshots, OfflineRestoreGarbage,
    ::testing::Values(R"({})", R"({"version":7,"state":"online","ok_streak":0,"fail_streak":0})",
                      R"({"version":1,"state":"sleepy","ok_streak":0,"fail_streak":0})",
                      R"({"version":1,"state":"online"})",
                      R"({"version":1,"state":"offline","ok_streak":0,"fail_streak":0})",
                      R"({"version":1,"state":"online","ok_streak":-1,"fail_streak":0})",
                      R"({"version":1,"state":"online","ok_streak":1,"fail_streak":1,)"
                      R"("ok_since_ms":0,"fail_since_ms":0})",
                      R"({"version":1,"state":"online","ok_streak":0,"fail_streak":1})",
                      R"({"version":1,"state":"online","ok_streak":"2","fail_streak":0})"));

}  // namespace
}  // namespace plugwatch::detect
