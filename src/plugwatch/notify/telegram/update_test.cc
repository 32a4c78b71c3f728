// getUpdates results as Telegram sends them → Update.
#include "plugwatch/notify/telegram/update.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace plugwatch::notify::telegram {
namespace {

TEST(Update, ParsesACommandMessageAndAButtonPress) {
  const auto v = boost::json::parse(R"([
    {"update_id":1001,"message":{"message_id":5,"date":1700000000,
      "chat":{"id":42,"type":"private","first_name":"Olya"},
      "from":{"id":42,"is_bot":false,"first_name":"Olya","username":"olya","language_code":"uk"},
      "text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}},
    {"update_id":1002,"callback_query":{"id":"cb77","chat_instance":"1",
      "from":{"id":42,"is_bot":false,"first_name":"Olya","language_code":"uk"},
      "message":{"message_id":6,"date":1700000001,"chat":{"id":42,"type":"private"},"text":"x"},
      "data":"s:l:uk"}},
    {"update_id":1003,"edited_message":{"message_id":5}},
    {"message":{"text":"no update id"}}
  ])");
  auto ups = ParseUpdates(v);
  ASSERT_TRUE(ups) << ups.error().message();
  ASSERT_EQ(ups->size(), 3u);
  const Update& m = (*ups)[0];
  EXPECT_EQ(m.update_id, 1001);
  EXPECT_EQ(m.kind, Update::Kind::kMessage);
  EXPECT_EQ(m.chat_id, 42);
  EXPECT_EQ(m.user_id, 42);
  EXPECT_EQ(m.first_name, "Olya");
  EXPECT_EQ(m.username, "olya");
  EXPECT_EQ(m.language_code, "uk");
  EXPECT_EQ(m.text, "/start");
  const Update& c = (*ups)[1];
  EXPECT_EQ(c.kind, Update::Kind::kCallback);
  EXPECT_EQ(c.callback_id, "cb77");
  EXPECT_EQ(c.data, "s:l:uk");
  EXPECT_EQ(c.message_id, 6);
  EXPECT_EQ(c.chat_id, 42);
  EXPECT_EQ((*ups)[2].kind, Update::Kind::kOther);
  EXPECT_EQ((*ups)[2].update_id, 1003);
}

TEST(Update, AResultThatIsNotAListIsAProtocolError) {
  auto ups = ParseUpdates(boost::json::parse(R"({"update_id":1})"));
  ASSERT_FALSE(ups);
  EXPECT_TRUE(ups.error().Is(Errc::kProtocol));
}

TEST(Update, ParseCommandSplitsNameAndArguments) {
  auto c = ParseCommand("/Broadcast@pw_bot  Power off on Sunday\nsecond line");
  EXPECT_EQ(c.name, "/broadcast");
  EXPECT_EQ(c.args, "Power off on Sunday\nsecond line");
  EXPECT_EQ(ParseCommand("/help").name, "/help");
  EXPECT_EQ(ParseCommand("/help").args, "");
  EXPECT_EQ(ParseCommand("hello /start").name, "");
}

}  // namespace
}  // namespace plugwatch::notify::telegram
