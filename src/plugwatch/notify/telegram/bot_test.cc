// The bot's loop and replies against a scripted loopback Bot API, with a real
// SQLite file: webhook removal and the command menu at start, the offset
// stored after each handled update and used after a restart, and what 403,
// 429 and migrate_to_chat_id do to a reply.
#include "plugwatch/notify/telegram/bot.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "plugwatch/net/run_until_done.h"
#include "plugwatch/net/scripted_server.h"
#include "plugwatch/notify/telegram/bot_texts.h"
#include "plugwatch/notify/telegram/test_db.h"

namespace plugwatch::notify::telegram {
namespace {

namespace json = boost::json;
const char kToken[] = "123456:BOT-token";
const char kOk[] = R"({"ok":true,"result":true})";
const char kNoUpdates[] = R"({"ok":true,"result":[]})";

class BotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net::HttpResponse fallback;
    fallback.body = kNoUpdates;
    server_ = std::make_unique<net::ScriptedServer>(io_.get_executor(), fallback);
    web_ = std::make_shared<net::WebClient>(io_.get_executor());
    api_ = std::make_shared<BotApi>(web_, "http://127.0.0.1:" + std::to_string(server_->port()),
                                    kToken, Duration(2000));
    MakeBot();
  }
  void MakeBot() {
    subs_ = std::make_shared<Subscribers>(db_.store(), "telegram", "en");
    ASSERT_TRUE(subs_->Load());
    commands_ = std::make_shared<Commands>(
        *subs_, db_.store(), nullptr,
        [](const std::vector<Outbox::Item>& items) -> Result<int> {
          return static_cast<int>(items.size());
        },
        clock_, CommandsOptions{});
    BotOptions o;
    o.poll_timeout_s = 0;
    o.error_pause = Duration(10);
    bot_ = std::make_shared<Bot>(io_.get_executor(), api_, std::make_shared<RateLimiter>(), subs_,
                                 commands_, db_.store(), clock_, o);
  }
  void Reply(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    server_->replies.push_back(r);
  }
  std::string Method(size_t i) const {
    const std::string& t = server_->requests.at(i).target;
    return t.substr(t.rfind('/') + 1);
  }
  json::object Body(size_t i) const {
    return json::parse(server_->requests.at(i).body).as_object();
  }
  // Runs the loop until `done` or 5 s pass.
  template <class F>
  void RunUntil(F done) {
    io_.restart();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < end)
      io_.run_for(std::chrono::milliseconds(5));
  }
  static Update Msg(long long update_id, long long chat, std::string text) {
    Update u;
    u.update_id = update_id;
    u.kind = Update::Kind::kMessage;
    u.chat_id = chat;
    u.user_id = chat;
    u.text = std::move(text);
    return u;
  }

  boost::asio::io_context io_;
  ManualClock clock_;
  TestDb db_;
  std::unique_ptr<net::ScriptedServer> server_;
  std::shared_ptr<net::WebClient> web_;
  std::shared_ptr<BotApi> api_;
  std::shared_ptr<Subscribers> subs_;
  std::shared_ptr<Commands> commands_;
  std::shared_ptr<Bot> bot_;
};

TEST_F(BotTest, StartsCleanlyThenStoresTheOffsetOfEachHandledUpdate) {
  Reply(200, kOk);                              // deleteWebhook
  for (int i = 0; i < 4; ++i) Reply(200, kOk);  // setMyCommands × 4 languages
  Reply(200, R"({"ok":true,"result":[
    {"update_id":500,"message":{"message_id":1,"chat":{"id":42,"type":"private"},
     "from":{"id":42,"first_name":"A","language_code":"en"},"text":"/help"}},
    {"update_id":501,"message":{"message_id":2,"chat":{"id":42,"type":"private"},
     "from":{"id":42,"first_name":"A","language_code":"en"},"text":"/start"}}]})");
  Reply(200, R"({"ok":true,"result":{"message_id":3}})");  // the /help reply
  Reply(200, R"({"ok":true,"result":{"message_id":4}})");  // the /start reply
  bot_->Start();
  RunUntil([&] { return db_.store().TelegramOffset().value_or(0) == 502; });
  bot_->Stop();
  io_.restart();
  io_.run_for(std::chrono::milliseconds(200));  // the loop sees the stop and ends

  ASSERT_GE(server_->requests.size(), 9u);
  EXPECT_EQ(Method(0), "deleteWebhook");
  EXPECT_EQ(Method(1), "setMyCommands");
  EXPECT_EQ(Body(1).at("commands").as_array().size(), 7u);
  EXPECT_FALSE(Body(1).contains("language_code"));
  EXPECT_EQ(Body(2).at("language_code").as_string(), "uk");
  EXPECT_EQ(Method(5), "getUpdates");
  EXPECT_FALSE(Body(5).contains("offset"));  // nothing handled yet
  EXPECT_EQ(Body(5).at("allowed_updates").as_array().size(), 2u);
  EXPECT_EQ(Method(6), "sendMessage");
  EXPECT_EQ(Body(6).at("chat_id").as_int64(), 42);
  EXPECT_EQ(Body(6).at("text").as_string(), BotTexts().Get("en", "help.text"));
  EXPECT_EQ(Method(7), "sendMessage");
  EXPECT_TRUE(Body(7).contains("reply_markup"));
  EXPECT_EQ(Method(8), "getUpdates");
  EXPECT_EQ(Body(8).at("offset").as_int64(), 502);
  EXPECT_EQ(subs_->SubscribedChats(), (std::vector<long long>{42}));

  // A restarted bot asks from the stored offset: nothing is handled twice.
  db_.Reopen();
  MakeBot();
  const size_t before = server_->requests.size();
  bot_->Start();
  RunUntil([&] {
    for (size_t i = before; i < server_->requests.size(); ++i)
      if (Method(i) == "getUpdates") return true;
    return false;
  });
  bot_->Stop();
  bool asked = false;
  for (size_t i = before; i < server_->requests.size(); ++i)
    if (Method(i) == "getUpdates") {
      EXPECT_EQ(Body(i).at("offset").as_int64(), 502);
      asked = true;
      break;
    }
  EXPECT_TRUE(asked);
}

TEST_F(BotTest, AReplyToABlockedChatUnsubscribesIt) {
  ASSERT_TRUE(subs_->Save([] {
    store::TelegramSubscriber s;
    s.chat_id = 42;
    return s;
  }()));
  Reply(403,
        R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  auto u = Msg(1, 42, "/help");
  net::RunUntilDone(io_, bot_->HandleUpdate(u));
  EXPECT_EQ(server_->requests.size(), 1u);  // not retried
  EXPECT_TRUE(subs_->SubscribedChats().empty());
  Subscribers reloaded(db_.store(), "telegram", "en");
  ASSERT_TRUE(reloaded.Load());
  EXPECT_TRUE(reloaded.SubscribedChats().empty());
}

TEST_F(BotTest, A429IsRetriedAfterRetryAfter) {
  Reply(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1",
                 "parameters":{"retry_after":1}})");
  Reply(200, R"({"ok":true,"result":{"message_id":3}})");
  auto u = Msg(1, 42, "/help");
  const auto t0 = std::chrono::steady_clock::now();
  net::RunUntilDone(io_, bot_->HandleUpdate(u));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(950));
  ASSERT_EQ(server_->requests.size(), 2u);
  EXPECT_EQ(Method(1), "sendMessage");
}

TEST_F(BotTest, AMigratedGroupIsFollowed) {
  ASSERT_TRUE(subs_->Save([] {
    store::TelegramSubscriber s;
    s.chat_id = -77;
    return s;
  }()));
  Reply(400, R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded",
                 "parameters":{"migrate_to_chat_id":-10077}})");
  Reply(200, R"({"ok":true,"result":{"message_id":3}})");
  auto u = Msg(1, -77, "/help");
  net::RunUntilDone(io_, bot_->HandleUpdate(u));
  ASSERT_EQ(server_->requests.size(), 2u);
  EXPECT_EQ(Body(1).at("chat_id").as_int64(), -10077);
  EXPECT_EQ(subs_->SubscribedChats(), (std::vector<long long>{-10077}));
}

TEST_F(BotTest, FailedPollsAreRetriedWithoutMovingTheOffset) {
  Reply(200, kOk);
  for (int i = 0; i < 4; ++i) Reply(200, kOk);
  Reply(502, "<html>bad gateway</html>");
  Reply(
      409,
      R"({"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"})");
  bot_->Start();
  RunUntil([&] { return server_->requests.size() >= 8; });
  bot_->Stop();
  io_.restart();
  io_.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Method(5), "getUpdates");
  EXPECT_EQ(Method(6), "getUpdates");
  EXPECT_EQ(Method(7), "getUpdates");
  EXPECT_EQ(db_.store().TelegramOffset().value_or(-1), 0);
}

}  // namespace
}  // namespace plugwatch::notify::telegram
