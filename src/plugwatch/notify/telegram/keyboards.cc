#include "plugwatch/notify/telegram/keyboards.h"

#include <boost/json/array.hpp>

#include "plugwatch/notify/telegram/bot_texts.h"

namespace plugwatch::notify::telegram {

namespace json = boost::json;

namespace {

std::string_view FlowCode(ButtonPress::Flow f) {
  return f == ButtonPress::Flow::kStart ? "s" : "c";
}

json::object Button(std::string text, std::string data) {
  return json::object{{"text", std::move(text)}, {"callback_data", std::move(data)}};
}

std::string Data(ButtonPress::Flow f, std::string_view choice, std::string_view value) {
  return std::string(FlowCode(f)) + ":" + std::string(choice) + ":" + std::string(value);
}

json::array LanguageRow(ButtonPress::Flow f, const Catalog& texts) {
  json::array row;
  for (std::string_view l : kBotLanguages)
    row.push_back(Button(texts.Get(l, "language.name"), Data(f, "l", l)));
  return row;
}

json::array TopicsRow(ButtonPress::Flow f, const Catalog& texts, std::string_view lang) {
  json::array row;
  for (std::string_view t : {"power", "appliances", "both"})
    row.push_back(
        Button(texts.Get(lang, std::string("buttons.") + std::string(t)), Data(f, "t", t)));
  return row;
}

json::array NightRow(ButtonPress::Flow f, const Catalog& texts, std::string_view lang) {
  return json::array{Button(texts.Get(lang, "buttons.night_on"), Data(f, "n", "on")),
                     Button(texts.Get(lang, "buttons.night_off"), Data(f, "n", "off"))};
}

json::object Keyboard(json::array rows) {
  return json::object{{"inline_keyboard", std::move(rows)}};
}

}  // namespace

std::optional<ButtonPress> ParseButton(std::string_view data) {
  if (data.size() < 5 || data[1] != ':' || data[3] != ':') return std::nullopt;
  ButtonPress p;
  if (data[0] == 's')
    p.flow = ButtonPress::Flow::kStart;
  else if (data[0] == 'c')
    p.flow = ButtonPress::Flow::kSettings;
  else
    return std::nullopt;
  p.value = std::string(data.substr(4));
  switch (data[2]) {
    case 'l':
      p.choice = ButtonPress::Choice::kLanguage;
      for (std::string_view l : kBotLanguages)
        if (p.value == l) return p;
      return std::nullopt;
    case 't':
      p.choice = ButtonPress::Choice::kTopics;
      if (p.value == "power" || p.value == "appliances" || p.value == "both") return p;
      return std::nullopt;
    case 'n':
      p.choice = ButtonPress::Choice::kNight;
      if (p.value == "on" || p.value == "off") return p;
      return std::nullopt;
  }
  return std::nullopt;
}

json::object LanguageKeyboard(ButtonPress::Flow flow, const Catalog& texts) {
  return Keyboard(json::array{LanguageRow(flow, texts)});
}

json::object TopicsKeyboard(ButtonPress::Flow flow, const Catalog& texts, std::string_view lang) {
  return Keyboard(json::array{TopicsRow(flow, texts, lang)});
}

json::object NightKeyboard(ButtonPress::Flow flow, const Catalog& texts, std::string_view lang) {
  return Keyboard(json::array{NightRow(flow, texts, lang)});
}

json::object SettingsKeyboard(const Catalog& texts, std::string_view lang) {
  const auto f = ButtonPress::Flow::kSettings;
  return Keyboard(
      json::array{LanguageRow(f, texts), TopicsRow(f, texts, lang), NightRow(f, texts, lang)});
}

}  // namespace plugwatch::notify::telegram
