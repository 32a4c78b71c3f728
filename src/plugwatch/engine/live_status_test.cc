// LiveStatus's power lines: a site is off when any of its labels (or its
// quorum) is off, since the earliest of those; on when one is on; else unknown.
#include "plugwatch/engine/live_status.h"

#include <gtest/gtest.h>

#include "plugwatch/core/time.h"
#include "plugwatch/engine/power_watch.h"

namespace plugwatch::engine {
namespace {

using detect::PowerState;
using std::chrono::seconds;

TimePoint At(long long s) { return FromUnixMillis(1'700'000'000'000LL + s * 1000); }

config::Config Config() {
  config::Config cfg;
  cfg.heartbeats.push_back({"POWER", "", seconds(1), seconds(2), "home"});
  cfg.heartbeats.push_back({"GENERATOR", "", seconds(1), seconds(2), "home"});
  config::SiteConfig cabin;
  cabin.id = "cabin";
  cfg.sites = {config::SiteConfig{}, cabin};
  return cfg;
}

TEST(LiveStatus, SitesThenLabelsWithTheSiteOffWhileAnyLabelIsOff) {
  auto cfg = Config();
  PowerWatch w(cfg);
  auto lines = PowerLines(w, cfg);
  ASSERT_EQ(lines.size(), 4u);  // cabin, home, then GENERATOR, POWER
  EXPECT_EQ(lines[0].site, "cabin");
  EXPECT_EQ(lines[0].state, PowerState::kUnknown);
  EXPECT_EQ(lines[1].site, "home");
  EXPECT_EQ(lines[1].label, "");
  EXPECT_EQ(lines[1].state, PowerState::kUnknown);

  w.OnHeartbeat("POWER", At(0));
  w.OnHeartbeat("GENERATOR", At(5));
  lines = PowerLines(w, cfg);
  EXPECT_EQ(lines[1].state, PowerState::kUp);
  EXPECT_EQ(lines[1].since, w.labels().at("GENERATOR").since());  // the latest return

  for (int s = 6; s <= 10; ++s) w.OnHeartbeat("GENERATOR", At(s));
  ASSERT_EQ(w.OnTick(At(4)).size(), 1u);  // POWER silent: lost
  lines = PowerLines(w, cfg);
  EXPECT_EQ(lines[1].state, PowerState::kDown);
  EXPECT_EQ(lines[1].since, w.labels().at("POWER").since());
  EXPECT_EQ(lines[2].label, "GENERATOR");
  EXPECT_EQ(lines[2].state, PowerState::kUp);
  EXPECT_EQ(lines[3].label, "POWER");
  EXPECT_EQ(lines[3].site, "home");
  EXPECT_EQ(lines[3].state, PowerState::kDown);
}

TEST(LiveStatus, SitePowerPrefersOffAndTheEarliestOutage) {
  SitePower sp;
  sp.Add(PowerState::kUp, At(10));
  sp.Add(PowerState::kUp, At(20));
  EXPECT_EQ(sp.state, PowerState::kUp);
  EXPECT_EQ(sp.since, At(20));
  sp.Add(PowerState::kDown, At(30));
  sp.Add(PowerState::kDown, At(25));
  sp.Add(PowerState::kUp, At(40));
  sp.Add(PowerState::kUnknown, At(50));
  EXPECT_EQ(sp.state, PowerState::kDown);
  EXPECT_EQ(sp.since, At(25));
}

}  // namespace
}  // namespace plugwatch::engine
