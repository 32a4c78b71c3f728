#include "plugwatch/core/event.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace plugwatch {

TEST(Event, StableJsonForm) {
  Event e;
  e.id = 123;
  e.ts = FromUnixMillis(1'795'860'000'000);
  e.type = EventType::kCycleFinished;
  e.device = "washer";
  e.site = "home";
  e.data["duration_s"] = 60;
  EXPECT_EQ(boost::json::serialize(ToJson(e)),
            R"({"id":123,"ts":"2026-11-28T10:00:00.000Z","type":"cycle_finished",)"
            R"("device":"washer","site":"home","data":{"duration_s":60}})");
  auto back = EventFromJson(ToJson(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 123);
  EXPECT_EQ(back->type, EventType::kCycleFinished);
  EXPECT_EQ(back->data.at("duration_s").as_int64(), 60);
}

TEST(Event, TypeNamesRoundTrip) {
  for (auto t : {EventType::kDeviceActive, EventType::kCycleFinished, EventType::kDeviceOffline,
                 EventType::kDeviceOnline, EventType::kPowerLost, EventType::kPowerRestored,
                 EventType::kSwitchedOn, EventType::kSwitchedOff})
    EXPECT_EQ(ParseEventType(ToString(t)), t);
  EXPECT_FALSE(ParseEventType("kettle_boiled"));
}

}  // namespace plugwatch
