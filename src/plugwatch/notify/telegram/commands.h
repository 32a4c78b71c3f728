// Commands: what the bot does with one update — a command (/start, /stop,
// /status, /devices, /outages, /settings, /help, /broadcast) or an inline
// button press — and which replies it sends. No network: it returns
// BotActions for the Bot (bot.h) to send, so every answer can be tested
// without a server. Choices are stored (committed) before it returns.
//
//   /start      subscribes the chat (both topics, night sound on) and asks,
//               one message edit at a time, for language, topics and night
//               sound (keyboards.h)
//   /stop       unsubscribes (the row stays: a later /start keeps choices)
//   /status     each site's and heartbeat label's power, since when, how long
//   /devices    plugs: on/off with power, unreachable, running cycles
//   /outages    the last 10 outages with durations
//   /settings   the current choices, with buttons to change them
//   /help       what the bot does
//   /broadcast  admins only ([telegram] admins, by Telegram user id): queues
//               the text through the Outbox to every subscribed chat, so the
//               Telegram sink's rate limits apply and nothing is lost; the
//               idempotency key is the update id, so an update handled twice
//               (a crash before its offset was stored) queues nothing twice
//
// Button presses faster than one a second per user are answered "too fast"
// (ButtonThrottle). Replies are plain text (no parse_mode), in the person's
// language (Subscribers::Language), or for strangers their Telegram
// language_code, else the default language.
// Threading: the engine's event loop.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/config/site_times.h"
#include "plugwatch/core/clock.h"
#include "plugwatch/engine/live_status.h"
#include "plugwatch/notify/outbox.h"
#include "plugwatch/notify/telegram/button_throttle.h"
#include "plugwatch/notify/telegram/subscribers.h"
#include "plugwatch/notify/telegram/update.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify::telegram {

struct BotAction {
  enum class Kind { kSend, kEdit, kAnswer };
  Kind kind = Kind::kSend;
  long long chat_id = 0;
  long long message_id = 0;  // kEdit
  std::string text;          // kSend, kEdit: plain text; kAnswer: the toast ("" = none)
  std::optional<boost::json::object> keyboard;
  std::string callback_id;  // kAnswer
  bool html = false;        // text is HTML (the parts of a reply too long for one message)
};

struct CommandsOptions {
  std::string sink = "telegram";  // the sink broadcasts are queued to
  std::vector<long long> admins;  // Telegram user ids allowed to /broadcast
  std::string default_language = "en";
  Duration button_gap{1000};  // per-user button rate limit
  // Per chat: messages beyond a burst of `command_burst`, then one per
  // `command_gap`, are ignored. Telegram lets the bot answer a chat about
  // once a second, and the bot handles updates in order, so someone sending
  // faster would hold up everyone else's answers.
  Duration command_gap{1000};
  int command_burst = 5;
  size_t outages_shown = 10;
  config::SiteTimes times;  // /status, /devices and /outages show local times
};

class Commands {
 public:
  using Enqueue = std::function<Result<int>(const std::vector<Outbox::Item>&)>;

  // `live` may be null (no live state: /status and /devices say so).
  Commands(Subscribers& subs, store::Store& store, const engine::LiveStatus* live, Enqueue enqueue,
           const Clock& clock, CommandsOptions opts);

  std::vector<BotAction> Handle(const Update& u);

  // The command menu for setMyCommands in `lang`: [{"command","description"}].
  static boost::json::array MenuCommands(std::string_view lang);

 private:
  std::vector<BotAction> OnMessage(const Update& u);
  std::vector<BotAction> OnButton(const Update& u);
  std::string LanguageFor(const Update& u) const;
  std::string Summary(const store::TelegramSubscriber& s, std::string_view key) const;

  Subscribers& subs_;
  store::Store& store_;
  const engine::LiveStatus* live_;
  Enqueue enqueue_;
  const Clock& clock_;
  CommandsOptions opts_;
  ButtonThrottle throttle_;
  ButtonThrottle command_throttle_;
};

}  // namespace plugwatch::notify::telegram
