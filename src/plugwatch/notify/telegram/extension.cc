#include "plugwatch/notify/telegram/extension.h"

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/telegram_sink.h"

namespace plugwatch::notify::telegram {

NotifyExtension MakeTelegramExtension(const Clock& clock) {
  return [&clock](NotifyRuntime& rt, const config::Config& cfg, store::Store&) -> Result<void> {
    auto limiter = std::make_shared<RateLimiter>();
    RegisterTgramScheme(rt.registry, limiter, clock);
    if (!cfg.telegram || cfg.telegram->token.empty()) return {};
    const config::TelegramConfig& tg = *cfg.telegram;
    auto api = std::make_shared<BotApi>(rt.web, tg.api_url, tg.token, rt.context.timeout);
    rt.outbox->AddSink(std::make_shared<TelegramSink>("telegram", api, tg.channel, limiter, clock));
    if (!tg.channel.empty()) rt.notifier->AddRecipient("telegram", tg.channel, "");
    log::info("notify: sink telegram → {} (channel {})", tg.api_url,
              tg.channel.empty() ? "none" : tg.channel);
    return {};
  };
}

}  // namespace plugwatch::notify::telegram
