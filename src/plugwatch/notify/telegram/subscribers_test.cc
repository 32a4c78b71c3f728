// Subscribers over a real SQLite file: what the Notifier gets as recipients,
// language resolution, and that memory and the store agree after a reload.
#include "plugwatch/notify/telegram/subscribers.h"

#include <gtest/gtest.h>

#include "plugwatch/notify/telegram/test_db.h"

namespace plugwatch::notify::telegram {
namespace {

store::TelegramSubscriber Sub(long long chat, std::string code = "") {
  store::TelegramSubscriber s;
  s.chat_id = chat;
  s.user_id = chat;
  s.language_code = std::move(code);
  return s;
}

TEST(Subscribers, RecipientsCarryLanguageTopicsAndNightChoice) {
  TestDb db;
  Subscribers subs(db.store(), "telegram", "ru");
  ASSERT_TRUE(subs.Load());
  auto a = Sub(1, "uk-UA");  // Telegram language the bot speaks
  auto b = Sub(2, "de");     // one it does not: the event's site's, "" here
  b.power = false;
  b.night_sound = false;
  auto c = Sub(3, "uk");
  c.language = "cs";  // a choice beats Telegram's language
  c.appliances = false;
  auto gone = Sub(4, "en");
  gone.subscribed = false;
  ASSERT_TRUE(subs.SaveMany({a, b, c, gone}));

  EXPECT_TRUE(subs.Recipients("family").empty());  // another sink
  auto r = subs.Recipients("telegram");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].address, "1");
  EXPECT_EQ(r[0].language, "uk");
  EXPECT_EQ(r[0].topics, (std::vector<std::string>{"power", "appliances"}));
  EXPECT_FALSE(r[0].silent_at_night);
  EXPECT_EQ(r[1].language, "");
  EXPECT_EQ(subs.Language(b), "ru");  // the bot's own replies: the default
  EXPECT_EQ(r[1].topics, (std::vector<std::string>{"appliances"}));
  EXPECT_TRUE(r[1].silent_at_night);
  EXPECT_EQ(r[2].language, "cs");
  EXPECT_EQ(r[2].topics, (std::vector<std::string>{"power"}));
  EXPECT_EQ(subs.SubscribedChats(), (std::vector<long long>{1, 2, 3}));
}

TEST(Subscribers, ChangesAreInTheStoreAfterAReload) {
  TestDb db;
  {
    Subscribers subs(db.store(), "telegram", "en");
    ASSERT_TRUE(subs.Load());
    ASSERT_TRUE(subs.SaveMany({Sub(10), Sub(-77), Sub(11)}));
    ASSERT_TRUE(subs.Unsubscribe(10));
    ASSERT_TRUE(subs.Unsubscribe(999));  // unknown: nothing to do
    ASSERT_TRUE(subs.Move(-77, -10077));
  }
  db.Reopen();
  Subscribers again(db.store(), "telegram", "en");
  ASSERT_TRUE(again.Load());
  EXPECT_EQ(again.size(), 3u);
  EXPECT_EQ(again.SubscribedChats(), (std::vector<long long>{-10077, 11}));
  ASSERT_NE(again.Find(10), nullptr);
  EXPECT_FALSE(again.Find(10)->subscribed);
  EXPECT_EQ(again.Find(-77), nullptr);
}

TEST(Subscribers, ChatsAnotherProcessSavedAreSeenWithoutARestart) {
  TestDb db;
  Subscribers subs(db.store(), "telegram", "en");
  subs.refresh_every = std::chrono::milliseconds(0);
  ASSERT_TRUE(subs.Load());
  ASSERT_TRUE(subs.Save(Sub(1)));
  auto other = store::OpenSqlite(db.path());  // `plugwatch notify subscribe`
  ASSERT_TRUE(other);
  auto added = Sub(2, "cs");
  ASSERT_TRUE((*other)->SaveSubscribers({added}));
  auto r = subs.Recipients("telegram");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].address, "2");
  EXPECT_EQ(r[1].language, "cs");
  ASSERT_NE(subs.Find(2), nullptr);
}

TEST(Subscribers, SupportedLanguageNormalisesCodes) {
  EXPECT_EQ(SupportedLanguage("uk-UA"), std::optional<std::string>("uk"));
  EXPECT_EQ(SupportedLanguage("CS"), std::optional<std::string>("cs"));
  EXPECT_EQ(SupportedLanguage("en_GB"), std::optional<std::string>("en"));
  EXPECT_EQ(SupportedLanguage("de"), std::nullopt);
  EXPECT_EQ(SupportedLanguage(""), std::nullopt);
}

}  // namespace
}  // namespace plugwatch::notify::telegram
