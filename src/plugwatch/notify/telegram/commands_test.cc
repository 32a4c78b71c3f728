// The bot's commands and buttons against a real SQLite file: what is stored,
// what is answered, in which language; admins and the button rate limit.
#include "plugwatch/notify/telegram/commands.h"

#include <gtest/gtest.h>

#include <boost/json/array.hpp>

#include "plugwatch/notify/telegram/bot_texts.h"
#include "plugwatch/notify/telegram/test_db.h"

namespace plugwatch::notify::telegram {
namespace {

class FakeLive final : public engine::LiveStatus {
 public:
  std::vector<engine::PowerLine> power;
  std::vector<engine::DeviceLine> devices;
  std::vector<engine::PowerLine> Power() const override { return power; }
  std::vector<engine::DeviceLine> Devices() const override { return devices; }
};

class CommandsTest : public ::testing::Test {
 protected:
  CommandsTest() : subs_(db_.store(), "telegram", "en") {
    EXPECT_TRUE(subs_.Load());
    CommandsOptions o;
    o.admins = {7};
    commands_ = std::make_unique<Commands>(
        subs_, db_.store(), &live_,
        [this](const std::vector<Outbox::Item>& items) -> Result<int> {
          queued_.insert(queued_.end(), items.begin(), items.end());
          return static_cast<int>(items.size());
        },
        clock_, o);
  }

  std::vector<BotAction> Message(long long chat, std::string text, std::string code = "en",
                                 long long user = 0) {
    Update u;
    u.update_id = ++update_id_;
    u.kind = Update::Kind::kMessage;
    u.chat_id = chat;
    u.user_id = user ? user : chat;
    u.first_name = "Olya";
    u.language_code = std::move(code);
    u.text = std::move(text);
    clock_.Advance(Duration(1500));  // slower than the message rate limit
    return commands_->Handle(u);
  }
  std::vector<BotAction> Press(long long chat, std::string data, long long message_id = 50) {
    Update u;
    u.update_id = ++update_id_;
    u.kind = Update::Kind::kCallback;
    u.chat_id = chat;
    u.user_id = chat;
    u.callback_id = "cb" + std::to_string(update_id_);
    u.data = std::move(data);
    u.message_id = message_id;
    clock_.Advance(Duration(1500));  // slower than the button rate limit
    return commands_->Handle(u);
  }

  TestDb db_;
  ManualClock clock_;
  Subscribers subs_;
  FakeLive live_;
  std::vector<Outbox::Item> queued_;
  std::unique_ptr<Commands> commands_;
  long long update_id_ = 1000;
};

TEST_F(CommandsTest, StartSubscribesThenButtonsChooseLanguageTopicsAndNightSound) {
  auto a = Message(42, "/start", "de");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, BotAction::Kind::kSend);
  EXPECT_EQ(a[0].chat_id, 42);
  EXPECT_NE(a[0].text.find("Hello, Olya!"), std::string::npos) << a[0].text;
  ASSERT_TRUE(a[0].keyboard);
  ASSERT_NE(subs_.Find(42), nullptr);
  EXPECT_TRUE(subs_.Find(42)->subscribed);

  a = Press(42, "s:l:uk");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].kind, BotAction::Kind::kAnswer);
  EXPECT_EQ(a[0].text, "Збережено");
  EXPECT_EQ(a[1].kind, BotAction::Kind::kEdit);
  EXPECT_EQ(a[1].message_id, 50);
  EXPECT_EQ(a[1].text, "Які сповіщення ви хочете отримувати?");

  a = Press(42, "s:t:power");
  EXPECT_EQ(a[1].text, "Звук сповіщень уночі (22:00–08:00)?");
  a = Press(42, "s:n:off");
  EXPECT_NE(a[1].text.find("сповіщення: світло, звук уночі: вимкнено"), std::string::npos)
      << a[1].text;
  EXPECT_FALSE(a[1].keyboard);

  // Durable: a fresh load from the store sees the same choices.
  Subscribers again(db_.store(), "telegram", "en");
  ASSERT_TRUE(again.Load());
  auto r = again.Recipients("telegram");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].language, "uk");
  EXPECT_EQ(r[0].topics, (std::vector<std::string>{"power"}));
  EXPECT_TRUE(r[0].silent_at_night);
}

TEST_F(CommandsTest, StopUnsubscribesAndStartAgainKeepsChoices) {
  Message(5, "/start");
  Press(5, "s:l:cs");
  auto a = Message(5, "/stop");
  EXPECT_EQ(a[0].text, BotTexts().Get("cs", "stop.done"));
  EXPECT_TRUE(subs_.Recipients("telegram").empty());
  EXPECT_EQ(Message(5, "/stop")[0].text, BotTexts().Get("cs", "stop.not_subscribed"));
  Message(5, "/start");
  ASSERT_EQ(subs_.Recipients("telegram").size(), 1u);
  EXPECT_EQ(subs_.Recipients("telegram")[0].language, "cs");
}

TEST_F(CommandsTest, SettingsShowsChoicesAndItsButtonsChangeThem) {
  EXPECT_EQ(Message(8, "/settings")[0].text, BotTexts().Get("en", "settings.not_subscribed"));
  Message(8, "/start", "ru");
  auto a = Message(8, "/settings", "ru");
  EXPECT_EQ(a[0].text.substr(0, a[0].text.find('\n')), "Ваши настройки:");
  EXPECT_NE(a[0].text.find("Язык: Русский"), std::string::npos) << a[0].text;
  ASSERT_TRUE(a[0].keyboard);
  a = Press(8, "c:t:appliances");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[1].text.find("Уведомления: приборы"), std::string::npos) << a[1].text;
  EXPECT_TRUE(a[1].keyboard);
}

TEST_F(CommandsTest, ButtonsFasterThanOneASecondAreAnsweredTooFast) {
  Message(9, "/start");
  Update u;
  u.kind = Update::Kind::kCallback;
  u.chat_id = 9;
  u.user_id = 9;
  u.data = "s:l:uk";
  u.message_id = 1;
  auto first = commands_->Handle(u);
  ASSERT_EQ(first.size(), 2u);
  u.data = "s:l:ru";
  clock_.Advance(Duration(400));
  auto second = commands_->Handle(u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].kind, BotAction::Kind::kAnswer);
  EXPECT_EQ(second[0].text, BotTexts().Get("uk", "buttons.too_fast"));
  EXPECT_EQ(subs_.Recipients("telegram")[0].language, "uk");  // unchanged
  clock_.Advance(Duration(700));
  EXPECT_EQ(commands_->Handle(u).size(), 2u);
  EXPECT_EQ(subs_.Recipients("telegram")[0].language, "ru");
}

TEST_F(CommandsTest, AChatFloodingTheBotIsIgnoredBeyondABurstOfFive) {
  Update u;
  u.kind = Update::Kind::kMessage;
  u.chat_id = 12;
  u.user_id = 12;
  u.text = "/help";
  int answered = 0;
  for (int i = 0; i < 20; ++i) {  // 20 messages within 200 ms
    u.update_id = ++update_id_;
    answered += commands_->Handle(u).empty() ? 0 : 1;
    clock_.Advance(Duration(10));
  }
  EXPECT_EQ(answered, 5);
  u.chat_id = 13;  // another chat is not affected
  EXPECT_EQ(commands_->Handle(u).size(), 1u);
  clock_.Advance(Duration(1000));
  u.chat_id = 12;  // a second later: one more
  EXPECT_EQ(commands_->Handle(u).size(), 1u);
  EXPECT_TRUE(commands_->Handle(u).empty());
}

TEST_F(CommandsTest, StaleOrForeignButtonsChangeNothing) {
  auto a = Press(77, "s:l:uk");  // never pressed /start
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].text, BotTexts().Get("en", "buttons.stale"));
  EXPECT_EQ(subs_.Find(77), nullptr);
  Message(77, "/start");
  a = Press(77, "zz");
  EXPECT_EQ(a[0].text, BotTexts().Get("en", "buttons.stale"));
}

TEST_F(CommandsTest, BroadcastIsForAdminsOnlyAndQueuesOncePerSubscriber) {
  for (long long chat : {1, 2, 3}) Message(chat, "/start");
  Message(2, "/stop");
  auto refused = Message(1, "/broadcast hi all", "uk");
  EXPECT_EQ(refused[0].text,
            BotTexts().Get("en", "broadcast.refused"));  // chat 1 chose nothing: Telegram's en
  EXPECT_TRUE(queued_.empty());
  EXPECT_EQ(Message(100, "/broadcast", "en", 7)[0].text, BotTexts().Get("en", "broadcast.usage"));
  auto ok = Message(100, "/broadcast No power on Sunday & <b>", "en", 7);
  EXPECT_EQ(ok[0].chat_id, 100);
  EXPECT_EQ(ok[0].text, "Queued for 2 subscribers.");
  ASSERT_EQ(queued_.size(), 2u);
  EXPECT_EQ(queued_[0].recipient, "1");
  EXPECT_EQ(queued_[1].recipient, "3");
  EXPECT_EQ(queued_[0].sink, "telegram");
  EXPECT_EQ(queued_[0].event_type, "broadcast");
  EXPECT_EQ(queued_[0].message.text, "No power on Sunday & <b>");
  EXPECT_EQ(queued_[0].idempotency_key, queued_[1].idempotency_key);
  EXPECT_EQ(queued_[0].idempotency_key, "broadcast-" + std::to_string(update_id_));
}

TEST_F(CommandsTest, StatusDevicesOutagesAndHelpAnswer) {
  live_.power = {{"home", "", detect::PowerState::kUp, clock_.Now() - Duration(3'600'000)}};
  EXPECT_NE(Message(3, "/status")[0].text.find("🟢 home: power is ON since"), std::string::npos);
  EXPECT_EQ(Message(3, "/devices")[0].text, "No devices are monitored.");
  EXPECT_EQ(Message(3, "/outages")[0].text, "No power outages recorded.");
  store::OutageRecord o;
  o.site = "home";
  o.cause = "quorum";
  o.started_at = clock_.Now() - Duration(7'500'000);
  o.ended_at = clock_.Now() - Duration(300'000);
  db_.store().RecordOutage(o);
  ASSERT_TRUE(db_.store().Flush());
  EXPECT_NE(Message(3, "/outages")[0].text.find(", 2 h"), std::string::npos)
      << Message(3, "/outages")[0].text;
  EXPECT_EQ(Message(3, "/help", "uk")[0].text, BotTexts().Get("uk", "help.text"));
  EXPECT_EQ(Message(3, "/nonsense")[0].text, BotTexts().Get("en", "misc.unknown"));
  EXPECT_TRUE(Message(-100, "hello everyone").empty());  // groups: no chatter
}

TEST_F(CommandsTest, MenuHasEveryCommandInEachLanguage) {
  auto en = Commands::MenuCommands("en");
  auto uk = Commands::MenuCommands("uk");
  ASSERT_EQ(en.size(), 7u);
  EXPECT_EQ(en[0].at("command").as_string(), "start");
  EXPECT_NE(en[0].at("description"), uk[0].at("description"));
}

}  // namespace
}  // namespace plugwatch::notify::telegram
