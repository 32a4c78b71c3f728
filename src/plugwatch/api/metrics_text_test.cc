#include "plugwatch/api/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace plugwatch::api {
namespace {

TEST(MetricsText, FamiliesAndEscapedLabels) {
  MetricsText m;
  m.Family("plugwatch_power_watts", "gauge", "Power now, in watts.");
  m.Sample("plugwatch_power_watts", {{"device", "wa\"sh\\er\n"}, {"site", "home"}}, 12.5);
  m.Sample("plugwatch_power_watts", {}, 0);
  EXPECT_EQ(m.text(),
            "# HELP plugwatch_power_watts Power now, in watts.\n"
            "# TYPE plugwatch_power_watts gauge\n"
            "plugwatch_power_watts{device=\"wa\\\"sh\\\\er\\n\",site=\"home\"} 12.5\n"
            "plugwatch_power_watts 0\n");
}

TEST(MetricsText, HistogramEndsWithInfSumAndCount) {
  MetricsText m;
  m.Histogram("x_seconds", {{"a", "b"}}, {0.1, 1}, {3, 5}, 6, 2.25);
  EXPECT_EQ(m.text(),
            "x_seconds_bucket{a=\"b\",le=\"0.1\"} 3\n"
            "x_seconds_bucket{a=\"b\",le=\"1\"} 5\n"
            "x_seconds_bucket{a=\"b\",le=\"+Inf\"} 6\n"
            "x_seconds_sum{a=\"b\"} 2.25\n"
            "x_seconds_count{a=\"b\"} 6\n");
}

TEST(MetricsText, SpecialNumbers) {
  MetricsText m;
  m.Sample("n", {}, std::nan(""));
  m.Sample("i", {}, std::numeric_limits<double>::infinity());
  EXPECT_EQ(m.text(), "n NaN\ni +Inf\n");
}

}  // namespace
}  // namespace plugwatch::api
