#include "plugwatch/notify/retry_policy.h"

#include <gtest/gtest.h>

namespace plugwatch::notify {
namespace {

store::OutboxEntry Row(TimePoint created) {
  store::OutboxEntry r;
  r.id = 1;
  r.created_at = created;
  r.next_attempt_at = created;
  return r;
}

TEST(RetryPolicy, BackoffDoublesCapsAndJitters) {
  RetryPolicy p{.initial = Duration(1000), .max_delay = Duration(8000), .jitter = 0.2};
  EXPECT_EQ(Backoff(p, 1, 0.5), Duration(1000));
  EXPECT_EQ(Backoff(p, 2, 0.5), Duration(2000));
  EXPECT_EQ(Backoff(p, 3, 0.5), Duration(4000));
  EXPECT_EQ(Backoff(p, 5, 0.5), Duration(8000));
  EXPECT_EQ(Backoff(p, 50, 0.5), Duration(8000));
  EXPECT_EQ(Backoff(p, 1, 0.0), Duration(800));
  EXPECT_EQ(Backoff(p, 1, 1.0), Duration(1200));
}

TEST(RetryPolicy, RetriesWithBackoffThenDropsWhenTooOld) {
  ManualClock clock;
  RetryPolicy p{.initial = Duration(1000),
                .max_delay = Duration(60'000),
                .jitter = 0,
                .max_age = Duration(10'000)};
  auto row = Row(clock.Now());
  row = Decide(p, row, Outcome::Retry("HTTP 503"), clock.Now(), 0.5);
  EXPECT_EQ(row.state, "queued");
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.next_attempt_at, clock.Now() + Duration(1000));
  EXPECT_EQ(row.last_error, "HTTP 503");
  clock.Advance(Duration(1000));
  row = Decide(p, row, Outcome::Retry("HTTP 503"), clock.Now(), 0.5);
  EXPECT_EQ(row.next_attempt_at, clock.Now() + Duration(2000));
  clock.Advance(Duration(2000));
  row = Decide(p, row, Outcome::Retry("HTTP 503"), clock.Now(), 0.5);  // +4 s: t = 7 s
  EXPECT_EQ(row.state, "queued");
  clock.Advance(Duration(4000));
  row = Decide(p, row, Outcome::Retry("HTTP 503"), clock.Now(), 0.5);  // +8 s: past 10 s
  EXPECT_EQ(row.state, "dropped");
  EXPECT_NE(row.last_error.find("gave up after 4 attempts"), std::string::npos);
  EXPECT_FALSE(Expired(p, row, clock.Now()));
  clock.Advance(Duration(4000));
  EXPECT_TRUE(Expired(p, row, clock.Now()));
}

TEST(RetryPolicy, HonoursTheServicesRetryAfterExactly) {
  ManualClock clock;
  RetryPolicy p{.initial = Duration(1000), .jitter = 0.5};
  auto row = Decide(p, Row(clock.Now()), Outcome::Retry("429", Duration(7000)), clock.Now(), 0.9);
  EXPECT_EQ(row.next_attempt_at, clock.Now() + Duration(7000));
}

TEST(RetryPolicy, TerminalOutcomes) {
  ManualClock clock;
  RetryPolicy p;
  EXPECT_EQ(Decide(p, Row(clock.Now()), Outcome::Delivered(), clock.Now(), 0).state, "delivered");
  EXPECT_EQ(Decide(p, Row(clock.Now()), Outcome::Failed("400"), clock.Now(), 0).state, "failed");
  EXPECT_EQ(Decide(p, Row(clock.Now()), Outcome::RecipientGone("403"), clock.Now(), 0).state,
            "dropped");
  auto moved = Decide(p, Row(clock.Now()), Outcome::Moved("-100", "migrated"), clock.Now(), 0);
  EXPECT_EQ(moved.state, "queued");
  EXPECT_EQ(moved.next_attempt_at, clock.Now());
}

}  // namespace
}  // namespace plugwatch::notify
