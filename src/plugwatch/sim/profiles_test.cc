#include "plugwatch/sim/profiles.h"

#include <gtest/gtest.h>

#include <chrono>

namespace plugwatch::sim {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Profile Make(std::string_view name, double watts = 0) {
  auto p = Profile::Make(name, watts);
  EXPECT_TRUE(p) << name;
  return *p;
}

// Energy by summing PowerAt once per second: exact when every segment
// boundary falls on a whole second, as in all built-in profiles.
double SumPerSecondWh(const Profile& p, Duration from, Duration to) {
  double ws = 0;
  for (Duration t = from; t < to; t += seconds(1)) ws += p.PowerAt(t);
  return ws / 3600.0;
}

TEST(Profile, CatalogListsTheBuiltIns) {
  std::vector<std::string_view> names;
  for (const ProfileInfo& p : Profile::Catalog()) {
    names.push_back(p.name);
    EXPECT_FALSE(p.summary.empty());
    EXPECT_TRUE(Profile::Make(p.name, 100)) << p.name;
  }
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"washer", "dryer", "kettle", "fridge", "constant"}));
}

TEST(Profile, RejectsUnknownNamesAndBadWatts) {
  auto unknown = Profile::Make("toaster", 0);
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(Errc::kInvalidArgument));
  EXPECT_EQ(unknown.error().context,
            "unknown power profile 'toaster' (known: washer, dryer, kettle, fridge, constant)");
  EXPECT_EQ(Profile::Make("constant", -5).error().context,
            "constant profile needs watts ≥ 0 (got -5)");
  EXPECT_FALSE(Profile::FromSegments("x", {}));
  EXPECT_FALSE(Profile::FromSegments("x", {{seconds(0), 5}}));
  EXPECT_FALSE(Profile::FromSegments("x", {{seconds(1), -1}}));
  EXPECT_EQ(Profile::FromSegments("x", {{seconds(1), 5}, {seconds(0), 1}}).error().context,
            "profile 'x' segment 1: needs a length > 0 and watts ≥ 0");
}

TEST(Profile, DefaultIsAnEmptySocket) {
  const Profile p;
  EXPECT_EQ(p.PowerAt(hours(5)), 0);
  EXPECT_EQ(p.EnergyWhBetween(Duration(0), hours(5)), 0);
}

TEST(Profile, Kettle90SecondsIs50Wh) {
  const Profile k = Make("kettle");
  EXPECT_EQ(k.PowerAt(Duration(0)), 2000);
  EXPECT_EQ(k.PowerAt(milliseconds(89'999)), 2000);
  EXPECT_EQ(k.PowerAt(seconds(90)), 0);  // a boundary belongs to the next segment
  EXPECT_EQ(k.cycle_length(), seconds(90) + minutes(20));
  EXPECT_DOUBLE_EQ(k.EnergyWhBetween(Duration(0), seconds(90)), 50.0);
  EXPECT_DOUBLE_EQ(k.EnergyWhBetween(Duration(0), k.cycle_length()), 50.0);
  EXPECT_DOUBLE_EQ(k.EnergyWhBetween(Duration(0), 10 * k.cycle_length()), 500.0);
  EXPECT_DOUBLE_EQ(k.EnergyWhBetween(seconds(60), seconds(120)), 2000.0 * 30 / 3600);
  // Second boil starts one cycle later.
  EXPECT_EQ(k.PowerAt(k.cycle_length() + seconds(1)), 2000);
}

TEST(Profile, WasherHasHeatingPausesSpinAndStandby) {
  const Profile w = Make("washer");
  Duration active{0}, heating{0}, spin{0}, standby{0};
  int pauses = 0;
  bool saw_wash = false;
  for (const Segment& s : w.cycle()) {
    if (s.watts >= 1900) heating += s.length;
    if (s.watts >= 150 && s.watts <= 500 && heating > Duration(0)) saw_wash = true;
    if (s.watts == 0.5) {
      ++pauses;
      EXPECT_LE(s.length, minutes(2));
    }
    if (s.watts == 1) {
      standby += s.length;
    } else {
      active += s.length;
    }
  }
  for (std::size_t i = 0; i + 1 < w.cycle().size(); ++i)
    if (w.cycle()[i].watts >= 300 && w.cycle()[i].watts <= 600 && i > w.cycle().size() / 2)
      spin += w.cycle()[i].length;
  EXPECT_TRUE(saw_wash);
  EXPECT_GE(pauses, 1);
  EXPECT_EQ(active, minutes(60));
  EXPECT_EQ(heating, minutes(15));
  EXPECT_EQ(spin, minutes(10));
  EXPECT_EQ(standby, minutes(30));
  EXPECT_EQ(w.cycle_length(), minutes(90));
  EXPECT_EQ(w.PowerAt(minutes(61)), 1);
  EXPECT_GE(w.PowerAt(minutes(5)), 1900);
}

TEST(Profile, DryerRunsAboutAnHourAt2To2Point4Kw) {
  const Profile d = Make("dryer");
  Duration active{0}, heating{0};
  for (const Segment& s : d.cycle()) {
    if (s.watts > 1) active += s.length;
    if (s.watts >= 2000) {
      EXPECT_LE(s.watts, 2400);
      heating += s.length;
    }
  }
  EXPECT_GE(active, hours(1));
  EXPECT_LE(active, minutes(72));
  EXPECT_GE(heating, minutes(50));
  EXPECT_EQ(d.cycle().back().watts, 1);
}

TEST(Profile, FridgeDutyCycle) {
  const Profile f = Make("fridge");
  EXPECT_EQ(f.PowerAt(minutes(1)), 80);
  EXPECT_EQ(f.PowerAt(minutes(20)), 0.5);
  EXPECT_DOUBLE_EQ(f.EnergyWhBetween(Duration(0), minutes(45)), 80 * 0.25 + 0.5 * 0.5);
}

TEST(Profile, ConstantUsesTheGivenWatts) {
  const Profile c = Make("constant", 1000);
  EXPECT_EQ(c.PowerAt(hours(7) + milliseconds(3)), 1000);
  EXPECT_DOUBLE_EQ(c.EnergyWhBetween(minutes(10), minutes(40)), 500);
}

TEST(Profile, IntegralMatchesPerSecondSumForEveryBuiltIn) {
  for (const ProfileInfo& info : Profile::Catalog()) {
    const Profile p = Make(info.name, 123.5);
    const Duration end = p.cycle_length() + minutes(17);
    EXPECT_NEAR(p.EnergyWhBetween(seconds(13), end), SumPerSecondWh(p, seconds(13), end), 1e-9)
        << info.name;
  }
}

TEST(Profile, IntegralIsAdditiveAndPeriodic) {
  const Profile w = Make("washer");
  const Duration a = minutes(7) + milliseconds(123), b = minutes(44) + seconds(9),
                 c = hours(5) + minutes(3);
  EXPECT_NEAR(w.EnergyWhBetween(a, b) + w.EnergyWhBetween(b, c), w.EnergyWhBetween(a, c), 1e-9);
  const Duration year = hours(24 * 365);
  EXPECT_NEAR(w.EnergyWhBetween(year + a, year + b), w.EnergyWhBetween(a, b), 1e-9);
  EXPECT_NEAR(w.EnergyWhBetween(Duration(0), 1000 * w.cycle_length()), 1000 * w.cycle_energy_wh(),
              1e-6);
  EXPECT_EQ(w.EnergyWhBetween(b, a), 0);
  EXPECT_EQ(w.PowerAt(-minutes(5)), w.PowerAt(Duration(0)));
  EXPECT_EQ(w.EnergyWhBetween(-minutes(5), Duration(0)), 0);
}

}  // namespace
}  // namespace plugwatch::sim
