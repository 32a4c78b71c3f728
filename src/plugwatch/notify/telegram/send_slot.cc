#include "plugwatch/notify/telegram/send_slot.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace plugwatch::notify::telegram {

namespace asio = boost::asio;

namespace {

asio::awaitable<bool> SleepFor(Duration d) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, std::chrono::milliseconds(d.count()));
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

}  // namespace

asio::awaitable<bool> WaitForSendSlot(RateLimiter& limiter, std::string chat, const Clock& clock,
                                      Traffic traffic) {
  if (traffic == Traffic::kBulk) {
    const TimePoint turn = limiter.BulkTurn(clock.Now());
    if (const Duration wait = turn - clock.Now(); wait > Duration(0)) {
      if (!co_await SleepFor(wait)) co_return false;
    }
  }
  const TimePoint slot = limiter.Reserve(chat, clock.Now());
  if (const Duration wait = slot - clock.Now(); wait > Duration(0)) {
    if (!co_await SleepFor(wait)) co_return false;
  }
  // Woken late together with another sender: keep the actual sends apart.
  for (Duration hold = limiter.HoldBack(std::chrono::steady_clock::now()); hold > Duration(0);
       hold = limiter.HoldBack(std::chrono::steady_clock::now())) {
    if (!co_await SleepFor(hold)) co_return false;
  }
  limiter.Sent(std::chrono::steady_clock::now());
  co_return true;
}

}  // namespace plugwatch::notify::telegram
