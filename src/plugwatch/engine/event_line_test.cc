#include "plugwatch/engine/event_line.h"

#include <gtest/gtest.h>

namespace plugwatch::engine {

TEST(EventLine, CycleFinished) {
  Event e;
  e.ts = FromUnixMillis(1'795'860'000'000);
  e.type = EventType::kCycleFinished;
  e.device = "washer";
  e.data["duration_s"] = 4320.0;
  e.data["energy_wh"] = 840.0;
  e.data["peak_w"] = 2100.0;
  e.data["cost"] = 0.21;
  e.data["currency"] = "€";
  EXPECT_EQ(FormatEventLine(e),
            "2026-11-28T10:00:00.000Z  washer     cycle_finished  finished after 1 h 12 min, "
            "840 Wh, peak 2.1 kW, 0.21 €");
}

TEST(EventLine, SwitchedAndOnline) {
  Event e;
  e.type = EventType::kSwitchedOff;
  e.data["source"] = "device";
  EXPECT_EQ(SummarizeEvent(e), "switched off (device)");
  e.type = EventType::kDeviceOnline;
  e.data["offline_for_s"] = 125;
  EXPECT_EQ(SummarizeEvent(e), "online again after 2 min 5 s");
}

TEST(EventLine, PowerEventsSayWhy) {
  Event e;
  e.ts = FromUnixMillis(1'795'860'000'000);
  e.type = EventType::kPowerLost;
  e.site = "home";
  e.data = {{"cause", "quorum"},
            {"devices", boost::json::array{"router", "nas"}},
            {"unreachable", 2},
            {"total", 3}};
  EXPECT_EQ(FormatEventLine(e),
            "2026-11-28T10:00:00.000Z  home       power_lost      power lost — 2 of 3 devices "
            "unreachable (router, nas)");
  e.data = {{"cause", "heartbeat"},
            {"label", "POWER"},
            {"last_heartbeat_at", "2026-11-28T09:59:10.000Z"}};
  EXPECT_EQ(SummarizeEvent(e),
            "power lost — no heartbeat from POWER since 2026-11-28T09:59:10.000Z");
  e.type = EventType::kPowerRestored;
  e.data = {{"cause", "heartbeat"}, {"label", "POWER"}, {"was_off_for_s", 7500.0}};
  EXPECT_EQ(SummarizeEvent(e), "power restored after 2 h 5 min (POWER)");
}

}  // namespace plugwatch::engine
