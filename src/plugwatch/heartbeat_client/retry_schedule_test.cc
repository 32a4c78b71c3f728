#include "plugwatch/heartbeat_client/retry_schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace plugwatch::heartbeat_client {
namespace {

using namespace std::chrono_literals;

TEST(RetrySchedule, BaseScalesWithTheIntervalWithinLimits) {
  EXPECT_EQ(RetrySchedule({.interval = 10s}, 1).base(), 500ms);
  EXPECT_EQ(RetrySchedule({.interval = 1s}, 1).base(), 100ms);     // 50 ms clamped up
  EXPECT_EQ(RetrySchedule({.interval = 300s}, 1).base(), 1000ms);  // 15 s clamped down
}

TEST(RetrySchedule, ExponentialWithEqualJitter) {
  // 10 s interval, base 500 ms: retry k waits within [250·2^(k-1), 500·2^(k-1)] ms.
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    RetrySchedule s({.interval = 10s, .retries = 3}, seed);
    for (int k = 1; k <= 3; ++k) {
      auto d = s.Next(k, 0ms);
      ASSERT_TRUE(d) << "seed " << seed << " retry " << k;
      const auto full = 500ms * (1 << (k - 1));
      EXPECT_GE(*d, full / 2) << "seed " << seed << " retry " << k;
      EXPECT_LE(*d, full) << "seed " << seed << " retry " << k;
    }
  }
}

TEST(RetrySchedule, SameSeedSameDelaysOtherSeedsDiffer) {
  auto delays = [](std::uint64_t seed) {
    RetrySchedule s({.interval = 10s, .retries = 3}, seed);
    std::vector<long long> out;
    for (int k = 1; k <= 3; ++k) out.push_back(s.Next(k, 0ms)->count());
    return out;
  };
  EXPECT_EQ(delays(42), delays(42));
  int differing = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) differing += delays(seed) != delays(42) ? 1 : 0;
  // Jitter: clients with different seeds spread out (a collision of all three
  // delays is possible for one seed, not for most).
  EXPECT_GE(differing, 18);
}

TEST(RetrySchedule, StopsAfterTheConfiguredRetries) {
  RetrySchedule s({.interval = 10s, .retries = 2}, 7);
  EXPECT_TRUE(s.Next(1, 0ms));
  EXPECT_TRUE(s.Next(2, 0ms));
  EXPECT_FALSE(s.Next(3, 0ms));
  EXPECT_FALSE(s.Next(0, 0ms));
  RetrySchedule none({.interval = 10s, .retries = 0}, 7);
  EXPECT_FALSE(none.Next(1, 0ms));
}

TEST(RetrySchedule, NeverRetriesPastTheInterval) {
  RetrySchedule s({.interval = 1s, .retries = 10}, 3);
  // Retry 4 waits at least 400 ms (base 100 ms · 8 / 2): too late after 700 ms.
  EXPECT_FALSE(s.Next(4, 700ms));
  // A retry that fits is granted, and it always ends before the interval.
  for (int i = 0; i < 100; ++i) {
    auto d = s.Next(1, 850ms);
    if (d) EXPECT_LT(850ms + *d, 1s);
  }
  EXPECT_FALSE(s.Next(1, 1s));
  // Nothing can fit once the interval is over, whatever the retry number.
  for (int k = 1; k <= 10; ++k) EXPECT_FALSE(s.Next(k, 2s));
}

}  // namespace
}  // namespace plugwatch::heartbeat_client
