#include "plugwatch/detect/heartbeat_watchdog.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <ostream>
#include <sstream>
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
using testing::kT0;

// The brief's test settings: a heartbeat every second, lost after 1 s + 2 s.
constexpr Duration kPeriod = seconds(1);
constexpr Duration kGrace = seconds(2);
constexpr Duration kSlot = milliseconds(250);

HeartbeatWatchdog Make(std::string label = "POWER") {
  return HeartbeatWatchdog(std::move(label), "home", kPeriod, kGrace);
}

HeartbeatWatchdog RoundTrip(const HeartbeatWatchdog& w, Duration period = kPeriod) {
  auto text = boost::json::serialize(w.Snapshot());
  return HeartbeatWatchdog::Restore(w.label(), w.site(), period, w.grace(),
                                    boost::json::parse(text).as_object());
}

double Num(const Event& e, const char* key) { return e.data.at(key).as_double(); }
std::string Str(const Event& e, const char* key) { return std::string(e.data.at(key).as_string()); }

std::string At(TimePoint t) {
  std::ostringstream s;
  s << Seconds(t - kT0);
  return s.str();
}

// A script of 250 ms slots, slot i at kT0 + i × 250 ms:
//   'h'  a heartbeat received, then a tick, at that slot's time
//   '.'  a tick only
//   '_'  nothing (the service is not running)
//   'R'  a restart: Snapshot() through JSON text and Restore(); takes no time
//   ' '  ignored (readability)
struct Run {
  std::vector<Event> events;
  HeartbeatWatchdog watchdog = Make();
};

// Checks every event's fields against the script as it goes.
Run Play(std::string_view script, HeartbeatWatchdog w = Make()) {
  Run run{.watchdog = std::move(w)};
  auto& wd = run.watchdog;
  TimePoint t = kT0;
  std::optional<TimePoint> last_heartbeat = wd.last_heartbeat_at();
  std::optional<TimePoint> outage_started;
  if (wd.state() == PowerState::kDown) outage_started = wd.since();
  auto take = [&](std::vector<Event> events) {
    for (auto& e : events) {
      EXPECT_EQ(e.device, "");
      EXPECT_EQ(e.site, "home");
      EXPECT_EQ(Str(e, "cause"), "heartbeat");
      EXPECT_EQ(Str(e, "label"), wd.label());
      if (e.type == EventType::kPowerLost) {
        EXPECT_FALSE(outage_started) << "power_lost twice";
        ASSERT_TRUE(last_heartbeat);
        outage_started = *last_heartbeat + kPeriod;
        EXPECT_EQ(Str(e, "last_heartbeat_at"), FormatTimestamp(*last_heartbeat));
        EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(*outage_started));
        EXPECT_GE(Num(e, "was_on_for_s"), 0);
        EXPECT_GE(e.ts, *outage_started);
      } else {
        ASSERT_EQ(e.type, EventType::kPowerRestored);
        ASSERT_TRUE(outage_started) << "power_restored without power_lost";
        EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(*outage_started));
        EXPECT_DOUBLE_EQ(Num(e, "was_off_for_s"), Seconds(e.ts - *outage_started));
        outage_started.reset();
      }
      run.events.push_back(std::move(e));
    }
  };
  for (char c : script) {
    switch (c) {
      case 'h':
        take(wd.OnHeartbeat(t));
        last_heartbeat = t;
        take(wd.OnTick(t));
        break;
      case '.':
        take(wd.OnTick(t));
        break;
      case '_':
        break;
      case 'R':
        wd = RoundTrip(wd);
        continue;
      case ' ':
        continue;
      default:
        ADD_FAILURE() << "bad script character " << c;
    }
    t += kSlot;
  }
  return run;
}

// "lost@5[on 3] restored@7[off 4]": times in seconds after kT0.
std::string Describe(const std::vector<Event>& events) {
  std::ostringstream out;
  for (const auto& e : events) {
    if (!out.str().empty()) out << ' ';
    if (e.type == EventType::kPowerLost)
      out << "lost@" << At(e.ts) << "[on " << Num(e, "was_on_for_s") << "]";
    else
      out << "restored@" << At(e.ts) << "[off " << Num(e, "was_off_for_s") << "]";
  }
  return out.str();
}

// n heartbeats one second apart, each second ticked in four slots.
std::string Beats(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "h...";
  return s;
}
std::string Repeat(char c, int slots) { return std::string(static_cast<size_t>(slots), c); }

struct WatchdogCase {
  std::string name;
  std::string script;
  std::string events;
  PowerState state;
};
void PrintTo(const WatchdogCase& c, std::ostream* os) { *os << c.name << ": " << c.script; }

class WatchdogTable : public ::testing::TestWithParam<WatchdogCase> {};

TEST_P(WatchdogTable, Script) {
  const auto& c = GetParam();
  auto run = Play(c.script);
  EXPECT_EQ(Describe(run.events), c.events);
  EXPECT_EQ(run.watchdog.state(), c.state);
}

// Heartbeats at 0, 1 and 2 s (slots 0, 4, 8): the deadline is 2 + 1 + 2 = 5 s,
// the outage's estimated start 3 s.
INSTANTIATE_TEST_SUITE_P(
    Scripts, WatchdogTable,
    ::testing::Values(
        WatchdogCase{"nothing", "", "", PowerState::kUnknown},
        WatchdogCase{"first heartbeat is silent", "h", "", PowerState::kUp},
        WatchdogCase{"never a heartbeat is never lost", Repeat('.', 400), "", PowerState::kUnknown},
        WatchdogCase{"steady", Beats(20), "", PowerState::kUp},
        WatchdogCase{"late but within grace", "h" + Repeat('.', 10) + "h...", "", PowerState::kUp},
        WatchdogCase{"silence", Beats(3) + Repeat('.', 16), "lost@5[on 3]", PowerState::kDown},
        WatchdogCase{"silence then back", Beats(3) + Repeat('.', 16) + "h...",
                     "lost@5[on 3] restored@7[off 4]", PowerState::kUp},
        WatchdogCase{"two outages", Beats(2) + Repeat('.', 16) + Beats(2) + Repeat('.', 16),
                     "lost@4[on 2] restored@6[off 4] lost@10[on 2]", PowerState::kDown},
        WatchdogCase{"deadline passed with no tick", "h" + Repeat('_', 12) + "h",
                     "lost@1[on 1] restored@3.25[off 2.25]", PowerState::kUp},
        WatchdogCase{"heartbeat exactly at the deadline", "h" + Repeat('.', 11) + "h",
                     "lost@1[on 1] restored@3[off 2]", PowerState::kUp},
        // Restarts.
        WatchdogCase{"restart before any heartbeat", "...R...h...", "", PowerState::kUp},
        WatchdogCase{"restart while up, then silence", Beats(3) + "R" + Repeat('.', 16),
                     "lost@5[on 3]", PowerState::kDown},
        WatchdogCase{"restart while up, short downtime", Beats(3) + "R____" + Beats(3), "",
                     PowerState::kUp},
        WatchdogCase{"restart during outage announces nothing again",
                     Beats(3) + Repeat('.', 16) + "R" + Repeat('.', 40) + "RR" + Repeat('.', 4),
                     "lost@5[on 3]", PowerState::kDown},
        WatchdogCase{"restart during outage, then power back",
                     Beats(3) + Repeat('.', 16) + "R" + Repeat('.', 8) + "h...",
                     "lost@5[on 3] restored@9[off 6]", PowerState::kUp},
        WatchdogCase{"restart during outage, service down, then power back",
                     Beats(3) + Repeat('.', 16) + "R" + Repeat('_', 8) + "h...",
                     "lost@5[on 3] restored@9[off 6]", PowerState::kUp},
        WatchdogCase{"lost and back while the service was down",
                     Beats(3) + "R" + Repeat('_', 40) + Beats(2),
                     "lost@3[on 3] restored@13[off 10]", PowerState::kUp},
        WatchdogCase{"service down long, first a tick",
                     Beats(3) + "R" + Repeat('_', 40) + "." + Beats(1),
                     "lost@13[on 3] restored@13.25[off 10.25]", PowerState::kUp}),
    [](const auto& info) {
      std::string name;
      for (char c : info.param.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(HeartbeatWatchdog, SilenceIsDetectedWithinThreeAndAHalfSeconds) {
  auto w = Make();
  TimePoint t = kT0;
  for (int i = 0; i < 10; ++i, t += seconds(1)) {
    EXPECT_TRUE(w.OnHeartbeat(t).empty());
    for (int slot = 0; slot < 4; ++slot) EXPECT_TRUE(w.OnTick(t + kSlot * slot).empty());
  }
  const TimePoint last = t - seconds(1);
  std::vector<Event> lost;
  for (; lost.empty() && t < last + seconds(10); t += kSlot) lost = w.OnTick(t);
  ASSERT_EQ(lost.size(), 1u);
  const Event& e = lost[0];
  EXPECT_EQ(e.type, EventType::kPowerLost);
  EXPECT_GE(e.ts - last, kPeriod + kGrace);
  EXPECT_LE(e.ts - last, milliseconds(3500));
  EXPECT_EQ(e.device, "");
  EXPECT_EQ(e.site, "home");
  EXPECT_EQ(Str(e, "cause"), "heartbeat");
  EXPECT_EQ(Str(e, "label"), "POWER");
  EXPECT_EQ(Str(e, "last_heartbeat_at"), FormatTimestamp(last));
  EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(last + kPeriod));
  EXPECT_DOUBLE_EQ(Num(e, "was_on_for_s"), 10);  // from the first heartbeat at kT0
  EXPECT_EQ(w.state(), PowerState::kDown);
  EXPECT_EQ(w.since(), last + kPeriod);
  EXPECT_EQ(w.last_heartbeat_at(), last);
  EXPECT_EQ(w.deadline(), std::nullopt);

  // Ticks while down stay silent.
  for (int i = 0; i < 100; ++i, t += kSlot) EXPECT_TRUE(w.OnTick(t).empty());

  const TimePoint back = t;
  auto restored = w.OnHeartbeat(back);
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_EQ(restored[0].type, EventType::kPowerRestored);
  EXPECT_EQ(restored[0].ts, back);
  EXPECT_EQ(Str(restored[0], "started_at"), FormatTimestamp(last + kPeriod));
  EXPECT_DOUBLE_EQ(Num(restored[0], "was_off_for_s"), Seconds(back - (last + kPeriod)));
  EXPECT_EQ(w.state(), PowerState::kUp);
  EXPECT_EQ(w.since(), back);
  EXPECT_EQ(w.deadline(), back + kPeriod + kGrace);
}

TEST(HeartbeatWatchdog, ARestoringHeartbeatMayDateTheReturnOfPower) {
  // Decision 7: the client could not reach the server (the service was
  // stopped) from `back` on; its first delivered heartbeat says so.
  HeartbeatWatchdog w = Make();
  w.OnHeartbeat(kT0);
  ASSERT_EQ(w.OnTick(kT0 + seconds(5)).size(), 1u);  // lost; started at kT0 + 1 s
  const TimePoint back = kT0 + seconds(60);
  const TimePoint received = kT0 + seconds(300);
  auto restored = w.OnHeartbeat(received, back);
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_EQ(restored[0].ts, back);
  EXPECT_DOUBLE_EQ(Num(restored[0], "was_off_for_s"), 59.0);
  EXPECT_EQ(w.since(), back);
  EXPECT_EQ(w.last_heartbeat_at(), received);  // silence is still measured from here
  EXPECT_EQ(w.deadline(), received + kPeriod + kGrace);
}

TEST(HeartbeatWatchdog, TheDateOfReturnIsClampedToTheOutage) {
  HeartbeatWatchdog before = Make();
  before.OnHeartbeat(kT0);
  before.OnTick(kT0 + seconds(5));
  // A claim from before the outage began ends it where it began.
  auto early = before.OnHeartbeat(kT0 + seconds(20), kT0 - seconds(100));
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].ts, kT0 + kPeriod);
  EXPECT_DOUBLE_EQ(Num(early[0], "was_off_for_s"), 0.0);

  // A claim from the future is the receive time.
  HeartbeatWatchdog after = Make();
  after.OnHeartbeat(kT0);
  after.OnTick(kT0 + seconds(5));
  auto late = after.OnHeartbeat(kT0 + seconds(20), kT0 + seconds(999));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].ts, kT0 + seconds(20));
}

TEST(HeartbeatWatchdog, AnOutageMissedWhileStoppedEndsWhenTheClientSaysPowerCameBack) {
  // Nobody ticked: the first heartbeat finds the deadline passed.
  HeartbeatWatchdog w = Make();
  w.OnHeartbeat(kT0);
  auto events = w.OnHeartbeat(kT0 + seconds(600), kT0 + seconds(400));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kPowerLost);
  EXPECT_EQ(events[1].type, EventType::kPowerRestored);
  EXPECT_DOUBLE_EQ(Num(events[1], "was_off_for_s"), 399.0);
}

TEST(HeartbeatWatchdog, UpSinceIsIgnoredWhenPowerWasNotLost) {
  HeartbeatWatchdog w = Make();
  w.OnHeartbeat(kT0);
  EXPECT_TRUE(w.OnHeartbeat(kT0 + seconds(1), kT0 - seconds(50)).empty());
  EXPECT_EQ(w.since(), kT0);
}

TEST(HeartbeatWatchdog, ProductDefaultsLoseAfterFiftySeconds) {
  HeartbeatWatchdog w("POWER", "home", seconds(10), seconds(40));
  w.OnHeartbeat(kT0);
  EXPECT_TRUE(w.OnTick(kT0 + seconds(49)).empty());
  auto events = w.OnTick(kT0 + seconds(50));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Str(events[0], "started_at"), FormatTimestamp(kT0 + seconds(10)));
}

TEST(HeartbeatWatchdog, LabelsAreIndependent) {
  auto power = Make("POWER");
  auto generator = Make("GENERATOR");
  std::vector<Event> power_events, generator_events;
  auto take = [](std::vector<Event>& into, std::vector<Event> events) {
    for (auto& e : events) into.push_back(std::move(e));
  };
  TimePoint t = kT0;
  take(generator_events, generator.OnHeartbeat(t));  // then silent
  for (int slot = 0; slot < 80; ++slot, t += kSlot) {
    if (slot % 4 == 0) take(power_events, power.OnHeartbeat(t));
    take(power_events, power.OnTick(t));
    take(generator_events, generator.OnTick(t));
  }
  EXPECT_TRUE(power_events.empty());
  EXPECT_EQ(power.state(), PowerState::kUp);
  ASSERT_EQ(generator_events.size(), 1u);
  EXPECT_EQ(generator_events[0].type, EventType::kPowerLost);
  EXPECT_EQ(Str(generator_events[0], "label"), "GENERATOR");
  EXPECT_EQ(generator_events[0].ts, kT0 + kPeriod + kGrace);
  EXPECT_EQ(generator.state(), PowerState::kDown);
}

TEST(HeartbeatWatchdog, RestartDuringOutageRestoresOnceFromThePreRestartEstimate) {
  auto w = Make();
  w.OnHeartbeat(kT0);
  w.OnHeartbeat(kT0 + seconds(1));
  ASSERT_EQ(w.OnTick(kT0 + seconds(4)).size(), 1u);  // lost; started_at = 2 s
  // The service restarts an hour later with another period: the estimate
  // made before the restart stands.
  auto restored = RoundTrip(w, seconds(30));
  EXPECT_EQ(restored.state(), PowerState::kDown);
  EXPECT_EQ(restored.since(), kT0 + seconds(2));
  EXPECT_TRUE(restored.OnTick(kT0 + hours(1)).empty());
  auto events = restored.OnHeartbeat(kT0 + hours(1) + seconds(2));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kPowerRestored);
  EXPECT_DOUBLE_EQ(Num(events[0], "was_off_for_s"), 3600);
  EXPECT_TRUE(restored.OnHeartbeat(kT0 + hours(1) + seconds(3)).empty());
  EXPECT_TRUE(restored.OnTick(kT0 + hours(1) + seconds(4)).empty());
}

TEST(HeartbeatWatchdog, PowerLostAndBackWhileTheServiceWasDown) {
  auto w = Make();
  for (int i = 0; i <= 10; ++i) w.OnHeartbeat(kT0 + seconds(i));  // up since kT0, last at 10 s
  auto restored = RoundTrip(w);
  EXPECT_EQ(restored.state(), PowerState::kUp);
  // The first thing after the restart is a heartbeat, long past the deadline.
  auto events = restored.OnHeartbeat(kT0 + minutes(20));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, EventType::kPowerLost);
  EXPECT_EQ(events[0].ts, kT0 + seconds(11));  // the estimated start
  EXPECT_DOUBLE_EQ(Num(events[0], "was_on_for_s"), 11);
  EXPECT_EQ(events[1].type, EventType::kPowerRestored);
  EXPECT_EQ(events[1].ts, kT0 + minutes(20));
  EXPECT_DOUBLE_EQ(Num(events[1], "was_off_for_s"), 20 * 60 - 11);
  EXPECT_LT(events[0].ts, events[1].ts);
  EXPECT_EQ(restored.state(), PowerState::kUp);
  EXPECT_EQ(restored.since(), kT0 + minutes(20));
  EXPECT_TRUE(restored.OnTick(kT0 + minutes(20) + seconds(1)).empty());
}

TEST(HeartbeatWatchdog, RestartAnywhereGivesSameEvents) {
  const std::string script = Beats(3) + Repeat('.', 16) + Beats(2) + Repeat('_', 20) + Beats(2) +
                             Repeat('.', 20) + "h" + Repeat('_', 30) + "h...";
  const auto expected = Play(script).events;
  ASSERT_EQ(Describe(expected),
            "lost@5[on 3] restored@7[off 4] lost@9[on 2] restored@14[off 5] lost@18[on 2] "
            "restored@21[off 5] lost@22[on 1] restored@28.75[off 6.75]");
  for (size_t split = 0; split <= script.size(); ++split) {
    SCOPED_TRACE(::testing::Message() << "split " << split);
    std::string with_restart = script;
    with_restart.insert(split, "R");
    EXPECT_TRUE(testing::SameEvents(Play(with_restart).events, expected));
  }
}

TEST(HeartbeatWatchdog, ClockGoingBackMovesTheDeadlineAndNeverGivesNegativeDurations) {
  auto w = Make();
  w.OnHeartbeat(kT0);
  const TimePoint back = kT0 - hours(1);
  EXPECT_TRUE(w.OnHeartbeat(back).empty());
  EXPECT_EQ(w.last_heartbeat_at(), back);
  EXPECT_EQ(w.deadline(), back + kPeriod + kGrace);
  auto events = w.OnTick(back + seconds(3));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Num(events[0], "was_on_for_s"), 0);  // since kT0, later than the estimated start
  events = w.OnHeartbeat(back);                  // and back again, before the estimated start
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Num(events[0], "was_off_for_s"), 0);
}

TEST(HeartbeatWatchdog, NegativeSettingsCountAsZero) {
  HeartbeatWatchdog w("POWER", "home", seconds(-5), seconds(-5));
  EXPECT_EQ(w.period(), Duration::zero());
  EXPECT_EQ(w.grace(), Duration::zero());
  w.OnHeartbeat(kT0);
  EXPECT_EQ(w.deadline(), kT0);
}

TEST(HeartbeatWatchdog, SnapshotRoundTrip) {
  auto fresh = RoundTrip(Make());
  EXPECT_EQ(fresh.state(), PowerState::kUnknown);
  EXPECT_EQ(fresh.since(), std::nullopt);
  EXPECT_EQ(fresh.last_heartbeat_at(), std::nullopt);

  auto w = Make();
  w.OnHeartbeat(kT0);
  w.OnHeartbeat(kT0 + seconds(1));
  auto up = RoundTrip(w);
  EXPECT_EQ(up.state(), PowerState::kUp);
  EXPECT_EQ(up.since(), kT0);
  EXPECT_EQ(up.last_heartbeat_at(), kT0 + seconds(1));
  EXPECT_EQ(up.label(), "POWER");
  EXPECT_EQ(up.site(), "home");
}

class WatchdogRestoreGarbage : public ::testing::TestWithParam<std::string> {};

TEST_P(WatchdogRestoreGarbage, GivesAFreshWatchdog) {
  auto w = HeartbeatWatchdog::Restore("POWER", "home", kPeriod, kGrace,
                                      boost::json::parse(GetParam()).as_object());
  EXPECT_EQ(w.state(), PowerState::kUnknown);
  EXPECT_EQ(w.since(), std::nullopt);
  // Behaves as new: the first heartbeat is silent, silence is then detected.
  EXPECT_EQ(Describe(Play(Beats(1) + Repeat('.', 12), std::move(w)).events), "lost@3[on 1]");
}

INSTANTIATE_TEST_SUITE_P(
    Snapshots, WatchdogRestoreGarbage,
    ::testing::Values(
        R"({})", R"({"state":"down","last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":2,"state":"down","last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":"1","state":"down","last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":1,"state":"sideways","last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":1,"state":3,"last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":1,"state":"up"})", R"({"version":1,"state":"down","since_ms":0})",
        R"({"version":1,"state":"up","last_heartbeat_ms":0})",
        R"({"version":1,"state":"up","last_heartbeat_ms":"0","since_ms":0})",
        R"({"version":1,"state":"down","last_heartbeat_ms":0,"since_ms":1.5})",
        R"({"version":1,"state":"up","last_heartbeat_ms":-1,"since_ms":0})",
        R"({"version":1,"state":"up","last_heartbeat_ms":9223372036854775807,"since_ms":0})",
        R"({"version":1,"state":"down","last_heartbeat_ms":0,"since_ms":18446744073709551615})",
        R"({"version":1,"state":"unknown","last_heartbeat_ms":0,"since_ms":0})",
        R"({"version":1,"state":null,"last_heartbeat_ms":0,"since_ms":0})"));

}  // namespace
}  // namespace plugwatch::detect
