#include "plugwatch/notify/telegram/telegram_sink.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "plugwatch/net/run_until_done.h"
#include "plugwatch/net/scripted_server.h"
#include "plugwatch/notify/telegram/text.h"

namespace plugwatch::notify::telegram {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
const char kToken[] = "123456:SECRET-token";

// A loopback Bot API answering from a script, recording each request.
class TelegramSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net::HttpResponse ok;
    ok.headers.emplace_back("Content-Type", "application/json");
    ok.body = R"({"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1},"text":"x"}})";
    server_ = std::make_unique<net::ScriptedServer>(io_.get_executor(), ok);
    api_url_ = "http://127.0.0.1:" + std::to_string(server_->port());
    ctx_.web = std::make_shared<net::WebClient>(io_.get_executor());
    ctx_.timeout = Duration(2000);
    limiter_ = std::make_shared<RateLimiter>();
    RegisterTgramScheme(registry_, limiter_, clock_);
  }
  Outcome Send(const Delivery& d, const std::string& chat = "42") {
    auto sink = registry_.Make(
        "tg", "tgram://" + std::string(kToken) + "/" + chat + "?api_url=" + api_url_, ctx_);
    EXPECT_TRUE(sink) << sink.error().context;
    if (!sink) return Outcome::Failed("no sink");
    return net::RunUntilDone(io_, (*sink)->Deliver(d));
  }
  void Reply(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    server_->replies.push_back(r);
  }
  static Delivery D(std::string title, std::string text) {
    Delivery d;
    d.id = 1;
    d.event_type = "power_lost";
    d.message.title = std::move(title);
    d.message.text = std::move(text);
    return d;
  }

  asio::io_context io_;
  ManualClock clock_;
  std::unique_ptr<net::ScriptedServer> server_;
  std::string api_url_;
  SinkContext ctx_;
  SinkRegistry registry_;
  std::shared_ptr<RateLimiter> limiter_;
};

TEST_F(TelegramSinkTest, SendsEscapedHtmlToTheChat) {
  Delivery d = D("Washer <done>", "took 1 h & 5 min");
  d.message.silent = true;
  const Outcome o = Send(d);
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  ASSERT_EQ(server_->requests.size(), 1u);
  EXPECT_EQ(server_->requests[0].target, std::string("/bot") + kToken + "/sendMessage");
  EXPECT_EQ(server_->requests[0].Header("Content-Type"), "application/json");
  auto body = json::parse(server_->requests[0].body).as_object();
  EXPECT_EQ(body["chat_id"].as_int64(), 42);
  EXPECT_EQ(body["text"].as_string(), "<b>Washer &lt;done&gt;</b>\ntook 1 h &amp; 5 min");
  EXPECT_EQ(body["parse_mode"].as_string(), "HTML");
  EXPECT_EQ(body["disable_notification"].as_bool(), true);
}

TEST_F(TelegramSinkTest, RecipientOverridesTheDefaultChatAndChannelsAreStrings) {
  Delivery d = D("", "hello");
  d.recipient = "@plugwatch_news";
  EXPECT_EQ(Send(d).kind, Outcome::Kind::kDelivered);
  auto body = json::parse(server_->requests.at(0).body).as_object();
  EXPECT_EQ(body["chat_id"].as_string(), "@plugwatch_news");
  EXPECT_FALSE(body.contains("disable_notification"));
}

TEST_F(TelegramSinkTest, LongTextsGoAsSeveralMessages) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "outage " + std::to_string(i) + " lasted 2 h 5 min\n";
  EXPECT_EQ(Send(D("", text)).kind, Outcome::Kind::kDelivered);
  ASSERT_GE(server_->requests.size(), 3u);
  for (const auto& r : server_->requests) {
    const auto t = json::parse(r.body).as_object()["text"].as_string();
    EXPECT_LE(VisibleLength(std::string(t)), kMaxMessageLength);
  }
}

TEST_F(TelegramSinkTest, RateLimitedSendRetriesAfterRetryAfterAndPausesTheChat) {
  Reply(
      429,
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}})");
  const Outcome o = Send(D("", "x"));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.retry_after, Duration(5000));
  EXPECT_GE(limiter_->NextSend("42", clock_.Now()), clock_.Now() + Duration(5000));
}

TEST_F(TelegramSinkTest, BlockedAndMovedChatsAreReported) {
  Reply(403,
        R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  EXPECT_EQ(Send(D("", "x")).kind, Outcome::Kind::kRecipientGone);
  Reply(
      400,
      R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-100777}})");
  const Outcome o = Send(D("", "x"), "-77");
  EXPECT_EQ(o.kind, Outcome::Kind::kMoved);
  EXPECT_EQ(o.moved_to, "-100777");
}

TEST_F(TelegramSinkTest, BadUrlsAreRejectedAndTheTokenNeverAppearsInErrors) {
  auto bad = registry_.Make("tg", "tgram://notatoken", ctx_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context.find("tgram://TOKEN/CHAT"), std::string::npos);
  server_.reset();  // nothing listens any more
  const Outcome o = Send(D("", "x"));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.detail.find("SECRET"), std::string::npos) << o.detail;
}

}  // namespace
}  // namespace plugwatch::notify::telegram
