// Bot: the Telegram bot's long-polling loop (PROTOCOLS.md §7). At start it
// calls deleteWebhook (getUpdates does not work while a webhook is set) and
// setMyCommands (the command menu, in every bot language), then asks
// getUpdates for messages and button presses, waiting up to
// `poll_timeout_s` on the server, and hands each update to Commands
// (commands.h), sending the replies it returns.
//
// Offset: the next offset (last handled update_id + 1) is stored, committed,
// after each update is fully handled — its choices stored, its replies sent
// or given up — and read back at start. A restart or kill -9 therefore never
// handles an update twice that it had finished, and never loses one it had
// not (Telegram keeps unconfirmed updates for 24 h). An update interrupted
// half-way is handled again; /broadcast's idempotency key makes that safe.
//
// Replies are sent here, not through the outbox (they answer a person who is
// waiting), through the RateLimiter shared with the Telegram sink, so bot
// replies and notifications together keep to ≤ 1/s per chat and ≤ 30/s. A
// reply answered 429 is retried after retry_after, a 5xx or transport error
// after a second (at most 3 tries); 403 blocked / chat not found
// unsubscribes the chat; migrate_to_chat_id moves it.
//
// Stop() ends the loop at the next update boundary: the getUpdates in flight
// is abandoned, and updates not yet handled stay unconfirmed.
// Threading: the engine's event loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "plugwatch/notify/telegram/bot_api.h"
#include "plugwatch/notify/telegram/commands.h"
#include "plugwatch/notify/telegram/rate_limiter.h"
#include "plugwatch/notify/telegram/subscribers.h"

namespace plugwatch::notify::telegram {

struct BotOptions {
  int poll_timeout_s = 25;           // getUpdates long-polling wait on the server
  int max_tries = 3;                 // per reply
  Duration error_pause{1000};        // after a failed getUpdates, doubling…
  Duration max_error_pause{30'000};  // …up to this
  Duration restart_pause{5000};      // after an unexpected error in the loop
};

class Bot : public std::enable_shared_from_this<Bot> {
 public:
  Bot(boost::asio::any_io_executor ex, std::shared_ptr<BotApi> api,
      std::shared_ptr<RateLimiter> limiter, std::shared_ptr<Subscribers> subs,
      std::shared_ptr<Commands> commands, store::Store& store, const Clock& clock,
      BotOptions opts = {});

  void Start();
  void Stop();

  // One update: Commands, then its replies (tests).
  boost::asio::awaitable<void> HandleUpdate(const Update& u);

 private:
  // Runs Run() and, should it end with an exception, logs it and starts
  // again after restart_pause (while running).
  void Spawn();
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<void> Setup();
  boost::asio::awaitable<void> Execute(const BotAction& a);
  boost::asio::awaitable<void> Sleep(Duration d);

  boost::asio::any_io_executor ex_;
  std::shared_ptr<BotApi> api_;
  std::shared_ptr<RateLimiter> limiter_;
  std::shared_ptr<Subscribers> subs_;
  std::shared_ptr<Commands> commands_;
  store::Store& store_;
  const Clock& clock_;
  BotOptions opts_;
  bool running_ = false;
};

}  // namespace plugwatch::notify::telegram
