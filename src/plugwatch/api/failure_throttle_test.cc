#include "plugwatch/api/failure_throttle.h"

#include <gtest/gtest.h>

namespace plugwatch::api {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000LL);
TimePoint At(long long ms) { return kT0 + Duration(ms); }

FailureThrottle Make(std::size_t max_addresses = 100) {
  return FailureThrottle(
      {.max_failures = 3, .window = Duration(10'000), .max_addresses = max_addresses});
}

TEST(FailureThrottle, RefusesAnAddressAfterTooManyFailuresUntilTheWindowPasses) {
  auto t = Make();
  t.Failure("10.0.0.1", At(0));
  t.Failure("10.0.0.1", At(1000));
  EXPECT_FALSE(t.RetryAfter("10.0.0.1", At(1500)));
  t.Failure("10.0.0.1", At(2000));
  auto wait = t.RetryAfter("10.0.0.1", At(2500));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, Duration(7500));                  // the first failure leaves the window at 10 s
  EXPECT_FALSE(t.RetryAfter("10.0.0.2", At(2500)));  // others are not affected
  EXPECT_FALSE(t.RetryAfter("10.0.0.1", At(10'000)));
}

TEST(FailureThrottle, ASuccessClearsTheAddress) {
  auto t = Make();
  for (int i = 0; i < 3; ++i) t.Failure("a", At(i));
  ASSERT_TRUE(t.RetryAfter("a", At(5)));
  t.Success("a");
  EXPECT_FALSE(t.RetryAfter("a", At(6)));
  EXPECT_EQ(t.addresses(), 0u);
}

TEST(FailureThrottle, MemoryIsBoundedByForgettingTheLeastRecentAddress) {
  auto t = Make(2);
  for (int i = 0; i < 3; ++i) t.Failure("a", At(i));
  t.Failure("b", At(10));
  t.Failure("a", At(11));  // a is now the most recent
  t.Failure("c", At(12));  // evicts b
  EXPECT_EQ(t.addresses(), 2u);
  EXPECT_TRUE(t.RetryAfter("a", At(13)));
  t.Failure("b", At(14));  // b starts over and evicts a, now the least recent
  EXPECT_FALSE(t.RetryAfter("a", At(15)));
  EXPECT_EQ(t.addresses(), 2u);
}

}  // namespace
}  // namespace plugwatch::api
