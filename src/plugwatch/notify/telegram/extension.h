// The Telegram module's seam into the notification runtime (notify/runtime.h):
// a NotifyExtension that the composition root adds to NotifyExtensions()
// before the service's NotifyRuntime is made. It
//   - registers the "tgram" scheme for [[sinks]] entries (tgram://TOKEN/CHAT);
//   - when [telegram] token is set, adds the sink named "telegram" (api_url
//     from [telegram]) and, when [telegram] channel is set, makes that chat a
//     recipient of every routed event.
// One RateLimiter is shared by all Telegram sinks (the limits are per bot).
//
// Not yet here (see docs/adr/0010-telegram.md): the subscriber store
// (migration 004), the bot's long-polling loop and its recipient hook.
#pragma once

#include "plugwatch/core/clock.h"
#include "plugwatch/notify/runtime.h"

namespace plugwatch::notify::telegram {

NotifyExtension MakeTelegramExtension(const Clock& clock);

}  // namespace plugwatch::notify::telegram
