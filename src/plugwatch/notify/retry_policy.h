// RetryPolicy and Decide: what the outbox does with a row after one delivery
// attempt — the pure state machine behind notify/outbox.h, tested with a
// manual clock and a fixed random number.
//
//   kDelivered                 → delivered
//   kFailed                    → failed (counted; the next row goes on)
//   kRetry                     → queued again at now + delay, where delay is
//                                the service's own retry_after when it gave
//                                one (exactly), else initial × 2^(attempts-1)
//                                capped at max_delay, ±jitter
//   kRecipientGone             → dropped (the runner drops the recipient's
//                                other rows too and calls the hook)
//   kMoved                     → queued again at once (the runner moves it)
// A row whose next attempt would fall after created_at + max_age is dropped
// instead ("too old"): a power_lost from yesterday helps nobody.
#pragma once

#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/notify/sink.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify {

struct RetryPolicy {
  Duration initial{2000};
  Duration max_delay{5 * 60 * 1000};
  double jitter = 0.2;  // ± fraction of the delay
  Duration max_age{24 * 3600 * 1000};
};

// `random01` in [0, 1): the jitter's random draw. Returns the row as it must
// be stored (state, attempts, next_attempt_at, last_error).
store::OutboxEntry Decide(const RetryPolicy& p, store::OutboxEntry row, const Outcome& o,
                          TimePoint now, double random01);

// The backoff delay before attempt `attempts + 1`, jitter applied.
Duration Backoff(const RetryPolicy& p, int attempts, double random01);

// True when the row is too old to be worth sending at `now`.
bool Expired(const RetryPolicy& p, const store::OutboxEntry& row, TimePoint now);

}  // namespace plugwatch::notify
