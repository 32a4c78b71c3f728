#include "plugwatch/detect/activity_detector.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "plugwatch/core/time.h"
#include "plugwatch/detect/reading_stream_testutil.h"

namespace plugwatch::detect {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::Feed;
using testing::kT0;
using testing::OfType;
using testing::ReadingStream;

ActivitySettings Settings(double start_above_w, Duration start_delay, double stop_below_w,
                          Duration stop_delay) {
  ActivitySettings s;
  s.start_above_w = start_above_w;
  s.start_delay = start_delay;
  s.stop_below_w = stop_below_w;
  s.stop_delay = stop_delay;
  return s;
}

// Settings most tests share: 5 W / 10 s to start, 2 W / 60 s to stop.
ActivitySettings Plain() { return Settings(5, seconds(10), 2, seconds(60)); }

ActivityDetector Make(ActivitySettings s) { return ActivityDetector("washer", "home", s); }

double Wh(double watts, Duration d) { return watts * Seconds(d) / 3600.0; }

double Num(const Event& e, const char* key) { return e.data.at(key).as_double(); }
std::string Str(const Event& e, const char* key) { return std::string(e.data.at(key).as_string()); }

void ExpectCycle(const Event& e, TimePoint started, TimePoint ended, double energy_wh,
                 double peak_w) {
  EXPECT_EQ(e.type, EventType::kCycleFinished);
  EXPECT_EQ(e.device, "washer");
  EXPECT_EQ(e.site, "home");
  EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(started));
  EXPECT_EQ(Str(e, "ended_at"), FormatTimestamp(ended));
  EXPECT_DOUBLE_EQ(Num(e, "duration_s"), Seconds(ended - started));
  EXPECT_NEAR(Num(e, "energy_wh"), energy_wh, 1e-9);
  EXPECT_DOUBLE_EQ(Num(e, "peak_w"), peak_w);
}

// A washing machine polled every 5 s: heating, washing with pauses of 0–1 W
// (the longest 2 min, shorter than stop_delay 3 min), spin, then standby.
struct Washer {
  ReadingStream stream{seconds(5)};
  TimePoint started, ended;
  double energy_wh;
};

Washer WasherRun() {
  Washer w;
  w.stream.Power(1, minutes(2));
  w.started = w.stream.now();
  w.stream.Power(2000, minutes(10))
      .Power(300, minutes(8))
      .Power(0, seconds(30))
      .Power(300, minutes(8))
      .Power(1, minutes(2))
      .Power(300, minutes(6))
      .Power(0, seconds(90))
      .Power(500, minutes(5));
  w.ended = w.stream.now();
  w.stream.Power(1, minutes(10));
  w.energy_wh =
      Wh(2000, minutes(10)) + Wh(300, minutes(22)) + Wh(1, minutes(2)) + Wh(500, minutes(5));
  return w;
}

ActivitySettings WasherSettings() {
  ActivitySettings s = Settings(5, seconds(10), 2, minutes(3));
  s.price_per_kwh = 0.30;
  s.currency = "€";
  return s;
}

TEST(ActivityDetector, WasherWithPausesIsOneCycle) {
  Washer w = WasherRun();
  auto d = Make(WasherSettings());
  auto events = Feed(d, w.stream.readings());

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kDeviceActive);
  EXPECT_EQ(events[0].ts, w.started);
  EXPECT_DOUBLE_EQ(Num(events[0], "power_w"), 2000);

  const Event& done = events[1];
  ExpectCycle(done, w.started, w.ended, w.energy_wh, 2000);
  EXPECT_EQ(Num(done, "duration_s"), 41 * 60);
  EXPECT_EQ(done.ts, w.ended + minutes(3));
  EXPECT_DOUBLE_EQ(Num(done, "cost"), 0.1455);  // 0.48503 kWh × 0.30
  EXPECT_EQ(Str(done, "currency"), "€");
  EXPECT_EQ(d.state(), ActivityState::kIdle);
}

TEST(ActivityDetector, KettleBoilIsOneCycle) {
  ReadingStream s(seconds(1));
  s.Power(0, seconds(30));
  TimePoint started = s.now();
  s.Power(2000, seconds(90));
  TimePoint ended = s.now();
  s.Power(0, minutes(5));
  auto d = Make(Settings(100, seconds(10), 50, seconds(30)));
  auto events = Feed(d, s.readings());

  auto active = OfType(events, EventType::kDeviceActive);
  auto done = OfType(events, EventType::kCycleFinished);
  ASSERT_EQ(active.size(), 1u);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(active[0].ts, started);
  EXPECT_NEAR(Num(done[0], "energy_wh"), 50, 0.5);
  EXPECT_EQ(Num(done[0], "duration_s"), 90);
  EXPECT_EQ(Str(done[0], "ended_at"), FormatTimestamp(ended));
  EXPECT_EQ(Num(done[0], "cost"), 0);  // no price configured
  EXPECT_FALSE(done[0].data.contains("currency"));
}

TEST(ActivityDetector, FridgeDutyCycleIsOneCyclePerOnPeriod) {
  ReadingStream s(seconds(10));
  s.Power(0, minutes(10));
  std::vector<TimePoint> on, off;
  for (int i = 0; i < 3; ++i) {
    on.push_back(s.now());
    s.Power(80, minutes(15));
    off.push_back(s.now());
    s.Power(0, minutes(30));
  }
  auto d = Make(Settings(20, seconds(30), 5, minutes(2)));
  auto events = Feed(d, s.readings());

  ASSERT_EQ(events.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[2 * i].type, EventType::kDeviceActive);
    EXPECT_EQ(events[2 * i].ts, on[i]);
    ExpectCycle(events[2 * i + 1], on[i], off[i], 20, 80);
    EXPECT_EQ(events[2 * i + 1].ts, off[i] + minutes(2));
  }
}

struct FlapCase {
  std::string name;
  ReadingStream stream;
  int active;
  int finished;
  ActivityState final_state;
  std::optional<double> duration_s = std::nullopt;
};
void PrintTo(const FlapCase& c, std::ostream* os) { *os << c.name; }

ReadingStream Repeat(ReadingStream s, int times, double a, Duration a_len, double b,
                     Duration b_len) {
  for (int i = 0; i < times; ++i) s.Power(a, a_len).Power(b, b_len);
  return s;
}

class ActivityFlapping : public ::testing::TestWithParam<FlapCase> {};

// Plain(): start above 5 W for 10 s, stop below 2 W for 60 s; 5 s polls.
TEST_P(ActivityFlapping, EmitsOnlyConfirmedTransitions) {
  const auto& c = GetParam();
  auto d = Make(Plain());
  auto events = Feed(d, c.stream.readings());
  auto done = OfType(events, EventType::kCycleFinished);
  EXPECT_EQ(OfType(events, EventType::kDeviceActive).size(), static_cast<size_t>(c.active));
  EXPECT_EQ(done.size(), static_cast<size_t>(c.finished));
  EXPECT_EQ(d.state(), c.final_state);
  if (c.duration_s && !done.empty()) {
    EXPECT_EQ(Num(done.back(), "duration_s"), *c.duration_s);
  }
}

const ReadingStream k5s{seconds(5)};

INSTANTIATE_TEST_SUITE_P(
    Streams, ActivityFlapping,
    ::testing::Values(
        FlapCase{"alternating_around_start", Repeat(k5s, 30, 6, seconds(5), 4, seconds(5)), 0, 0,
                 ActivityState::kIdle},
        FlapCase{"blips_shorter_than_start_delay", Repeat(k5s, 10, 100, seconds(5), 0, seconds(25)),
                 0, 0, ActivityState::kIdle},
        // Above for 0 s and 5 s, low at 10 s: no reading confirms the delay.
        FlapCase{"blips_without_a_confirming_reading",
                 Repeat(k5s, 10, 100, seconds(10), 0, seconds(20)), 0, 0, ActivityState::kIdle},
        FlapCase{"in_band_from_idle", ReadingStream(k5s).Power(3, hours(1)), 0, 0,
                 ActivityState::kIdle},
        FlapCase{"confirmed_by_reading_at_start_delay",
                 ReadingStream(k5s).Power(100, seconds(15)).Power(0, minutes(2)), 1, 1,
                 ActivityState::kIdle, 15},
        FlapCase{
            "pauses_shorter_than_stop_delay",
            Repeat(ReadingStream(k5s).Power(100, minutes(1)), 20, 1, seconds(30), 100, seconds(30))
                .Power(0, minutes(2)),
            1, 1, ActivityState::kIdle, 60 + 20 * 60},
        FlapCase{"in_band_keeps_active",
                 ReadingStream(k5s).Power(100, minutes(1)).Power(3, hours(1)), 1, 0,
                 ActivityState::kActive},
        FlapCase{
            "in_band_after_low_keeps_stopping",
            ReadingStream(k5s).Power(100, minutes(1)).Power(1, seconds(10)).Power(3, minutes(5)), 1,
            1, ActivityState::kIdle, 60},
        FlapCase{
            "alternating_low_and_band_keeps_stop_timer",
            Repeat(ReadingStream(k5s).Power(100, minutes(1)), 20, 1, seconds(5), 4, seconds(5)), 1,
            1, ActivityState::kIdle, 60}),
    [](const auto& info) { return info.param.name; });

TEST(ActivityDetector, StateNamesFollowTheCycle) {
  auto d = Make(Plain());
  Reading r{.device = "washer", .at = kT0, .reachable = true, .power_w = 100};
  EXPECT_EQ(d.ActivityName(), "idle");
  EXPECT_FALSE(d.cycle_started_at());
  d.OnReading(r);
  EXPECT_EQ(d.ActivityName(), "starting");
  EXPECT_EQ(d.cycle_started_at(), kT0);
  r.at += seconds(10);
  r.power_w = 200;
  d.OnReading(r);
  EXPECT_EQ(d.ActivityName(), "active");
  EXPECT_NEAR(d.cycle_energy_wh(), Wh(100, seconds(10)), 1e-9);
  EXPECT_EQ(d.cycle_peak_w(), 200);
  r.at += seconds(10);
  r.power_w = 0;
  d.OnReading(r);
  EXPECT_EQ(d.ActivityName(), "stopping");
  EXPECT_NEAR(d.cycle_energy_wh(), Wh(100, seconds(10)) + Wh(200, seconds(10)), 1e-9);
  d.OnTick(r.at + minutes(1));
  EXPECT_EQ(d.ActivityName(), "idle");
  EXPECT_EQ(d.cycle_energy_wh(), 0);
}

TEST(ActivityDetector, ZeroStartDelayStartsOnFirstReadingAbove) {
  auto d = Make(Settings(5, Duration::zero(), 2, seconds(60)));
  Reading r{.device = "washer", .at = kT0, .reachable = true, .power_w = 50};
  auto events = d.OnReading(r);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kDeviceActive);
  EXPECT_EQ(events[0].ts, kT0);
  EXPECT_EQ(d.state(), ActivityState::kActive);
}

TEST(ActivityDetector, ZeroStopDelayEndsOnFirstReadingBelow) {
  auto d = Make(Settings(5, Duration::zero(), 2, Duration::zero()));
  auto events =
      Feed(d, ReadingStream(seconds(5)).Power(60, minutes(1)).Power(0, seconds(5)).readings());
  auto done = OfType(events, EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ts, kT0 + minutes(1));
  ExpectCycle(done[0], kT0, kT0 + minutes(1), 1, 60);
}

TEST(ActivityDetector, InvertedBandIsNormalized) {
  auto d = Make(Settings(5, seconds(10), 10, seconds(60)));
  auto events = Feed(d, ReadingStream(seconds(5)).Power(7, minutes(10)).readings());
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(d.state(), ActivityState::kActive);
  EXPECT_EQ(d.settings().stop_below_w, 5);
}

// --- OnTick and unreachable devices ---

TEST(ActivityDetector, TickEndsStoppingWhenNoReadingsCome) {
  auto d = Make(Plain());
  Feed(d, ReadingStream(seconds(5)).Power(1000, minutes(1)).Power(0, seconds(5)).readings());
  const TimePoint first_low = kT0 + minutes(1);
  ASSERT_EQ(d.state(), ActivityState::kStopping);
  EXPECT_TRUE(d.OnTick(first_low - hours(1)).empty());  // a tick from the past
  EXPECT_TRUE(d.OnTick(first_low + seconds(60) - milliseconds(1)).empty());
  auto events = d.OnTick(first_low + seconds(60));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ts, first_low + seconds(60));
  ExpectCycle(events[0], kT0, first_low, Wh(1000, minutes(1)), 1000);
  EXPECT_TRUE(d.OnTick(first_low + hours(1)).empty());
}

TEST(ActivityDetector, UnreachableReadingsLetStopDelayExpire) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(1)).Power(0, seconds(5)).Unreachable(minutes(5));
  auto d = Make(Plain());
  auto done = OfType(Feed(d, s.readings()), EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ts, kT0 + minutes(2));
  ExpectCycle(done[0], kT0, kT0 + minutes(1), Wh(1000, minutes(1)), 1000);
}

TEST(ActivityDetector, UnreachableDeviceDoesNotEndActiveCycle) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(1)).Unreachable(hours(1)).NoPower();
  auto d = Make(Plain());
  auto events = Feed(d, s.readings());
  auto more = d.OnTick(s.now() + hours(1));
  EXPECT_EQ(events.size(), 1u);  // device_active only
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(d.state(), ActivityState::kActive);
  // The last good step is not extrapolated across the hour of silence.
  EXPECT_NEAR(d.cycle_energy_wh(), Wh(1000, seconds(55)), 1e-9);
}

TEST(ActivityDetector, UnreachablePollInsideCycleIsBridged) {
  ReadingStream s(seconds(5));
  s.Power(600, minutes(1)).Unreachable(seconds(10)).Power(600, minutes(1)).Power(0, minutes(2));
  auto d = Make(Plain());
  auto done = OfType(Feed(d, s.readings()), EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_NEAR(Num(done[0], "energy_wh"), Wh(600, seconds(130)), 1e-9);
}

TEST(ActivityDetector, StartingDoesNotConfirmOnTick) {
  auto d = Make(Plain());
  Reading r{.device = "washer", .at = kT0, .reachable = true, .power_w = 100};
  EXPECT_TRUE(d.OnReading(r).empty());
  EXPECT_TRUE(d.OnTick(kT0 + hours(1)).empty());
  EXPECT_EQ(d.state(), ActivityState::kStarting);
}

// --- Clock jumps ---

TEST(ActivityDetector, BackwardClockJumpAddsNoNegativeEnergy) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(10)).Jump(-hours(1)).Power(1000, minutes(10));
  const TimePoint first_low = s.now();
  s.Power(0, minutes(2));
  auto d = Make(Plain());
  std::vector<Event> events;
  double energy = 0;
  for (const auto& r : s.readings()) {
    for (auto& e : d.OnReading(r)) events.push_back(e);
    if (d.state() != ActivityState::kIdle) {
      EXPECT_GE(d.cycle_energy_wh(), energy);
      energy = d.cycle_energy_wh();
    }
  }
  auto done = OfType(events, EventType::kCycleFinished);
  ASSERT_EQ(OfType(events, EventType::kDeviceActive).size(), 1u);
  ASSERT_EQ(done.size(), 1u);
  // The step across the jump (5 s) is lost; the jump itself takes no time.
  const Duration measured = minutes(20) - seconds(5);
  EXPECT_NEAR(Num(done[0], "energy_wh"), Wh(1000, measured), 1e-9);
  EXPECT_EQ(Num(done[0], "duration_s"), Seconds(measured));
  EXPECT_EQ(Str(done[0], "started_at"), FormatTimestamp(kT0));  // as device_active said
  EXPECT_EQ(Str(done[0], "ended_at"), FormatTimestamp(first_low));
  EXPECT_EQ(done[0].ts, first_low + seconds(60));
}

TEST(ActivityDetector, BackwardClockJumpWhileStoppingDoesNotStallStopDelay) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(1)).Power(0, seconds(30)).Jump(-hours(1)).Power(0, minutes(2));
  auto d = Make(Plain());
  auto done = OfType(Feed(d, s.readings()), EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  // 25 s of low readings before the jump, the jump counts 0 s, 35 s after.
  EXPECT_EQ(done[0].ts, kT0 + minutes(1) + seconds(30) - hours(1) + seconds(35));
  EXPECT_EQ(Num(done[0], "duration_s"), 60);
  EXPECT_NEAR(Num(done[0], "energy_wh"), Wh(1000, minutes(1)), 1e-9);
}

TEST(ActivityDetector, DuplicateReadingsChangeNothing) {
  Washer w = WasherRun();
  std::vector<Reading> twice;
  for (const auto& r : w.stream.readings()) {
    twice.push_back(r);
    twice.push_back(r);
  }
  auto once = Make(WasherSettings());
  auto dup = Make(WasherSettings());
  auto a = Feed(once, w.stream.readings());
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(testing::SameEvents(a, Feed(dup, twice)));
}

TEST(ActivityDetector, ForwardClockJumpIsAGap) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(10)).Jump(hours(1)).Power(1000, minutes(10));
  const TimePoint first_low = s.now();
  s.Power(0, minutes(2));
  auto d = Make(Plain());
  auto done = OfType(Feed(d, s.readings()), EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  // The step across the gap (5 s + 1 h > max_gap) adds nothing; the time counts.
  ExpectCycle(done[0], kT0, first_low, Wh(1000, minutes(20) - seconds(5)), 1000);
  EXPECT_EQ(Num(done[0], "duration_s"), Seconds(minutes(80)));
}

TEST(ActivityDetector, ForwardJumpWhileStoppingFinishesAtNextReading) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(1)).Power(0, seconds(10)).Jump(hours(1)).Power(0, seconds(10));
  auto d = Make(Plain());
  auto done = OfType(Feed(d, s.readings()), EventType::kCycleFinished);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].ts, kT0 + minutes(1) + seconds(10) + hours(1));
  ExpectCycle(done[0], kT0, kT0 + minutes(1), Wh(1000, minutes(1)), 1000);
}

// Decision 3: a pause seen to be longer than stop_delay ends the cycle even
// when the next reading is already above start and no tick came between.
TEST(ActivityDetector, PauseLongerThanStopDelayEndsCycleBeforeNextStart) {
  ReadingStream s(seconds(5));
  s.Power(1000, minutes(1)).Power(0, seconds(5)).Jump(minutes(2));
  const TimePoint second = s.now();
  s.Power(500, minutes(1)).Power(0, minutes(2));
  auto d = Make(Plain());
  auto events = Feed(d, s.readings());
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, EventType::kDeviceActive);
  EXPECT_EQ(events[1].type, EventType::kCycleFinished);
  EXPECT_EQ(events[1].ts, second);
  ExpectCycle(events[1], kT0, kT0 + minutes(1), Wh(1000, minutes(1)), 1000);
  EXPECT_EQ(events[2].type, EventType::kDeviceActive);
  EXPECT_EQ(events[2].ts, second);
  ExpectCycle(events[3], second, second + minutes(1), Wh(500, minutes(1)), 500);
}

// --- Snapshot / Restore ---

ActivityDetector RoundTrip(const ActivityDetector& d) {
  // Through text, as the store keeps it.
  auto text = boost::json::serialize(d.Snapshot());
  return ActivityDetector::Restore(d.device(), d.site(), d.settings(),
                                   boost::json::parse(text).as_object());
}

TEST(ActivityDetector, RestartAnywhereNeitherLosesNorDoublesTheCycle) {
  Washer w = WasherRun();
  const auto& readings = w.stream.readings();
  auto reference = Make(WasherSettings());
  const auto expected = Feed(reference, readings);
  ASSERT_EQ(expected.size(), 2u);

  for (size_t split = 0; split <= readings.size(); ++split) {
    SCOPED_TRACE(split);
    auto before = Make(WasherSettings());
    auto events = Feed(before, readings, 0, split);
    auto after = RoundTrip(before);
    EXPECT_EQ(after.state(), before.state());
    EXPECT_NEAR(after.cycle_energy_wh(), before.cycle_energy_wh(), 1e-9);
    for (auto& e : Feed(after, readings, split)) events.push_back(std::move(e));
    EXPECT_TRUE(testing::SameEvents(events, expected));
  }
}

TEST(ActivityDetector, CycleStoppingAtShutdownFinishesOnceAfterRestore) {
  auto d = Make(Plain());
  Feed(d, ReadingStream(seconds(5)).Power(1000, minutes(1)).Power(0, seconds(5)).readings());
  ASSERT_EQ(d.state(), ActivityState::kStopping);
  auto restored = RoundTrip(d);
  EXPECT_EQ(restored.ActivityName(), "stopping");
  auto events = restored.OnTick(kT0 + hours(2));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ts, kT0 + hours(2));
  ExpectCycle(events[0], kT0, kT0 + minutes(1), Wh(1000, minutes(1)), 1000);
  EXPECT_TRUE(restored.OnTick(kT0 + hours(3)).empty());
}

TEST(ActivityDetector, RestoreIntegratesAcrossShortRestart) {
  auto d = Make(Plain());
  Feed(d, ReadingStream(seconds(5)).Power(1200, minutes(1)).readings());
  auto restored = RoundTrip(d);
  // The service was down for 2 min (< max_gap): the 1200 W step is kept.
  auto events = Feed(restored, ReadingStream(seconds(5), kT0 + minutes(3))
                                   .Power(1200, minutes(1))
                                   .Power(0, minutes(2))
                                   .readings());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(Num(events[0], "energy_wh"), Wh(1200, minutes(4)), 1e-9);
}

class ActivityRestoreGarbage : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivityRestoreGarbage, GivesIdleDetectorThatWorks) {
  auto snap = boost::json::parse(GetParam()).as_object();
  auto d = ActivityDetector::Restore("washer", "home", Plain(), snap);
  EXPECT_EQ(d.state(), ActivityState::kIdle);
  auto events =
      Feed(d, ReadingStream(seconds(5)).Power(100, minutes(1)).Power(0, minutes(2)).readings());
  ASSERT_EQ(events.size(), 2u);
  ExpectCycle(events[1], kT0, kT0 + minutes(1), Wh(100, minutes(1)), 100);
}

INSTANTIATE_TEST_SUITE_P(
    Snapshots, ActivityRestoreGarbage,
    ::testing::Values(
        R"({})", R"({"state":"active"})", R"({"version":2,"state":"idle"})",
        R"({"version":"1","state":"idle"})", R"({"version":1})", R"({"version":1,"state":42})",
        R"({"version":1,"state":"boiling"})", R"({"version":1,"state":"active"})",
        R"({"version":1,"state":"idle","last_at_ms":1700000000000})",
        R"({"version":1,"state":"idle","last_at_ms":"soon","last_power_w":5})",
        R"({"version":1,"state":"active","started_at_ms":"yesterday","start_timer_ms":0,)"
        R"("start_power_w":1,"energy_wh":1,"peak_w":1})",
        R"({"version":1,"state":"active","started_at_ms":0,"start_timer_ms":0,)"
        R"("start_power_w":1,"energy_wh":-5,"peak_w":1})",
        R"({"version":1,"state":"active","started_at_ms":0,"start_timer_ms":0,)"
        R"("start_power_w":1,"energy_wh":1,"peak_w":null})",
        R"({"version":1,"state":"stopping","started_at_ms":0,"start_timer_ms":0,)"
        R"("start_power_w":1,"energy_wh":1,"peak_w":1})",
        R"({"version":1,"state":"stopping","started_at_ms":10,"start_timer_ms":10,)"
        R"("start_power_w":1,"energy_wh":1,"peak_w":1,"ended_at_ms":5,"stop_timer_ms":5,)"
        R"("energy_at_stop_wh":1})",
        R"({"version":1,"state":"active","started_at_ms":18446744073709551615,)"
        R"("start_timer_ms":0,"start_power_w":1,"energy_wh":1,"peak_w":1})"));

}  // namespace
}  // namespace plugwatch::detect
