#include "plugwatch/notify/telegram/extension.h"

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/telegram_sink.h"

namespace plugwatch::notify::telegram {

NotifyExtension MakeTelegramExtension(const Clock& clock) {
  return [&clock](NotifyRuntime& rt, engine::Service& service) -> Result<void> {
    auto limiter = std::make_shared<RateLimiter>();
    RegisterTgramScheme(rt.registry, limiter, clock);
    if (!service.config().telegram || service.config().telegram->token.empty()) return {};
    const config::TelegramConfig& tg = *service.config().telegram;
    auto api = std::make_shared<BotApi>(rt.web, tg.api_url, tg.token, rt.context.timeout);
    rt.outbox->AddSink(std::make_shared<TelegramSink>("telegram", api, tg.channel, limiter, clock));
    if (!tg.channel.empty()) rt.notifier->AddRecipient("telegram", tg.channel, "");
    log::info("notify: sink telegram → {} (channel {})", tg.api_url,
              tg.channel.empty() ? "none" : tg.channel);
    return {};
  };
}

}  // namespace plugwatch::notify::telegram
