// The Telegram module's seam into the notification runtime (notify/runtime.h):
// a NotifyExtension that the composition root adds to NotifyExtensions()
// before the service's NotifyRuntime is made. It
//   - registers the "tgram" scheme for [[sinks]] entries (tgram://TOKEN/CHAT);
//   - when [telegram] token is set, adds the sink named "telegram" (api_url
//     from [telegram]) and, when [telegram] channel is set, makes that chat a
//     recipient of every routed event;
//   - when [telegram] bot = true as well, the bot (bot.h): its subscribers
//     (subscribers.h) become the RecipientSource of the "telegram" sink, the
//     outbox's recipient hook unsubscribes chats that are gone and follows
//     moved ones, and the long-polling loop starts and stops with the
//     runtime (NotifyRuntime::on_start / on_stop).
// One RateLimiter is shared by all Telegram sinks and the bot's replies (the
// limits are per bot).
#pragma once

#include "plugwatch/core/clock.h"
#include "plugwatch/notify/runtime.h"

namespace plugwatch::notify::telegram {

NotifyExtension MakeTelegramExtension(const Clock& clock);

}  // namespace plugwatch::notify::telegram
