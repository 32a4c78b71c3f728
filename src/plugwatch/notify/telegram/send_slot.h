// WaitForSendSlot: waits, on the calling coroutine's executor, until a
// message to `chat` may go out under the RateLimiter — its booked slot, then
// HoldBack() for senders woken late together — and records the send. The one
// way the Telegram sink and the bot pace their requests.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/notify/telegram/rate_limiter.h"

namespace plugwatch::notify::telegram {

// False when the wait was cancelled (the service is stopping): send nothing.
boost::asio::awaitable<bool> WaitForSendSlot(RateLimiter& limiter, std::string chat,
                                             const Clock& clock);

}  // namespace plugwatch::notify::telegram
