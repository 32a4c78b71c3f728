#include "plugwatch/notify/telegram/extension.h"

#include <charconv>

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/bot.h"
#include "plugwatch/notify/telegram/telegram_sink.h"

namespace plugwatch::notify::telegram {

namespace {

constexpr const char* kSinkName = "telegram";

// The bot's replies to people who chose no language and whose Telegram
// language it does not speak: the first site's language. Their
// notifications follow each event's site (notify::Notifier).
std::string DefaultLanguage(const config::Config& cfg) {
  return cfg.sites.empty() ? config::SiteConfig{}.language : cfg.sites.front().language;
}

Result<void> AddBot(NotifyRuntime& rt, const config::Config& cfg, store::Store& store,
                    const Clock& clock, std::shared_ptr<BotApi> api,
                    std::shared_ptr<RateLimiter> limiter) {
  const config::TelegramConfig& tg = *cfg.telegram;
  auto subs = std::make_shared<Subscribers>(store, kSinkName, DefaultLanguage(cfg));
  if (auto r = subs->Load(); !r) return r;
  rt.notifier->AddRecipientSource(kSinkName, subs.get());
  // Telegram said a chat is gone (blocked, deactivated, not found) or moved
  // (group → supergroup) while delivering a notification.
  rt.outbox->OnRecipientChange(
      [subs](const std::string& sink, const std::string& old, const Outcome& o) {
        if (sink != kSinkName || old.empty()) return;
        long long from = 0;
        if (std::from_chars(old.data(), old.data() + old.size(), from).ec != std::errc())
          return;  // not a chat id (an @channel): not a subscriber
        subs->Follow(from, o);
      });
  Outbox* outbox = rt.outbox.get();
  CommandsOptions copts;
  copts.sink = kSinkName;
  copts.admins = tg.admins;
  copts.default_language = DefaultLanguage(cfg);
  copts.times = rt.notifier->site_times();
  auto commands = std::make_shared<Commands>(
      *subs, store, rt.live,
      [outbox](const std::vector<Outbox::Item>& items) { return outbox->Enqueue(items); }, clock,
      copts);
  auto bot = std::make_shared<Bot>(rt.ex, api, limiter, subs, commands, store, clock);
  rt.on_start.push_back([bot] { bot->Start(); });
  rt.on_stop.push_back([bot] { bot->Stop(); });
  log::info("telegram bot: {} subscribers, {} admins", subs->SubscribedChats().size(),
            tg.admins.size());
  return {};
}

}  // namespace

NotifyExtension MakeTelegramExtension(const Clock& clock) {
  return [&clock](NotifyRuntime& rt, const config::Config& cfg,
                  store::Store& store) -> Result<void> {
    auto limiter = std::make_shared<RateLimiter>();
    RegisterTgramScheme(rt.registry, limiter, clock);
    if (!cfg.telegram || cfg.telegram->token.empty()) return {};
    const config::TelegramConfig& tg = *cfg.telegram;
    auto api = std::make_shared<BotApi>(rt.web, tg.api_url, tg.token, rt.context.timeout);
    rt.outbox->AddSink(std::make_shared<TelegramSink>(kSinkName, api, tg.channel, limiter, clock));
    if (!tg.channel.empty()) rt.notifier->AddRecipient(kSinkName, tg.channel, "");
    log::info("notify: sink telegram → {} (channel {})", tg.api_url,
              tg.channel.empty() ? "none" : tg.channel);
    if (tg.bot) return AddBot(rt, cfg, store, clock, api, limiter);
    return {};
  };
}

}  // namespace plugwatch::notify::telegram
