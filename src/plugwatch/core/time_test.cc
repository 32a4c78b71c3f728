#include "plugwatch/core/time.h"

#include <gtest/gtest.h>

namespace plugwatch {

TEST(Timestamp, FormatsUtcWithMillis) {
  EXPECT_EQ(FormatTimestamp(FromUnixMillis(1'795'860'000'123)), "2026-11-28T10:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
}

TEST(Timestamp, ParsesOffsetsAndFractions) {
  EXPECT_EQ(UnixMillis(*ParseTimestamp("2026-11-28T10:00:00.123Z")), 1'795'860'000'123);
  EXPECT_EQ(UnixMillis(*ParseTimestamp("2026-11-28T12:00:00+02:00")), 1'795'860'000'000);
  EXPECT_EQ(UnixMillis(*ParseTimestamp("2026-11-28T10:00:00.5Z")), 1'795'860'000'500);
}

TEST(Timestamp, RejectsGarbageWithMessage) {
  auto r = ParseTimestamp("yesterday");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context,
            "'yesterday' is not an RFC 3339 timestamp (expected like 2026-11-22T10:00:00.000Z)");
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("5s")->count(), 5000);
  EXPECT_EQ(ParseDuration("3m")->count(), 180'000);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5'400'000);
  EXPECT_EQ(ParseDuration("2d")->count(), 172'800'000);
}

TEST(Duration, RejectsMissingUnitAndGarbage) {
  for (auto s : {"5", "", "5x", "-5s", "s", "1.5s"}) EXPECT_FALSE(ParseDuration(s)) << s;
  EXPECT_EQ(ParseDuration("5").error().context,
            "'5' is not a duration (use a number with a unit: ms, s, m, h, d — e.g. \"250ms\", "
            "\"5s\", \"3m\", \"1h30m\")");
}

TEST(Duration, FormatsRoundTrip) {
  EXPECT_EQ(FormatDuration(Duration(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(Duration(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(Duration(0)), "0s");
  for (long long ms : {1LL, 999LL, 61'000LL, 86'400'001LL})
    EXPECT_EQ(ParseDuration(FormatDuration(Duration(ms)))->count(), ms);
}

TEST(Time, DailyWindows) {
  auto night = ParseDailyWindow("22:00-08:00");
  ASSERT_TRUE(night && *night);
  EXPECT_EQ(**night, (DailyWindow{22 * 60, 8 * 60}));
  EXPECT_TRUE((*night)->Contains(22 * 60));
  EXPECT_TRUE((*night)->Contains(23 * 60 + 59));
  EXPECT_TRUE((*night)->Contains(0));
  EXPECT_TRUE((*night)->Contains(7 * 60 + 59));
  EXPECT_FALSE((*night)->Contains(8 * 60));
  EXPECT_FALSE((*night)->Contains(21 * 60 + 59));
  auto day = ParseDailyWindow("09:30-17:00");
  ASSERT_TRUE(day && *day);
  EXPECT_TRUE((*day)->Contains(9 * 60 + 30));
  EXPECT_FALSE((*day)->Contains(17 * 60));
  EXPECT_FALSE((*day)->Contains(3 * 60));
  for (const char* none : {"", "off"}) {
    auto w = ParseDailyWindow(none);
    ASSERT_TRUE(w);
    EXPECT_FALSE(w->has_value());
  }
  for (const char* badw : {"22-08", "24:00-08:00", "22:60-08:00", "2200-0800", "22:00 - 08:00",
                           "aa:bb-cc:dd", "22:00-8:00"}) {
    auto w = ParseDailyWindow(badw);
    ASSERT_FALSE(w) << badw;
    EXPECT_NE(w.error().message().find("HH:MM-HH:MM"), std::string::npos);
  }
}

}  // namespace plugwatch
