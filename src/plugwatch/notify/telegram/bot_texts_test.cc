// Every bot text exists and renders completely in every bot language.
#include "plugwatch/notify/telegram/bot_texts.h"

#include <gtest/gtest.h>

#include <set>

namespace plugwatch::notify::telegram {
namespace {

// The placeholders of `key` in English, each given a value: a language's
// text must use no other.
Args ArgsFor(std::string_view key) {
  Args args;
  for (const auto& p : Placeholders(BotTexts().Get("en", key))) args.emplace_back(p, "X");
  return args;
}

TEST(BotTexts, LoadsEveryBotLanguage) {
  std::set<std::string> langs;
  for (const auto& l : BotTexts().Languages()) langs.insert(l);
  for (std::string_view l : kBotLanguages) EXPECT_TRUE(langs.contains(std::string(l))) << l;
}

TEST(BotTexts, EveryKeyRendersInEveryLanguage) {
  const auto keys = BotTexts().Keys("en");
  ASSERT_GT(keys.size(), 40u);
  for (std::string_view lang : kBotLanguages) {
    for (const auto& key : keys) {
      if (key.starts_with("broadcast.queued.")) continue;  // plural forms differ per language
      EXPECT_TRUE(BotTexts().Has(lang, key)) << lang << " lacks " << key;
      const std::string text = BotTexts().Get(lang, key, ArgsFor(key));
      EXPECT_FALSE(text.empty()) << lang << " " << key;
      EXPECT_TRUE(Placeholders(text).empty()) << lang << " " << key << ": " << text;
    }
  }
}

TEST(BotTexts, NoLanguageHasKeysEnglishLacks) {
  const auto en = BotTexts().Keys("en");
  const std::set<std::string> known(en.begin(), en.end());
  for (std::string_view lang : kBotLanguages)
    for (const auto& key : BotTexts().Keys(lang)) {
      if (key.starts_with("broadcast.queued.")) continue;
      EXPECT_TRUE(known.contains(key)) << lang << " has stray key " << key;
    }
}

TEST(BotTexts, PluralsRenderWithTheNumber) {
  for (std::string_view lang : kBotLanguages)
    for (long long n : {0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 1000}) {
      const std::string text = BotTexts().Plural(lang, "broadcast.queued", n);
      EXPECT_NE(text.find(std::to_string(n)), std::string::npos) << lang << " " << n;
      EXPECT_TRUE(Placeholders(text).empty()) << lang << " " << text;
    }
  EXPECT_EQ(BotTexts().Plural("en", "broadcast.queued", 1), "Queued for 1 subscriber.");
  EXPECT_EQ(BotTexts().Plural("uk", "broadcast.queued", 5),
            "Поставлено в чергу для 5 підписників.");
}

TEST(BotTexts, LanguagesNameThemselves) {
  EXPECT_EQ(BotTexts().Get("uk", "language.name"), "Українська");
  EXPECT_EQ(BotTexts().Get("cs", "language.name"), "Čeština");
  EXPECT_NE(BotTexts().Get("ru", "help.text"), BotTexts().Get("en", "help.text"));
}

}  // namespace
}  // namespace plugwatch::notify::telegram
