#include "plugwatch/notify/telegram/bot.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/bot_texts.h"
#include "plugwatch/notify/telegram/reply.h"
#include "plugwatch/notify/telegram/send_slot.h"
#include "plugwatch/notify/telegram/text.h"

namespace plugwatch::notify::telegram {

namespace asio = boost::asio;
namespace json = boost::json;

Bot::Bot(asio::any_io_executor ex, std::shared_ptr<BotApi> api,
         std::shared_ptr<RateLimiter> limiter, std::shared_ptr<Subscribers> subs,
         std::shared_ptr<Commands> commands, store::Store& store, const Clock& clock,
         BotOptions opts)
    : ex_(std::move(ex)),
      api_(std::move(api)),
      limiter_(std::move(limiter)),
      subs_(std::move(subs)),
      commands_(std::move(commands)),
      store_(store),
      clock_(clock),
      opts_(opts) {}

void Bot::Start() {
  if (running_) return;
  running_ = true;
  Spawn();
}

void Bot::Spawn() {
  auto self = shared_from_this();
  asio::co_spawn(
      ex_, [self]() { return self->Run(); },
      [self](const std::exception_ptr& e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          log::error("telegram bot: the update loop failed: {}; restarting in {} ms", x.what(),
                     self->opts_.restart_pause.count());
        } catch (...) {
          log::error("telegram bot: the update loop failed; restarting in {} ms",
                     self->opts_.restart_pause.count());
        }
        asio::co_spawn(
            self->ex_,
            [self]() -> asio::awaitable<void> {
              co_await self->Sleep(self->opts_.restart_pause);
              if (self->running_) self->Spawn();
            },
            asio::detached);
      });
}

void Bot::Stop() {
  if (running_) log::info("telegram bot: stopped taking updates");
  running_ = false;
}

asio::awaitable<void> Bot::Sleep(Duration d) {
  asio::steady_timer timer(ex_, std::chrono::milliseconds(d.count()));
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
}

asio::awaitable<void> Bot::Setup() {
  {
    json::object p{{"drop_pending_updates", false}};
    const std::string method = "deleteWebhook";
    auto r = co_await api_->Call(method, p);
    if (!r)
      log::warn("telegram bot: {}", r.error().message());
    else if (auto rep = ParseReply(r->status, r->body); !rep || !rep->ok)
      log::warn("telegram bot: deleteWebhook answered HTTP {}: {} — check [telegram] token",
                r->status, rep ? rep->description : std::string("not a Bot API reply"));
  }
  // The default menu in English, and one per bot language for clients in it.
  for (std::string_view lang : kBotLanguages) {
    json::object p;
    p["commands"] = Commands::MenuCommands(lang);
    if (lang != "en") p["language_code"] = lang;
    const std::string method = "setMyCommands";
    auto r = co_await api_->Call(method, p);
    if (!r) {
      log::warn("telegram bot: {}", r.error().message());
      break;
    }
  }
}

asio::awaitable<void> Bot::Run() {
  auto self = shared_from_this();
  auto stored = store_.TelegramOffset();
  if (!stored) {
    log::error("telegram bot: {} — the bot does not start", stored.error().message());
    co_return;
  }
  long long offset = *stored;
  co_await Setup();
  log::info("telegram bot: polling for updates (offset {}, {} subscribers known)", offset,
            subs_->size());
  Duration pause = opts_.error_pause;
  while (running_) {
    auto r = co_await api_->GetUpdates(offset, opts_.poll_timeout_s);
    if (!running_) break;
    std::string problem;
    std::vector<Update> updates;
    if (!r) {
      problem = r.error().message();
    } else if (auto rep = ParseReply(r->status, r->body); !rep) {
      problem = api_->Scrub(rep.error().message());
    } else if (!rep->ok) {
      problem = fmt::format("getUpdates answered {}: {}{}", rep->error_code, rep->description,
                            rep->error_code == 409   ? " — another bot instance or a webhook "
                                                       "uses this token; stop it"
                            : rep->error_code == 401 ? " — check [telegram] token"
                                                     : "");
    } else if (auto ups = ParseUpdates(rep->result); !ups) {
      problem = ups.error().message();
    } else {
      updates = std::move(*ups);
    }
    if (!problem.empty()) {
      log::warn("telegram bot: {}; trying again in {} ms", problem, pause.count());
      co_await Sleep(pause);
      pause = std::min(pause * 2, opts_.max_error_pause);
      continue;
    }
    pause = opts_.error_pause;
    for (const Update& u : updates) {
      if (!running_) break;
      if (u.update_id < offset) continue;  // confirmed before; the server sent it again
      co_await HandleUpdate(u);
      offset = u.update_id + 1;
      if (auto saved = store_.SaveTelegramOffset(offset); !saved)
        log::error("telegram bot: storing the update offset: {}", saved.error().message());
    }
  }
}

asio::awaitable<void> Bot::HandleUpdate(const Update& u) {
  std::vector<BotAction> actions = commands_->Handle(u);
  for (BotAction& a : actions) {
    // Replies too long for one message (/devices with many plugs) go in
    // parts, as HTML so that SplitMessage can cut them; the keyboard goes
    // with the last part.
    const std::string html = a.kind == BotAction::Kind::kSend ? EscapeHtml(a.text) : "";
    if (a.kind != BotAction::Kind::kSend || VisibleLength(html) <= kMaxMessageLength) {
      co_await Execute(a);
      continue;
    }
    const std::vector<std::string> parts = SplitMessage(html);
    for (size_t i = 0; i < parts.size(); ++i) {
      BotAction part = a;
      part.text = parts[i];
      part.html = true;
      if (i + 1 < parts.size()) part.keyboard.reset();
      co_await Execute(part);
    }
  }
}

asio::awaitable<void> Bot::Execute(const BotAction& a) {
  json::object p;
  std::string method;
  if (a.kind == BotAction::Kind::kAnswer) {
    method = "answerCallbackQuery";
    p["callback_query_id"] = a.callback_id;
    if (!a.text.empty()) p["text"] = a.text;
  } else {
    method = a.kind == BotAction::Kind::kSend ? "sendMessage" : "editMessageText";
    p["text"] = a.text;
    if (a.html) p["parse_mode"] = "HTML";
    if (a.kind == BotAction::Kind::kEdit) p["message_id"] = a.message_id;
    if (a.keyboard) p["reply_markup"] = *a.keyboard;
    p["link_preview_options"] = json::object{{"is_disabled", true}};
  }
  long long chat = a.chat_id;
  for (int attempt = 1; attempt <= opts_.max_tries; ++attempt) {
    if (a.kind != BotAction::Kind::kAnswer) {
      p["chat_id"] = chat;
      const std::string chat_key = std::to_string(chat);
      const bool may_send =
          co_await WaitForSendSlot(*limiter_, chat_key, clock_, Traffic::kInteractive);
      if (!may_send) co_return;
    }
    auto r = co_await api_->Call(method, p);
    Outcome o = r ? Classify(r->status, r->body) : ClassifyTransportError(r.error());
    using K = Outcome::Kind;
    switch (o.kind) {
      case K::kDelivered:
        co_return;
      case K::kRecipientGone:
        subs_->Follow(chat, o);
        co_return;
      case K::kMoved: {
        const std::optional<long long> to = subs_->Follow(chat, o);
        if (!to) co_return;
        chat = *to;
        continue;
      }
      case K::kFailed:
        log::warn("telegram bot: {} to chat {} failed: {}", method, chat, o.detail);
        co_return;
      case K::kRetry:
        log::warn("telegram bot: {} to chat {} (try {}): {}", method, chat, attempt, o.detail);
        if (o.retry_after > Duration(0)) {
          if (a.kind != BotAction::Kind::kAnswer)
            limiter_->Pause(std::to_string(chat), clock_.Now() + o.retry_after);
          else
            co_await Sleep(o.retry_after);
        } else {
          const Duration second(1000);
          co_await Sleep(second);
        }
        continue;
    }
  }
}

}  // namespace plugwatch::notify::telegram
