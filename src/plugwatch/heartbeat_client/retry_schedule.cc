#include "plugwatch/heartbeat_client/retry_schedule.h"

#include <algorithm>

namespace plugwatch::heartbeat_client {

RetrySchedule::RetrySchedule(RetryPolicy policy, std::uint64_t seed)
    : policy_(policy),
      base_(std::clamp(policy.interval / 20, Duration(100), Duration(1000))),
      rng_(seed) {}

std::optional<Duration> RetrySchedule::Next(int retry, Duration elapsed) {
  if (retry < 1 || retry > policy_.retries) return std::nullopt;
  // base·2^(retry-1), capped so the shift cannot overflow (retries ≤ 10 anyway).
  const Duration full = base_ * (1LL << std::min(retry - 1, 20));
  const long long half = full.count() / 2;
  std::uniform_int_distribution<long long> jitter(0, full.count() - half);
  const Duration delay(half + jitter(rng_));
  if (elapsed + delay >= policy_.interval) return std::nullopt;
  return delay;
}

}  // namespace plugwatch::heartbeat_client
