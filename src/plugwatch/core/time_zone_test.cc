#include "plugwatch/core/time_zone.h"

#include <gtest/gtest.h>

#include "plugwatch/core/time.h"

namespace plugwatch {
namespace {

TimePoint At(const char* rfc3339) {
  auto t = ParseTimestamp(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(TimePoint{});
}

long long Hours(Duration d) { return d.count() / 3'600'000; }

TEST(TimeZone, UtcNeedsNoFile) {
  auto z = TimeZone::Load("UTC");
  ASSERT_TRUE(z) << z.error().message();
  EXPECT_EQ(z->Offset(At("2026-07-01T12:00:00Z")).count(), 0);
  EXPECT_EQ(z->MinuteOfDay(At("2026-07-01T22:30:00Z")), 22 * 60 + 30);
}

// The system's Europe/Kyiv: EET (+2) in winter, EEST (+3) from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC.
TEST(TimeZone, KyivFromTheSystemDatabase) {
  auto z = TimeZone::Load("Europe/Kyiv");
  ASSERT_TRUE(z) << z.error().message();
  EXPECT_EQ(Hours(z->Offset(At("2026-01-15T12:00:00Z"))), 2);
  EXPECT_EQ(Hours(z->Offset(At("2026-07-01T12:00:00Z"))), 3);
  EXPECT_EQ(Hours(z->Offset(At("2026-03-29T00:59:59Z"))), 2);
  EXPECT_EQ(Hours(z->Offset(At("2026-03-29T01:00:00Z"))), 3);
  EXPECT_EQ(Hours(z->Offset(At("2026-10-25T00:59:59Z"))), 3);
  EXPECT_EQ(Hours(z->Offset(At("2026-10-25T01:00:00Z"))), 2);
  // Past the last transition in the file the footer rule decides.
  EXPECT_EQ(Hours(z->Offset(At("2045-07-01T12:00:00Z"))), 3);
  EXPECT_EQ(Hours(z->Offset(At("2045-12-01T12:00:00Z"))), 2);
  EXPECT_EQ(z->MinuteOfDay(At("2026-07-01T19:30:00Z")), 22 * 60 + 30);
  EXPECT_EQ(z->MinuteOfDay(At("2026-07-01T21:00:00Z")), 0);
}

TEST(TimeZone, PosixRulesNorthAndSouth) {
  auto cet = TimeZone::FromPosix("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(cet) << cet.error().message();
  EXPECT_EQ(Hours(cet->Offset(At("2030-01-10T00:00:00Z"))), 1);
  EXPECT_EQ(Hours(cet->Offset(At("2030-06-10T00:00:00Z"))), 2);
  // Sydney: DST from the first Sunday of October to the first Sunday of April.
  auto syd = TimeZone::FromPosix("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(syd) << syd.error().message();
  EXPECT_EQ(Hours(syd->Offset(At("2030-01-10T00:00:00Z"))), 11);
  EXPECT_EQ(Hours(syd->Offset(At("2030-07-10T00:00:00Z"))), 10);
  EXPECT_EQ(Hours(syd->Offset(At("2030-12-10T00:00:00Z"))), 11);
  auto fixed = TimeZone::FromPosix("<+0530>-5:30");
  ASSERT_TRUE(fixed) << fixed.error().message();
  EXPECT_EQ(fixed->Offset(At("2030-01-10T00:00:00Z")).count(), 19'800'000);
  auto ny = TimeZone::FromPosix("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(ny) << ny.error().message();
  EXPECT_EQ(Hours(ny->Offset(At("2030-01-10T12:00:00Z"))), -5);
  EXPECT_EQ(Hours(ny->Offset(At("2030-07-10T12:00:00Z"))), -4);
  // Julian days: J60 is March 1 every year.
  auto j = TimeZone::FromPosix("AAA-1BBB,J60/0,J300/0");
  ASSERT_TRUE(j) << j.error().message();
  EXPECT_EQ(Hours(j->Offset(At("2028-02-29T12:00:00Z"))), 1);
  EXPECT_EQ(Hours(j->Offset(At("2028-03-01T12:00:00Z"))), 2);
}

TEST(TimeZone, ErrorsSayWhatToDo) {
  auto unknown = TimeZone::Load("Europe/Atlantis");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(Errc::kNotFound));
  EXPECT_NE(unknown.error().message().find("IANA"), std::string::npos);
  auto region = TimeZone::Load("Europe");
  ASSERT_FALSE(region);
  EXPECT_NE(region.error().message().find("is a region, not a zone"), std::string::npos);
  EXPECT_FALSE(TimeZone::Load("../etc/passwd"));
  EXPECT_FALSE(TimeZone::Load("/etc/passwd"));
  auto garbage =
      TimeZone::FromTzif("not a tz file at all, but long enough to have a header..", "X/Y");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message().find("tzdata"), std::string::npos);
  EXPECT_FALSE(TimeZone::FromPosix("E"));
  EXPECT_FALSE(TimeZone::FromPosix("EET-2EEST,M13.5.0,M10.5.0"));
  EXPECT_FALSE(TimeZone::FromPosix("EET-2EEST,M3.5.0"));
}

TEST(TimeZone, TruncatedFilesAreRefused) {
  auto z = TimeZone::Load("Europe/Kyiv");
  ASSERT_TRUE(z);
  std::FILE* f = std::fopen("/usr/share/zoneinfo/Europe/Kyiv", "rb");
  ASSERT_NE(f, nullptr);
  std::string bytes(4096, '\0');
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
  std::fclose(f);
  for (size_t cut : {size_t{44}, size_t{100}, bytes.size() / 2})
    EXPECT_FALSE(TimeZone::FromTzif(std::string_view(bytes).substr(0, cut), "Europe/Kyiv")) << cut;
  EXPECT_TRUE(TimeZone::FromTzif(bytes, "Europe/Kyiv"));
}

}  // namespace
}  // namespace plugwatch
