// TelegramSink: delivers notifications as Telegram messages (sendMessage,
// parse_mode HTML). The "telegram" sink of [telegram] (recipient = a
// subscriber's chat id, or "" for [telegram] channel) and any
// `tgram://TOKEN/CHAT` [[sinks]] entry (recipient "" = CHAT).
//
// Per delivery: the title in bold and the text, HTML-escaped; split into
// several messages when longer than 4096 characters (text.h); each part is
// sent when the RateLimiter (shared by every Telegram sink and the bot, since
// the limits are per bot token) allows; Message.silent → disable_notification.
// Replies are classified by reply.h; a 429 also pauses that chat in the
// limiter for retry_after.
//
// Quiet hours are not decided here: the notifier knows the recipient's
// night-sound choice (Recipient.silent_at_night) and sets Message.silent.
//
// A message split into parts is retried whole: if part 2 fails, part 1 is
// sent again on the retry (rare: only texts > 4096 characters are split).
// Threading: the engine's event loop.
#pragma once

#include <memory>
#include <string>

#include "plugwatch/notify/sink.h"
#include "plugwatch/notify/sink_url.h"
#include "plugwatch/notify/telegram/bot_api.h"
#include "plugwatch/notify/telegram/rate_limiter.h"

namespace plugwatch::notify::telegram {

class TelegramSink final : public Sink {
 public:
  TelegramSink(std::string name, std::shared_ptr<BotApi> api, std::string default_chat,
               std::shared_ptr<RateLimiter> limiter, const Clock& clock);
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Outcome> Deliver(const Delivery& d) override;

  // The HTML text of a message: "<b>title</b>\n" + text, escaped.
  static std::string Html(const Message& m);

 private:
  std::string name_;
  std::shared_ptr<BotApi> api_;
  std::string default_chat_;
  std::shared_ptr<RateLimiter> limiter_;
  const Clock& clock_;
};

// chat_id as the Bot API wants it: a number for numeric ids, else the
// string (@channelusername).
boost::json::value ChatIdJson(const std::string& chat);

// Registers the "tgram" scheme: tgram://TOKEN/CHAT[?api_url=http://…].
void RegisterTgramScheme(SinkRegistry& registry, std::shared_ptr<RateLimiter> limiter,
                         const Clock& clock);

}  // namespace plugwatch::notify::telegram
