#include "plugwatch/engine/power_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugwatch/core/time.h"

namespace plugwatch::engine {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;

constexpr long long kT0ms = 1'700'000'000'000LL;
TimePoint At(long long s) { return FromUnixMillis(kT0ms + s * 1000); }

config::Config TwoLabels() {
  config::Config cfg;
  cfg.heartbeats.push_back({"POWER", "", seconds(1), seconds(2), "home"});
  cfg.heartbeats.push_back({"GENERATOR", "", seconds(1), seconds(2), "home"});
  config::SiteConfig cabin;
  cabin.id = "cabin";
  cabin.outage_quorum = 1.0;
  cfg.sites = {config::SiteConfig{}, cabin};
  return cfg;
}

DeviceSpec Probe(std::string id, std::string site = "home", bool in_quorum = true) {
  DeviceSpec d;
  d.id = std::move(id);
  d.kind = "http";
  d.address = "127.0.0.1:1";
  d.site = std::move(site);
  d.in_quorum = in_quorum;
  return d;
}

std::vector<std::string> Devices(const Event& e) {
  std::vector<std::string> out;
  for (const auto& d : e.data.at("devices").as_array()) out.emplace_back(d.as_string());
  return out;
}

TEST(PowerWatch, ASilentLabelIsLostWhileTheOtherStaysUp) {
  auto cfg = TwoLabels();
  PowerWatch w(cfg);
  EXPECT_FALSE(w.NextDeadline());
  w.OnHeartbeat("POWER", At(0));
  w.OnHeartbeat("GENERATOR", At(0));
  EXPECT_EQ(w.NextDeadline(), At(3));
  for (int s = 1; s <= 10; ++s) w.OnHeartbeat("GENERATOR", At(s));
  auto lost = w.OnTick(At(3));
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].type, EventType::kPowerLost);
  EXPECT_EQ(lost[0].data.at("label").as_string(), "POWER");
  EXPECT_EQ(w.labels().at("GENERATOR").state(), detect::PowerState::kUp);
  EXPECT_EQ(w.NextDeadline(), At(13));  // only GENERATOR has one now
  EXPECT_TRUE(w.OnTick(At(10)).empty());
}

TEST(PowerWatch, UnknownLabelsAreIgnored) {
  auto cfg = TwoLabels();
  PowerWatch w(cfg);
  EXPECT_FALSE(w.HasLabel("NOPE"));
  EXPECT_TRUE(w.HasLabel("POWER"));
  EXPECT_TRUE(w.OnHeartbeat("NOPE", At(0)).empty());
  EXPECT_FALSE(w.NextDeadline());
}

TEST(PowerWatch, TwoOfThreeProbesDownIsASiteOutage) {
  auto cfg = TwoLabels();
  PowerWatch w(cfg);
  for (const char* id : {"a", "b", "c"}) EXPECT_TRUE(w.SetDevice(Probe(id), true, At(0)).empty());
  EXPECT_TRUE(w.SetDevice(Probe("a"), false, At(10)).empty());  // 1 of 3 < 0.5
  auto lost = w.SetDevice(Probe("b"), false, At(11));
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].type, EventType::kPowerLost);
  EXPECT_EQ(lost[0].site, "home");
  EXPECT_THAT(Devices(lost[0]), ElementsAre("a", "b"));
  auto back = w.SetDevice(Probe("a"), true, At(20));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].type, EventType::kPowerRestored);
  EXPECT_DOUBLE_EQ(back[0].data.at("was_off_for_s").as_double(), 9.0);
}

TEST(PowerWatch, DevicesOutsideTheQuorumDoNotCount) {
  auto cfg = TwoLabels();
  PowerWatch w(cfg);
  w.SetDevice(Probe("a"), true, At(0));
  w.SetDevice(Probe("plug", "home", false), false, At(0));
  EXPECT_EQ(w.sites().at("home").tracked(), 1);
  EXPECT_EQ(w.sites().at("home").state(), detect::PowerState::kUp);
}

TEST(PowerWatch, ADeviceThatMovesSiteLeavesTheOldQuorum) {
  auto cfg = TwoLabels();
  PowerWatch w(cfg);
  w.SetDevice(Probe("a"), true, At(0));
  w.SetDevice(Probe("b"), false, At(0));  // 1 of 2: out at 0.5
  ASSERT_EQ(w.sites().at("home").state(), detect::PowerState::kDown);
  auto moved = w.SetDevice(Probe("b", "cabin"), false, At(5));
  ASSERT_EQ(moved.size(), 2u);  // home restored; cabin (quorum 1.0, 1 of 1) lost
  EXPECT_EQ(moved[0].type, EventType::kPowerRestored);
  EXPECT_EQ(moved[0].site, "home");
  EXPECT_EQ(moved[1].type, EventType::kPowerLost);
  EXPECT_EQ(moved[1].site, "cabin");
  auto removed = w.RemoveDevice("b", At(6));
  ASSERT_EQ(removed.size(), 0u);  // cabin has nothing left to judge: it stays down
  EXPECT_EQ(w.sites().at("cabin").state(), detect::PowerState::kDown);
}

TEST(PowerWatch, StateSurvivesSnapshotAndRestore) {
  auto cfg = TwoLabels();
  PowerWatch before(cfg);
  before.OnHeartbeat("POWER", At(0));
  before.OnTick(At(5));  // lost
  before.SetDevice(Probe("a"), false, At(5));
  auto snaps = before.Snapshots();
  EXPECT_TRUE(snaps.contains("label:POWER"));
  EXPECT_TRUE(snaps.contains("site:home"));
  snaps["label:GONE"] = boost::json::object{{"version", 1}};

  PowerWatch after(cfg);
  after.Restore(snaps);
  EXPECT_EQ(after.labels().at("POWER").state(), detect::PowerState::kDown);
  EXPECT_EQ(after.sites().at("home").state(), detect::PowerState::kDown);
  EXPECT_FALSE(after.HasLabel("GONE"));
  auto back = after.OnHeartbeat("POWER", At(60));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_DOUBLE_EQ(back[0].data.at("was_off_for_s").as_double(), 59.0);  // from At(1)
}

TEST(OutageFromEvent, LostOpensAndRestoredClosesWithTheStart) {
  Event lost = MakeEvent(EventType::kPowerLost, At(10), "", "home");
  lost.data = {{"cause", "quorum"},
               {"started_at", FormatTimestamp(At(9))},
               {"devices", boost::json::array{"a", "b"}}};
  auto open = OutageFromEvent(lost);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->cause, "quorum");
  EXPECT_EQ(open->label, "");
  EXPECT_EQ(open->started_at, At(9));
  EXPECT_FALSE(open->ended_at);
  EXPECT_THAT(open->devices, ElementsAre("a", "b"));

  Event back = MakeEvent(EventType::kPowerRestored, At(70), "", "home");
  back.data = {{"cause", "heartbeat"},
               {"label", "POWER"},
               {"started_at", FormatTimestamp(At(9))},
               {"devices", boost::json::array{"c"}}};
  auto closed = OutageFromEvent(back);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->label, "POWER");
  EXPECT_EQ(closed->ended_at, At(70));
  EXPECT_TRUE(closed->devices.empty());

  EXPECT_FALSE(OutageFromEvent(MakeEvent(EventType::kDeviceOnline, At(1), "a", "home")));
}

}  // namespace
}  // namespace plugwatch::engine
