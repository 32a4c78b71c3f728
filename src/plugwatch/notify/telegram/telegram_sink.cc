#include "plugwatch/notify/telegram/telegram_sink.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "plugwatch/notify/telegram/reply.h"
#include "plugwatch/notify/telegram/send_slot.h"
#include "plugwatch/notify/telegram/text.h"

namespace plugwatch::notify::telegram {

namespace asio = boost::asio;
namespace json = boost::json;

TelegramSink::TelegramSink(std::string name, std::shared_ptr<BotApi> api, std::string default_chat,
                           std::shared_ptr<RateLimiter> limiter, const Clock& clock)
    : name_(std::move(name)),
      api_(std::move(api)),
      default_chat_(std::move(default_chat)),
      limiter_(std::move(limiter)),
      clock_(clock) {}

json::value ChatIdJson(const std::string& chat) {
  long long id = 0;
  const char* end = chat.data() + chat.size();
  auto [p, ec] = std::from_chars(chat.data(), end, id);
  if (ec == std::errc() && p == end && !chat.empty()) return json::value(id);
  return json::value(chat);
}

std::string TelegramSink::Html(const Message& m) {
  const std::string body = EscapeHtml(m.text);
  if (m.title.empty() || m.text.starts_with(m.title)) return body;
  if (m.text.empty()) return "<b>" + EscapeHtml(m.title) + "</b>";
  return "<b>" + EscapeHtml(m.title) + "</b>\n" + body;
}

asio::awaitable<Outcome> TelegramSink::Deliver(const Delivery& d) {
  const std::string chat = d.recipient.empty() ? default_chat_ : d.recipient;
  if (chat.empty()) {
    co_return Outcome::Failed("sink '" + name_ +
                              "': no Telegram chat to send to — set [telegram] channel or the "
                              "chat in tgram://TOKEN/CHAT");
  }
  const std::vector<std::string> parts = SplitMessage(Html(d.message));
  for (const std::string& part : parts) {
    const bool may_send = co_await WaitForSendSlot(*limiter_, chat, clock_, Traffic::kBulk);
    if (!may_send) co_return Outcome::Retry("sink '" + name_ + "': stopped while waiting");
    json::object p;
    p["chat_id"] = ChatIdJson(chat);
    p["text"] = part;
    p["parse_mode"] = "HTML";
    if (d.message.silent) p["disable_notification"] = true;
    p["link_preview_options"] = json::object{{"is_disabled", true}};
    const std::string method = "sendMessage";
    auto r = co_await api_->Call(method, p);
    if (!r) co_return ClassifyTransportError(r.error());
    Outcome o = Classify(r->status, r->body);
    if (o.kind == Outcome::Kind::kRetry && o.retry_after > Duration(0)) {
      limiter_->Pause(chat, clock_.Now() + o.retry_after);
    }
    if (o.kind != Outcome::Kind::kDelivered) co_return o;
  }
  co_return Outcome::Delivered();
}

void RegisterTgramScheme(SinkRegistry& registry, std::shared_ptr<RateLimiter> limiter,
                         const Clock& clock) {
  registry.Register(
      "tgram",
      [limiter, &clock](const std::string& name, std::string_view url, const SinkUrl&,
                        const SinkContext& ctx) -> Result<std::shared_ptr<Sink>> {
        std::string_view rest = url.substr(url.find("://") + 3);
        std::string api_url = "https://api.telegram.org";
        if (const size_t q = rest.find("?api_url="); q != std::string_view::npos) {
          api_url = std::string(rest.substr(q + 9));
          rest = rest.substr(0, q);
        }
        const size_t slash = rest.find('/');
        const std::string token(rest.substr(0, slash));
        const std::string chat(slash == std::string_view::npos ? std::string_view{}
                                                               : rest.substr(slash + 1));
        if (token.find(':') == std::string::npos || chat.empty()) {
          return Fail(Errc::kInvalidArgument,
                      "sink '" + name +
                          "': a Telegram sink URL is tgram://TOKEN/CHAT (the token from "
                          "@BotFather, a chat id or @channel) — check its url");
        }
        auto api = std::make_shared<BotApi>(ctx.web, api_url, token, ctx.timeout);
        return std::make_shared<TelegramSink>(name, api, chat, limiter, clock);
      },
      false);
}

}  // namespace plugwatch::notify::telegram
