// Inline keyboards: every button's data parses back to its choice, fits
// Telegram's 64 bytes, and the labels are in the user's language.
#include "plugwatch/notify/telegram/keyboards.h"

#include <gtest/gtest.h>

#include <boost/json/array.hpp>

#include "plugwatch/notify/telegram/bot_texts.h"

namespace plugwatch::notify::telegram {
namespace {

namespace json = boost::json;

std::vector<std::pair<std::string, std::string>> Buttons(const json::object& kb) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : kb.at("inline_keyboard").as_array())
    for (const auto& b : row.as_array())
      out.emplace_back(std::string(b.at("text").as_string()),
                       std::string(b.at("callback_data").as_string()));
  return out;
}

TEST(Keyboards, SettingsButtonsParseBackAndFit) {
  const auto buttons = Buttons(SettingsKeyboard(BotTexts(), "uk"));
  ASSERT_EQ(buttons.size(), 4u + 3u + 2u);
  for (const auto& [text, data] : buttons) {
    EXPECT_LE(data.size(), 64u);
    auto p = ParseButton(data);
    ASSERT_TRUE(p) << data;
    EXPECT_EQ(p->flow, ButtonPress::Flow::kSettings);
  }
  EXPECT_EQ(buttons[1].first, "Українська");
  EXPECT_EQ(buttons[4].first, "Світло");  // topics row in Ukrainian
  auto p = ParseButton(buttons[8].second);
  EXPECT_EQ(p->choice, ButtonPress::Choice::kNight);
  EXPECT_EQ(p->value, "off");
}

TEST(Keyboards, StartFlowKeyboards) {
  const auto langs = Buttons(LanguageKeyboard(ButtonPress::Flow::kStart, BotTexts()));
  ASSERT_EQ(langs.size(), 4u);
  EXPECT_EQ(langs[0].second, "s:l:en");
  EXPECT_EQ(langs[3].second, "s:l:cs");
  const auto topics = Buttons(TopicsKeyboard(ButtonPress::Flow::kStart, BotTexts(), "en"));
  EXPECT_EQ(topics[0].first, "Power");
  EXPECT_EQ(topics[2].second, "s:t:both");
  const auto night = Buttons(NightKeyboard(ButtonPress::Flow::kStart, BotTexts(), "cs"));
  EXPECT_EQ(night[1].second, "s:n:off");
}

TEST(Keyboards, ForeignDataIsRejected) {
  for (const char* d : {"", "x", "s:l:de", "q:l:en", "s:t:all", "s:n:maybe", "s:x:on", "sl:en"})
    EXPECT_FALSE(ParseButton(d)) << d;
}

}  // namespace
}  // namespace plugwatch::notify::telegram
