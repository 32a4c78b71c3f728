#include "plugwatch/notify/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace plugwatch::notify {

Duration Backoff(const RetryPolicy& p, int attempts, double random01) {
  const int exp = std::clamp(attempts - 1, 0, 30);
  double ms = static_cast<double>(p.initial.count()) * std::pow(2.0, exp);
  ms = std::min(ms, static_cast<double>(p.max_delay.count()));
  ms *= 1.0 - p.jitter + 2.0 * p.jitter * std::clamp(random01, 0.0, 1.0);
  return Duration(std::max<long long>(1, std::llround(ms)));
}

bool Expired(const RetryPolicy& p, const store::OutboxEntry& row, TimePoint now) {
  return now > row.created_at + p.max_age;
}

store::OutboxEntry Decide(const RetryPolicy& p, store::OutboxEntry row, const Outcome& o,
                          TimePoint now, double random01) {
  row.attempts += 1;
  row.last_error = o.detail;
  using K = Outcome::Kind;
  switch (o.kind) {
    case K::kDelivered:
      row.state = "delivered";
      row.last_error.clear();
      return row;
    case K::kFailed:
      row.state = "failed";
      return row;
    case K::kRecipientGone:
      row.state = "dropped";
      return row;
    case K::kMoved:
      row.state = "queued";
      row.next_attempt_at = now;
      return row;
    case K::kRetry: {
      const Duration delay =
          o.retry_after.count() > 0 ? o.retry_after : Backoff(p, row.attempts, random01);
      row.next_attempt_at = now + delay;
      if (row.next_attempt_at > row.created_at + p.max_age) {
        row.state = "dropped";
        row.last_error = "gave up after " + std::to_string(row.attempts) +
                         " attempts (older than the maximum age): " + o.detail;
      } else {
        row.state = "queued";
      }
      return row;
    }
  }
  return row;
}

}  // namespace plugwatch::notify
