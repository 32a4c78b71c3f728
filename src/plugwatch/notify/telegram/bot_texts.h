// BotTexts: the Telegram bot's own texts (data/telegram/<lang>.toml, embedded
// in the binary) as a notify::Catalog — the same mechanism, fallbacks and
// plural rules as the notification texts (data/notify). Durations in bot
// replies use the notification catalog's FormatDuration, so "2 h 5 min"
// reads the same in a reply and in a notification.
#pragma once

#include "plugwatch/notify/catalog.h"

namespace plugwatch::notify::telegram {

// Loaded once; throws at first use if a file does not parse (a build error
// that the unit tests catch).
const Catalog& BotTexts();

// The languages a user can choose, in button order.
inline constexpr std::string_view kBotLanguages[] = {"en", "uk", "ru", "cs"};

}  // namespace plugwatch::notify::telegram
