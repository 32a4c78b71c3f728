#include "plugwatch/detect/energy_counter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "plugwatch/detect/reading_stream_testutil.h"

namespace plugwatch::detect {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::kT0;
using testing::ReadingStream;

struct CounterCase {
  std::string name;
  ReadingStream stream;
  double expected_wh;
};
void PrintTo(const CounterCase& c, std::ostream* os) { *os << c.name; }

class EnergyCounterTable : public ::testing::TestWithParam<CounterCase> {};

TEST_P(EnergyCounterTable, IntegratesLeftRiemann) {
  const auto& c = GetParam();
  EnergyCounter counter;
  double sum = 0;
  for (const auto& r : c.stream.readings()) {
    double added = counter.Add(r);
    EXPECT_GE(added, 0);
    sum += added;
  }
  EXPECT_NEAR(counter.total_wh(), c.expected_wh, 1e-9);
  EXPECT_NEAR(sum, c.expected_wh, 1e-9);
}

// Each stream ends with one reading that closes the last measured step.
INSTANTIATE_TEST_SUITE_P(
    Streams, EnergyCounterTable,
    ::testing::Values(
        CounterCase{"constant_100w_for_1h",
                    ReadingStream(minutes(1)).Power(100, hours(1)).Power(0, minutes(1)), 100},
        CounterCase{"steps_held_until_next_reading",
                    ReadingStream(seconds(10))
                        .Power(60, minutes(1))
                        .Power(120, minutes(1))
                        .Power(0, seconds(10)),
                    1.0 + 2.0},
        CounterCase{"gap_longer_than_max_gap_counts_zero",
                    ReadingStream(minutes(1))
                        .Power(600, minutes(10))  // 10 steps, the last one across the gap
                        .Jump(minutes(10))
                        .Power(600, minutes(10))
                        .Power(0, minutes(1)),
                    600.0 * 19 / 60},
        CounterCase{"gap_equal_to_max_gap_counts",
                    ReadingStream(minutes(5)).Power(120, minutes(10)).Power(0, minutes(5)), 20},
        CounterCase{"unreachable_polls_are_bridged",
                    ReadingStream(seconds(30))
                        .Power(360, minutes(1))
                        .Unreachable(minutes(1))
                        .Power(360, minutes(1))
                        .Power(0, seconds(30)),
                    360.0 * 3 / 60},
        CounterCase{
            "reading_without_power_is_skipped",
            ReadingStream(seconds(30)).Power(120, minutes(1)).NoPower().Power(0, seconds(30)),
            120.0 * 1.5 / 60},
        CounterCase{"backwards_step_adds_nothing_and_rebases",
                    ReadingStream(minutes(1))
                        .Power(60, minutes(10))
                        .Jump(-hours(1))
                        .Power(60, minutes(10))
                        .Power(0, minutes(1)),
                    60.0 * 19 / 60},
        CounterCase{"duplicate_timestamp_adds_nothing",
                    ReadingStream(minutes(1))
                        .Power(60, minutes(1))
                        .Jump(-minutes(1))
                        .Power(60, minutes(1))
                        .Power(0, minutes(1)),
                    1}),
    [](const auto& info) { return info.param.name; });

TEST(EnergyCounter, StartsFromGivenTotalAndFirstReadingIsBaseline) {
  EnergyCounter counter(1234.5);
  Reading r{.device = "d", .at = kT0, .reachable = true, .power_w = 1000};
  EXPECT_EQ(counter.Add(r), 0);
  r.at += minutes(5);
  EXPECT_NEAR(counter.Add(r), 1000.0 / 12, 1e-9);
  EXPECT_NEAR(counter.total_wh(), 1234.5 + 1000.0 / 12, 1e-9);
}

TEST(EnergyCounter, NonFiniteAndNegativePower) {
  EnergyCounter counter;
  Reading r{.device = "d", .at = kT0, .reachable = true, .power_w = 100};
  counter.Add(r);
  r.at += minutes(1);
  r.power_w = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(counter.Add(r), 0);  // skipped: the 100 W baseline stays
  r.at += minutes(1);
  r.power_w = -50;
  EXPECT_NEAR(counter.Add(r), 100.0 * 2 / 60, 1e-9);
  r.at += minutes(1);
  r.power_w = 0;
  EXPECT_EQ(counter.Add(r), 0);  // the negative reading counted as 0 W
  EXPECT_EQ(counter.last_power_w(), 0);
}

TEST(EnergyCounter, ResumeContinuesAcrossRestart) {
  EnergyCounter before;
  Reading r{.device = "d", .at = kT0, .reachable = true, .power_w = 600};
  before.Add(r);
  EnergyCounter after(before.total_wh());
  after.Resume(*before.last_at(), before.last_power_w());
  r.at += minutes(1);
  EXPECT_NEAR(after.Add(r), 10, 1e-9);
}

TEST(EnergyCounter, UsablePower) {
  Reading r{.device = "d", .at = kT0, .reachable = true, .power_w = 5};
  EXPECT_EQ(UsablePower(r), 5);
  r.power_w = -1;
  EXPECT_EQ(UsablePower(r), 0);
  r.power_w = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(UsablePower(r));
  r.power_w.reset();
  EXPECT_FALSE(UsablePower(r));
  r.power_w = 5;
  r.reachable = false;
  EXPECT_FALSE(UsablePower(r));
}

}  // namespace
}  // namespace plugwatch::detect
