// Keyboards: the bot's inline buttons and what a press means. Pure.
//
// Three choices, each one row of buttons: language (en/uk/ru/cs, each in its
// own name), notifications (power / appliances / both) and night sound
// (on / off). /start walks through them one message edit at a time; /settings
// shows all three rows at once under a summary.
//
// callback_data is "<flow>:<choice>:<value>" (Telegram allows 64 bytes):
// flow "s" (the /start walk) or "c" (/settings), choice "l" (language), "t"
// (topics), "n" (night sound). E.g. "s:l:uk", "c:t:both", "s:n:off".
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/notify/catalog.h"

namespace plugwatch::notify::telegram {

struct ButtonPress {
  enum class Flow { kStart, kSettings };
  enum class Choice { kLanguage, kTopics, kNight };
  Flow flow = Flow::kStart;
  Choice choice = Choice::kLanguage;
  std::string value;  // a language, "power" / "appliances" / "both", "on" / "off"
};

// nullopt for data the bot did not make (or made by an older version).
std::optional<ButtonPress> ParseButton(std::string_view data);

// reply_markup objects ({"inline_keyboard": […]}) in `lang`.
boost::json::object LanguageKeyboard(ButtonPress::Flow flow, const Catalog& texts);
boost::json::object TopicsKeyboard(ButtonPress::Flow flow, const Catalog& texts,
                                   std::string_view lang);
boost::json::object NightKeyboard(ButtonPress::Flow flow, const Catalog& texts,
                                  std::string_view lang);
// All three rows, flow kSettings.
boost::json::object SettingsKeyboard(const Catalog& texts, std::string_view lang);

}  // namespace plugwatch::notify::telegram
