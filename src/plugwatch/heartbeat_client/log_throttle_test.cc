#include "plugwatch/heartbeat_client/log_throttle.h"

#include <gtest/gtest.h>

#include <vector>

namespace plugwatch::heartbeat_client {
namespace {

using namespace std::chrono_literals;

TEST(FailureLogThrottle, VerboseAtFirstThenOncePerQuietPeriod) {
  ManualClock clock;
  FailureLogThrottle t(3, 5min);
  // Heartbeats 0..2 lost: every attempt (4 per heartbeat) is logged.
  for (int lost = 0; lost < 3; ++lost)
    for (int attempt = 0; attempt < 4; ++attempt) {
      EXPECT_TRUE(t.ShouldLog(clock.Now(), lost, "refused")) << lost << "/" << attempt;
      clock.Advance(2500ms);
    }
  // The first attempt after that is logged (it announces the thinning)...
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 3, "refused"));
  clock.Advance(2500ms);
  // ...and from then on one line per 5 minutes of the same failure.
  int logged = 0;
  std::vector<int> at_attempt;
  for (int n = 1; n < 4 * 60; ++n) {  // 10 min at a 10 s interval, 4 attempts each
    if (t.ShouldLog(clock.Now(), 3 + n / 4, "refused")) {
      ++logged;
      at_attempt.push_back(n);
    }
    clock.Advance(2500ms);
  }
  EXPECT_EQ(logged, 1);
  ASSERT_EQ(at_attempt.size(), 1u);
  EXPECT_EQ(at_attempt[0], 120);  // 300 s after the announcing line
}

TEST(FailureLogThrottle, ANewKindOfFailureIsAlwaysLogged) {
  ManualClock clock;
  FailureLogThrottle t(1, 5min);
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 0, "refused"));
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 5, "refused"));  // announces the thinning
  EXPECT_FALSE(t.ShouldLog(clock.Now(), 6, "refused"));
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 7, "http401"));
  EXPECT_FALSE(t.ShouldLog(clock.Now(), 8, "http401"));
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 9, "refused"));
}

TEST(FailureLogThrottle, ResetStartsOver) {
  ManualClock clock;
  FailureLogThrottle t(1, 5min);
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 0, "timeout"));
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 9, "timeout"));
  EXPECT_FALSE(t.ShouldLog(clock.Now(), 10, "timeout"));
  t.Reset();
  // After a delivery: verbose again, and thinning is announced again.
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 0, "timeout"));
  EXPECT_TRUE(t.ShouldLog(clock.Now(), 1, "timeout"));
  EXPECT_FALSE(t.ShouldLog(clock.Now(), 2, "timeout"));
}

}  // namespace
}  // namespace plugwatch::heartbeat_client
