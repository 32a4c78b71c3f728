#include "plugwatch/core/human.h"

#include <gtest/gtest.h>

namespace plugwatch {

TEST(Human, Durations) {
  EXPECT_EQ(HumanDuration(0), "0 s");
  EXPECT_EQ(HumanDuration(45), "45 s");
  EXPECT_EQ(HumanDuration(125), "2 min 5 s");
  EXPECT_EQ(HumanDuration(7500), "2 h 5 min");
  EXPECT_EQ(HumanDuration(7200), "2 h");
  EXPECT_EQ(HumanDuration(90000), "1 d 1 h");
  EXPECT_EQ(HumanDuration(-5), "0 s");
}

TEST(Human, EnergyAndPower) {
  EXPECT_EQ(HumanEnergy(850), "850 Wh");
  EXPECT_EQ(HumanEnergy(1250), "1.25 kWh");
  EXPECT_EQ(HumanPower(0.5), "0.5 W");
  EXPECT_EQ(HumanPower(75), "75 W");
  EXPECT_EQ(HumanPower(2100), "2.1 kW");
}

}  // namespace plugwatch
