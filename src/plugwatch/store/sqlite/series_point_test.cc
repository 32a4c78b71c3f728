#include "plugwatch/store/sqlite/series_point.h"

#include <gtest/gtest.h>

namespace plugwatch::store::sqlite {
namespace {

SeriesPoint P(long long ts, long long n, long long sum, std::optional<long long> max,
              std::optional<long long> energy, std::optional<bool> on) {
  return {ts, n, sum, max, energy, on};
}

TEST(DownsampleTest, MergesEqualShares) {
  std::vector<SeriesPoint> in = {
      P(0, 1, 100, 100, 10, true),
      P(10, 3, 600, 300, 20, false),
      P(50, 1, 50, 50, std::nullopt, std::nullopt),
      P(60, 2, 400, 250, 40, true),
  };
  auto out = Downsample(in, 0, 99, 2);  // shares [0, 50) and [50, 100)
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ts, 0);
  EXPECT_EQ(out[0].n, 4);
  EXPECT_EQ(out[0].power_sum_mw, 700);
  EXPECT_EQ(out[0].power_max_mw, 300);
  EXPECT_EQ(out[0].energy_mwh, 20);
  EXPECT_EQ(out[0].on, false);
  EXPECT_EQ(out[1].ts, 50);
  EXPECT_EQ(out[1].n, 3);
  EXPECT_EQ(out[1].power_max_mw, 250);
  EXPECT_EQ(out[1].energy_mwh, 40);  // the last point that has one
  EXPECT_EQ(out[1].on, true);
}

TEST(DownsampleTest, NeverExceedsMaxPoints) {
  std::vector<SeriesPoint> in;
  for (long long ts = -500; ts < 10'000; ts += 7) in.push_back(P(ts, 1, 1, 1, ts, true));
  for (int max_points : {1, 3, 100, 999}) {
    auto out = Downsample(in, 0, 9'999, max_points);
    EXPECT_LE(out.size(), static_cast<std::size_t>(max_points));
    long long n = 0;
    for (const auto& p : out) n += p.n;
    EXPECT_EQ(n, static_cast<long long>(in.size())) << max_points;  // no reading lost
  }
}

TEST(DownsampleTest, PointsBeforeTheWindowJoinTheFirstGroup) {
  std::vector<SeriesPoint> in = {P(-3'600'000, 1, 5, 5, 1, true), P(10, 1, 7, 7, 2, true)};
  auto out = Downsample(in, 0, 100, 10);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ts, -3'600'000);
  EXPECT_EQ(out[0].n, 2);
}

TEST(ToReadingPointTest, ConvertsUnitsAndMeans) {
  auto r = ToReadingPoint(P(1'000, 4, 10'000, 4'000, 1'500, true));
  EXPECT_EQ(r.ts, FromUnixMillis(1'000));
  EXPECT_DOUBLE_EQ(*r.power_w, 2.5);
  EXPECT_DOUBLE_EQ(*r.max_power_w, 4.0);
  EXPECT_DOUBLE_EQ(*r.energy_wh, 1.5);
  EXPECT_EQ(r.on, true);

  auto empty = ToReadingPoint(P(0, 0, 0, std::nullopt, std::nullopt, std::nullopt));
  EXPECT_FALSE(empty.power_w);
  EXPECT_FALSE(empty.max_power_w);
  EXPECT_FALSE(empty.energy_wh);
  EXPECT_FALSE(empty.on);
}

}  // namespace
}  // namespace plugwatch::store::sqlite
