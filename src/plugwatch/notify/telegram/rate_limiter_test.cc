#include "plugwatch/notify/telegram/rate_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace plugwatch::notify::telegram {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, OneChatGetsAShortBurstThenOnePerSecond) {
  ManualClock clock;
  RateLimiter rl;
  const TimePoint t0 = clock.Now();
  EXPECT_EQ(rl.Reserve("42", t0), t0);
  EXPECT_EQ(rl.Reserve("42", t0), t0 + milliseconds(34));  // global spacing
  EXPECT_EQ(rl.Reserve("42", t0), t0 + milliseconds(68));
  // burst of 3 used up: the 4th waits for the per-chat meter
  EXPECT_EQ(rl.NextSend("42", t0), t0 + milliseconds(1000));
  EXPECT_EQ(rl.Reserve("42", t0), t0 + milliseconds(1000));
  EXPECT_EQ(rl.Reserve("42", t0), t0 + milliseconds(2000));
  // after a quiet period the burst is available again
  clock.Advance(milliseconds(60'000));
  const TimePoint t1 = clock.Now();
  EXPECT_EQ(rl.Reserve("42", t1), t1);
  EXPECT_EQ(rl.Reserve("42", t1), t1 + milliseconds(34));
}

TEST(RateLimiter, ManyChatsNeverExceedThirtyInAnySecond) {
  ManualClock clock;
  RateLimiter rl;
  const TimePoint t0 = clock.Now();
  std::deque<TimePoint> window;
  TimePoint last = t0;
  for (int i = 0; i < 1000; ++i) {
    const TimePoint t = rl.Reserve(std::to_string(1000 + i), t0);
    ASSERT_GE(t, last);
    last = t;
    window.push_back(t);
    while (window.front() <= t - milliseconds(1000)) window.pop_front();
    ASSERT_LE(window.size(), 30u) << "at send " << i;
  }
  // and not much slower than the limit: 1000 sends take about 34 s
  EXPECT_LE(last - t0, milliseconds(34'000));
}

TEST(RateLimiter, ABroadcastBooksAtMostTheHorizonAheadOfAnAnswer) {
  ManualClock clock;
  RateLimiter rl;
  const TimePoint t0 = clock.Now();
  // 1,000 bulk sends start at once (a /broadcast): each takes its turn, then
  // reserves when it wakes. A person asks the bot something 10 s in.
  std::vector<TimePoint> wake;
  for (int i = 0; i < 1000; ++i) wake.push_back(rl.BulkTurn(t0));
  const TimePoint asked = t0 + milliseconds(10'000);
  std::vector<TimePoint> slots;
  std::optional<TimePoint> answer;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_GE(wake[i], i == 0 ? t0 : wake[i - 1]);
    if (!answer && wake[i] > asked) {
      answer = rl.Reserve("person", asked);
      slots.push_back(*answer);
    }
    const TimePoint slot = rl.Reserve(std::to_string(1000 + i), wake[i]);
    EXPECT_LE(slot - wake[i], milliseconds(1000 + 2 * 34)) << "bulk send " << i;
    slots.push_back(slot);
  }
  ASSERT_TRUE(answer);
  // The answer waits behind at most a second of booked sends (not the 34 s
  // the whole broadcast takes).
  EXPECT_LE(*answer - asked, milliseconds(1000 + 34));
  // Still never more than 30 in any second, and the broadcast is not slower.
  std::sort(slots.begin(), slots.end());
  std::deque<TimePoint> window;
  for (const TimePoint t : slots) {
    window.push_back(t);
    while (window.front() <= t - milliseconds(1000)) window.pop_front();
    ASSERT_LE(window.size(), 30u);
  }
  EXPECT_LE(slots.back() - t0, milliseconds(34'100));
}

TEST(RateLimiter, GroupsGetAtMostTwentyPerMinute) {
  ManualClock clock;
  RateLimiter rl;
  const TimePoint t0 = clock.Now();
  EXPECT_TRUE(IsGroupChat("-1001234"));
  EXPECT_TRUE(IsGroupChat("@channel"));
  EXPECT_FALSE(IsGroupChat("1234"));
  std::deque<TimePoint> window;
  for (int i = 0; i < 60; ++i) {
    const TimePoint t = rl.Reserve("-77", t0);
    window.push_back(t);
    while (window.front() <= t - milliseconds(60'000)) window.pop_front();
    ASSERT_LE(window.size(), 20u);
  }
  EXPECT_EQ(rl.NextSend("-77", t0), t0 + milliseconds(180'000));
  // a private chat is not held up by the busy group beyond the global spacing
  EXPECT_LT(rl.Reserve("5", t0), t0 + milliseconds(3000));
}

TEST(RateLimiter, PauseHonoursRetryAfterForThatChatOnly) {
  ManualClock clock;
  RateLimiter rl;
  const TimePoint t0 = clock.Now();
  rl.Pause("42", t0 + milliseconds(7000));
  EXPECT_EQ(rl.NextSend("42", t0), t0 + milliseconds(7000));
  EXPECT_EQ(rl.Reserve("42", t0), t0 + milliseconds(7000));
  EXPECT_EQ(rl.Reserve("43", t0), t0);
}

TEST(RateLimiter, ForgetsChatsThatCaughtUp) {
  ManualClock clock;
  RateLimiter rl;
  for (int i = 0; i < 3000; ++i) {
    rl.Reserve(std::to_string(i), clock.Now());
    clock.Advance(milliseconds(2000));
  }
  EXPECT_LT(rl.tracked_chats(), 1100u);
}

TEST(RateLimiter, HoldBackKeepsActualSendsApartWhenSendersWakeTogether) {
  RateLimiter rl;
  const auto t0 = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  EXPECT_EQ(rl.HoldBack(t0), milliseconds(0));  // nothing sent yet
  rl.Sent(t0);
  // two senders whose booked slots were 34 ms apart, both woken at t0 + 5 ms
  EXPECT_EQ(rl.HoldBack(t0 + milliseconds(5)), milliseconds(29));
  EXPECT_EQ(rl.HoldBack(t0 + milliseconds(34)), milliseconds(0));
  rl.Sent(t0 + milliseconds(34));
  rl.Sent(t0 + milliseconds(10));  // a late report never moves it back
  EXPECT_EQ(rl.HoldBack(t0 + milliseconds(40)), milliseconds(28));
}

}  // namespace
}  // namespace plugwatch::notify::telegram
