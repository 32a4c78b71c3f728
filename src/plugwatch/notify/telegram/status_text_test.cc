// /status, /devices and /outages texts from live state and stored outages.
#include "plugwatch/notify/telegram/status_text.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace plugwatch::notify::telegram {
namespace {

using detect::PowerState;

// 2023-11-14 22:13:20 UTC.
const TimePoint kNow = TimePoint(Duration(1'700'000'000'000LL));
TimePoint Ago(long long s) { return kNow - Duration(s * 1000); }

TEST(StatusText, PowerOfSitesAndLabelsWithSinceAndHowLong) {
  std::vector<engine::PowerLine> lines{{"home", "", PowerState::kDown, Ago(7500)},
                                       {"home", "POWER", PowerState::kUp, Ago(180)},
                                       {"dacha", "", PowerState::kUnknown, std::nullopt}};
  const std::string en = StatusText(lines, "en", kNow);
  EXPECT_EQ(en,
            "Power now:\n"
            "🔴 home: power is OFF since 2023-11-14 20:08 (2 h 5 min)\n"
            "🟢 POWER: power is ON since 2023-11-14 22:10 (3 min)\n"
            "⚪ dacha: not known yet");
  const std::string uk = StatusText(lines, "uk", kNow);
  EXPECT_NE(uk.find("світла НЕМАЄ з 2023-11-14 20:08 (2 год 5 хв)"), std::string::npos) << uk;
  EXPECT_EQ(StatusText({}, "en", kNow), "No sites or heartbeat labels are watched yet.");
}

// Times are the site's local time: Kyiv is UTC+2 in November.
TEST(StatusText, TimesAreInTheSitesTimeZone) {
  config::Config cfg;
  cfg.sites = {{.id = "home", .timezone = "Europe/Kyiv"}};
  const config::SiteTimes times(cfg);
  std::vector<engine::PowerLine> lines{{"home", "", PowerState::kDown, Ago(7500)},
                                       {"dacha", "", PowerState::kUp, Ago(7500)}};
  EXPECT_EQ(StatusText(lines, "en", kNow, times),
            "Power now:\n"
            "🔴 home: power is OFF since 2023-11-14 22:08 (2 h 5 min)\n"
            "🟢 dacha: power is ON since 2023-11-14 20:08 (2 h 5 min)");
  store::OutageRecord o;
  o.site = "home";
  o.started_at = Ago(86'400);
  o.ended_at = Ago(86'400 - 3600);
  EXPECT_NE(
      OutagesText({o}, "en", kNow, 10, times).find("home: 2023-11-14 00:13 – 2023-11-14 01:13"),
      std::string::npos);
}

TEST(StatusText, DevicesShowStateAndRunningCycles) {
  engine::DeviceLine washer{"washer", "Washing machine", "home", {}};
  washer.state.reachable = true;
  washer.state.on = true;
  washer.state.power_w = 512.4;
  washer.state.activity = "stopping";  // paused: `since` is the pause's start
  washer.state.since = Ago(60);
  washer.state.cycle_started_at = Ago(23 * 60);
  engine::DeviceLine lamp{"lamp", "Lamp", "home", {}};
  lamp.state.reachable = true;
  lamp.state.on = false;
  engine::DeviceLine fridge{"fridge", "Fridge", "home", {}};
  fridge.state.reachable = false;
  fridge.state.since = Ago(60);
  engine::DeviceLine fresh{"new", "New plug", "home", {}};
  EXPECT_EQ(DevicesText({washer, lamp, fridge, fresh}, "en", kNow),
            "Devices:\n"
            "🟢 Washing machine: on, 512 W\n"
            "    ▶ running for 23 min\n"
            "⚫ Lamp: off\n"
            "❌ Fridge: not reachable since 2023-11-14 22:12\n"
            "⚪ New plug: no reading yet");
  EXPECT_EQ(DevicesText({}, "cs", kNow), "Nesleduje se žádné zařízení.");
}

TEST(StatusText, OutagesNewestFirstWithDurationsAndALimit) {
  std::vector<store::OutageRecord> outages;
  store::OutageRecord ongoing;
  ongoing.site = "home";
  ongoing.label = "POWER";
  ongoing.cause = "heartbeat";
  ongoing.started_at = Ago(600);
  outages.push_back(ongoing);
  for (int i = 0; i < 12; ++i) {
    store::OutageRecord o;
    o.site = "home";
    o.cause = "quorum";
    o.started_at = Ago(86'400 * (i + 1));
    o.ended_at = Ago(86'400 * (i + 1) - 3600);
    outages.push_back(o);
  }
  const std::string text = OutagesText(outages, "en", kNow, 10);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 10);
  EXPECT_NE(text.find("POWER: since 2023-11-14 22:03, 10 min so far"), std::string::npos) << text;
  EXPECT_NE(text.find("home: 2023-11-13 22:13 – 2023-11-13 23:13, 1 h"), std::string::npos) << text;
  EXPECT_EQ(OutagesText({}, "en", kNow), "No power outages recorded.");
}

}  // namespace
}  // namespace plugwatch::notify::telegram
