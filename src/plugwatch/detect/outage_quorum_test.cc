#include "plugwatch/detect/outage_quorum.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "plugwatch/core/time.h"
#include "plugwatch/detect/reading_stream_testutil.h"

namespace plugwatch::detect {
namespace {

using std::chrono::seconds;
using testing::kT0;

constexpr Duration kStep = seconds(10);

OutageQuorum RoundTrip(const OutageQuorum& q) {
  auto text = boost::json::serialize(q.Snapshot());
  return OutageQuorum::Restore(q.site(), q.quorum(), boost::json::parse(text).as_object());
}

double Num(const Event& e, const char* key) { return e.data.at(key).as_double(); }
std::string Str(const Event& e, const char* key) { return std::string(e.data.at(key).as_string()); }

// Space-separated steps; step i (restarts not counted) at kT0 + i × 10 s:
//   "a-" device a unreachable, "a+" reachable, "?a" track a, "~a" remove a,
//   "R" a restart: Snapshot() through JSON text and Restore().
struct Run {
  std::vector<Event> events;
  OutageQuorum quorum;
};

Run Play(double quorum, std::string_view script) {
  Run run{.quorum = OutageQuorum("home", quorum)};
  auto& q = run.quorum;
  TimePoint t = kT0;
  std::optional<TimePoint> outage_started;
  auto take = [&](std::vector<Event> events) {
    EXPECT_LE(events.size(), 1u);
    for (auto& e : events) {
      EXPECT_EQ(e.ts, t);
      EXPECT_EQ(e.device, "");
      EXPECT_EQ(e.site, "home");
      EXPECT_EQ(Str(e, "cause"), "quorum");
      EXPECT_EQ(e.data.at("devices").as_array().size(),
                static_cast<size_t>(e.data.at("unreachable").as_int64()));
      EXPECT_EQ(e.data.at("unreachable").as_int64(), q.unreachable());
      EXPECT_EQ(e.data.at("total").as_int64(), q.tracked());
      if (e.type == EventType::kPowerLost) {
        EXPECT_FALSE(outage_started) << "power_lost twice";
        outage_started = e.ts;
        EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(e.ts));
      } else {
        ASSERT_TRUE(outage_started) << "power_restored without power_lost";
        EXPECT_EQ(Str(e, "started_at"), FormatTimestamp(*outage_started));
        EXPECT_DOUBLE_EQ(Num(e, "was_off_for_s"), Seconds(e.ts - *outage_started));
        outage_started.reset();
      }
      run.events.push_back(std::move(e));
    }
  };
  std::istringstream in{std::string(script)};
  for (std::string step; in >> step;) {
    if (step == "R") {
      q = RoundTrip(q);
      if (outage_started) {
        EXPECT_EQ(q.state(), PowerState::kDown);
      }
      continue;
    }
    if (step[0] == '?') {
      q.Track(step.substr(1));
    } else if (step[0] == '~') {
      take(q.Remove(step.substr(1), t));
    } else if (step.back() == '-' || step.back() == '+') {
      take(q.SetReachable(step.substr(0, step.size() - 1), step.back() == '+', t));
    } else {
      ADD_FAILURE() << "bad step " << step;
    }
    t += kStep;
  }
  return run;
}

// "lost@40[a,b 2/3 on 40] restored@50[b 1/3 off 10]": times in seconds after
// kT0, the devices listed as unreachable, unreachable/total, the duration.
std::string Describe(const std::vector<Event>& events) {
  std::ostringstream out;
  for (const auto& e : events) {
    if (!out.str().empty()) out << ' ';
    out << (e.type == EventType::kPowerLost ? "lost@" : "restored@") << Seconds(e.ts - kT0) << '[';
    const auto& ids = e.data.at("devices").as_array();
    if (ids.empty()) out << '-';
    for (size_t i = 0; i < ids.size(); ++i) out << (i ? "," : "") << ids[i].as_string().c_str();
    out << ' ' << e.data.at("unreachable").as_int64() << '/' << e.data.at("total").as_int64();
    if (e.type == EventType::kPowerLost && e.data.contains("was_on_for_s"))
      out << " on " << Num(e, "was_on_for_s");
    if (e.type == EventType::kPowerRestored) out << " off " << Num(e, "was_off_for_s");
    out << ']';
  }
  return out.str();
}

struct QuorumCase {
  std::string name;
  double quorum;
  std::string script;
  std::string events;
  PowerState state;
};
void PrintTo(const QuorumCase& c, std::ostream* os) {
  *os << c.name << ": " << c.quorum << " " << c.script;
}

class QuorumTable : public ::testing::TestWithParam<QuorumCase> {};

TEST_P(QuorumTable, Script) {
  const auto& c = GetParam();
  auto run = Play(c.quorum, c.script);
  EXPECT_EQ(Describe(run.events), c.events);
  EXPECT_EQ(run.quorum.state(), c.state);
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();

INSTANTIATE_TEST_SUITE_P(
    Scripts, QuorumTable,
    ::testing::Values(
        QuorumCase{"nothing", 0.5, "", "", PowerState::kUnknown},
        QuorumCase{"all up", 0.5, "a+ b+ c+", "", PowerState::kUp},
        QuorumCase{"two of three down", 0.5, "a+ b+ c+ a- b-", "lost@40[a,b 2/3 on 40]",
                   PowerState::kDown},
        QuorumCase{"and back", 0.5, "a+ b+ c+ a- b- a+",
                   "lost@40[a,b 2/3 on 40] restored@50[b 1/3 off 10]", PowerState::kUp},
        QuorumCase{"the third one too is no second outage", 0.5, "a+ b+ c+ a- b- c- a- b-",
                   "lost@40[a,b 2/3 on 40]", PowerState::kDown},
        QuorumCase{"one flapping device below the quorum", 0.5, "a+ b+ c+ a- a+ a- a+ a- a+ a-", "",
                   PowerState::kUp},
        QuorumCase{"exactly the quorum is out", 0.5, "a+ b+ a-", "lost@20[a 1/2 on 20]",
                   PowerState::kDown},
        QuorumCase{"3 of 10 at 0.3", 0.3, "a+ b+ c+ d+ e+ f+ g+ h+ i+ j+ a- b- c-",
                   "lost@120[a,b,c 3/10 on 120]", PowerState::kDown},
        QuorumCase{"2 of 10 at 0.3", 0.3, "a+ b+ c+ d+ e+ f+ g+ h+ i+ j+ a- b-", "",
                   PowerState::kUp},
        // Start-up: fed one device at a time, the first dead device looks
        // like a site of one; Track() prevents that.
        QuorumCase{"start-up without Track", 0.5, "a- b+ c+",
                   "lost@0[a 1/1] restored@20[a 1/3 off 20]", PowerState::kUp},
        QuorumCase{"start-up with Track", 0.5, "?a ?b ?c a- b+ c+", "", PowerState::kUp},
        QuorumCase{"start-up with Track, really out", 0.5, "?a ?b ?c a- b+ c-", "lost@50[a,c 2/3]",
                   PowerState::kDown},
        QuorumCase{"an unknown device holds the state", 0.5, "a+ b+ c+ a- b- ?d a+ d+",
                   "lost@40[a,b 2/3 on 40] restored@70[b 1/4 off 30]", PowerState::kUp},
        QuorumCase{"Track of a known device changes nothing", 0.5, "a+ b+ ?a b-",
                   "lost@30[b 1/2 on 30]", PowerState::kDown},
        // Removal.
        QuorumCase{"removing unreachable devices ends it", 0.5, "a+ b+ c+ a- b- ~a ~b",
                   "lost@40[a,b 2/3 on 40] restored@60[- 0/1 off 20]", PowerState::kUp},
        QuorumCase{"removing a reachable device can start it", 0.5, "a+ b+ c- ~a",
                   "lost@30[c 1/2 on 30]", PowerState::kDown},
        QuorumCase{"removing every device holds the outage", 0.5, "a- ~a", "lost@0[a 1/1]",
                   PowerState::kDown},
        QuorumCase{"until a device answers", 0.5, "a- ~a b+",
                   "lost@0[a 1/1] restored@20[- 0/1 off 20]", PowerState::kUp},
        QuorumCase{"removing an untracked device", 0.5, "a+ ~z", "", PowerState::kUp},
        // Quorum values.
        QuorumCase{"quorum 1 needs every device", 1.0, "a+ b+ c+ a- b-", "", PowerState::kUp},
        QuorumCase{"quorum 1, every device", 1.0, "a+ b+ c+ a- b- c-", "lost@50[a,b,c 3/3 on 50]",
                   PowerState::kDown},
        QuorumCase{"quorum above 1 is 1", 2.0, "a+ b+ a-", "", PowerState::kUp},
        QuorumCase{"quorum NaN is 1", kNaN, "a+ b+ a-", "", PowerState::kUp},
        QuorumCase{"quorum 0 is any one device", 0.0, "a+ b+ c+ a-", "lost@30[a 1/3 on 30]",
                   PowerState::kDown},
        QuorumCase{"quorum 0 with none down", -1.0, "a+ b+ c+", "", PowerState::kUp},
        // Restarts.
        QuorumCase{"restart during outage announces nothing again", 0.5,
                   "a+ b+ c+ a- b- R a- b- c- R", "lost@40[a,b 2/3 on 40]", PowerState::kDown},
        QuorumCase{"restart during outage, then back", 0.5, "a+ b+ c+ a- b- R a+",
                   "lost@40[a,b 2/3 on 40] restored@50[b 1/3 off 10]", PowerState::kUp},
        QuorumCase{"restart while tracked devices are unknown", 0.5, "?a ?b ?c R a- R b+ c+", "",
                   PowerState::kUp}),
    [](const auto& info) {
      std::string name;
      for (char c : info.param.name) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(OutageQuorum, Accessors) {
  OutageQuorum q("home", 0.5);
  EXPECT_EQ(q.state(), PowerState::kUnknown);
  EXPECT_EQ(q.since(), std::nullopt);
  q.Track("a");
  EXPECT_EQ(q.tracked(), 1);
  EXPECT_EQ(q.reachable("a"), std::nullopt);
  q.SetReachable("a", true, kT0);
  q.SetReachable("b", false, kT0 + kStep);
  EXPECT_EQ(q.reachable("a"), true);
  EXPECT_EQ(q.reachable("b"), false);
  EXPECT_EQ(q.reachable("c"), std::nullopt);
  EXPECT_EQ(q.unreachable(), 1);
  EXPECT_EQ(q.tracked(), 2);
  EXPECT_EQ(q.state(), PowerState::kDown);
  EXPECT_EQ(q.since(), kT0 + kStep);
  EXPECT_EQ(q.site(), "home");
  EXPECT_EQ(q.quorum(), 0.5);
}

TEST(OutageQuorum, RestartAnywhereGivesSameEvents) {
  const std::vector<std::string> steps = {"?a", "?b", "?c", "?d", "a+", "b+", "c+", "d+",
                                          "a-", "b-", "a+", "c-", "a-", "~b", "d-", "b+",
                                          "c+", "d+", "a+", "~d", "b-", "c-"};
  auto join = [&](size_t restart_at) {
    std::string s;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == restart_at) s += "R ";
      s += steps[i] + " ";
    }
    return s;
  };
  const auto expected = Play(0.5, join(steps.size() + 1)).events;
  ASSERT_EQ(Describe(expected),
            "lost@90[a,b 2/4 on 20] restored@100[b 1/4 off 10] lost@110[b,c 2/4 on 10] "
            "restored@170[a 1/4 off 60] lost@210[b,c 2/3 on 40]");
  for (size_t split = 0; split <= steps.size(); ++split) {
    SCOPED_TRACE(::testing::Message() << "split " << split);
    EXPECT_TRUE(testing::SameEvents(Play(0.5, join(split)).events, expected));
  }
}

TEST(OutageQuorum, QuorumChangedAcrossRestartTakesEffectOnTheNextCall) {
  OutageQuorum q("home", 0.5);
  q.SetReachable("a", true, kT0);
  q.SetReachable("b", true, kT0);
  q.SetReachable("c", true, kT0);
  q.SetReachable("a", false, kT0 + kStep);
  ASSERT_EQ(q.SetReachable("b", false, kT0 + kStep * 2).size(), 1u);
  auto strict = OutageQuorum::Restore("home", 1.0, q.Snapshot());
  EXPECT_EQ(strict.state(), PowerState::kDown);  // Restore emits nothing
  auto events = strict.SetReachable("b", false, kT0 + kStep * 3);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kPowerRestored);
  EXPECT_DOUBLE_EQ(Num(events[0], "was_off_for_s"), 10);
}

TEST(OutageQuorum, DurationsAreNeverNegative) {
  OutageQuorum q("home", 0.5);
  q.SetReachable("a", true, kT0);
  auto lost = q.SetReachable("a", false, kT0 - kStep);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(Num(lost[0], "was_on_for_s"), 0);
  auto restored = q.SetReachable("a", true, kT0 - kStep * 2);
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_EQ(Num(restored[0], "was_off_for_s"), 0);
}

TEST(OutageQuorum, SnapshotKeepsUnknownDevices) {
  OutageQuorum q("home", 0.5);
  q.Track("a");
  q.SetReachable("b", false, kT0);
  auto restored = RoundTrip(q);
  EXPECT_EQ(restored.state(), PowerState::kUnknown);
  EXPECT_EQ(restored.tracked(), 2);
  EXPECT_EQ(restored.reachable("a"), std::nullopt);
  EXPECT_EQ(restored.reachable("b"), false);
  // Still held by "a"; once it answers, 1 of 2 is out.
  auto events = restored.SetReachable("a", true, kT0 + kStep);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kPowerLost);
  EXPECT_FALSE(events[0].data.contains("was_on_for_s"));
}

class QuorumRestoreGarbage : public ::testing::TestWithParam<std::string> {};

TEST_P(QuorumRestoreGarbage, GivesAFreshQuorum) {
  auto q = OutageQuorum::Restore("home", 0.5, boost::json::parse(GetParam()).as_object());
  EXPECT_EQ(q.state(), PowerState::kUnknown);
  EXPECT_EQ(q.tracked(), 0);
  EXPECT_EQ(q.since(), std::nullopt);
  auto events = q.SetReachable("a", false, kT0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Describe(events), "lost@0[a 1/1]");
}

INSTANTIATE_TEST_SUITE_P(
    Snapshots, QuorumRestoreGarbage,
    ::testing::Values(R"({})", R"({"state":"down","since_ms":0,"devices":{"a":false}})",
                      R"({"version":2,"state":"down","since_ms":0,"devices":{"a":false}})",
                      R"({"version":1,"state":"out","since_ms":0,"devices":{"a":false}})",
                      R"({"version":1,"since_ms":0,"devices":{"a":false}})",
                      R"({"version":1,"state":"down","devices":{"a":false}})",
                      R"({"version":1,"state":"down","since_ms":"0","devices":{"a":false}})",
                      R"({"version":1,"state":"down","since_ms":-5,"devices":{"a":false}})",
                      R"({"version":1,"state":"up","since_ms":9223372036854775807,)"
                      R"("devices":{"a":true}})",
                      R"({"version":1,"state":"down","since_ms":0})",
                      R"({"version":1,"state":"down","since_ms":0,"devices":["a"]})",
                      R"({"version":1,"state":"down","since_ms":0,"devices":{"a":0}})",
                      R"({"version":1,"state":"down","since_ms":0,"devices":{"a":"false"}})",
                      R"({"version":1,"state":"down","since_ms":0,"devices":{"a":{}}})",
                      R"({"version":1,"state":"up","since_ms":0,"devices":{"a":true,"b":1}})"));

}  // namespace
}  // namespace plugwatch::detect
