#include "plugwatch/notify/telegram/bot_texts.h"

#include <stdexcept>

#include "plugwatch/core/embedded_file.h"

namespace plugwatch::notify::telegram {

const Catalog& BotTexts() {
  static const Catalog c = [] {
    auto r = Catalog::Load(embedded::TelegramTexts());
    if (!r) throw std::runtime_error(r.error().context);
    return std::move(*r);
  }();
  return c;
}

}  // namespace plugwatch::notify::telegram
