// WaitForSendSlot: waits, on the calling coroutine's executor, until a
// message to `chat` may go out under the RateLimiter — its booked slot, then
// HoldBack() for senders woken late together — and records the send. The
// one way the Telegram sink and the bot pace their requests. Bulk sends
// first wait for their turn, so that they never book far ahead of the bot's
// answers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/notify/telegram/rate_limiter.h"

namespace plugwatch::notify::telegram {

// kBulk: the notification sinks, whose sends wait for their turn before
// booking (RateLimiter::BulkTurn); kInteractive: the bot's answers to a
// person, which book at once.
enum class Traffic { kBulk, kInteractive };

// False when the wait was cancelled (the service is stopping): send nothing.
boost::asio::awaitable<bool> WaitForSendSlot(RateLimiter& limiter, std::string chat,
                                             const Clock& clock, Traffic traffic);

}  // namespace plugwatch::notify::telegram
