// RetrySchedule: when the heartbeat client tries again after a failed send.
//
// Every heartbeat (one per interval) gets its first attempt plus at most
// `retries` more. Retry k (1-based) waits an exponential backoff with "equal
// jitter": half of base·2^(k-1) fixed, the other half random, so clients that
// failed together (the server restarted) do not come back in lockstep. A
// retry is only scheduled if it would start within the heartbeat's own
// interval: past that, the next heartbeat is due anyway and retrying the old
// one would only delay it.
//
// The base is interval/20 clamped to 100 ms..1 s (10 s interval: retries
// after ≈0.5, 1 and 2 s; 1 s interval: 100, 200, 400 ms). Deterministic for
// a given seed (tests); not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "plugwatch/core/clock.h"

namespace plugwatch::heartbeat_client {

struct RetryPolicy {
  Duration interval{10'000};
  int retries = 3;  // extra attempts per heartbeat, 0..10
};

class RetrySchedule {
 public:
  RetrySchedule(RetryPolicy policy, std::uint64_t seed);

  // The backoff base for this policy (before jitter).
  Duration base() const { return base_; }

  // Delay before retry `retry` (1-based) of a heartbeat whose first attempt
  // started `elapsed` ago; nullopt when no retry is left: `retry` exceeds
  // policy.retries, or the retry would not start before the interval ends.
  // Draws one random number per call that returns a delay.
  std::optional<Duration> Next(int retry, Duration elapsed);

 private:
  RetryPolicy policy_;
  Duration base_;
  std::mt19937_64 rng_;
};

}  // namespace plugwatch::heartbeat_client
