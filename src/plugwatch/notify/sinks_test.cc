#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "plugwatch/net/run_until_done.h"
#include "plugwatch/net/scripted_server.h"
#include "plugwatch/notify/http_sinks.h"
#include "plugwatch/notify/sink_url.h"

namespace plugwatch::notify {
namespace {

namespace asio = boost::asio;

// A loopback receiver (net::ScriptedServer) recording each request and answering from a script.
class SinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<net::ScriptedServer>(io_.get_executor());
    base_ = "127.0.0.1:" + std::to_string(server_->port());
    ctx_.web = std::make_shared<net::WebClient>(io_.get_executor());
    ctx_.timeout = Duration(2000);
  }
  Outcome Send(const std::string& url, const Delivery& d) {
    auto sink = registry_.Make("s", url, ctx_);
    EXPECT_TRUE(sink) << sink.error().context;
    if (!sink) return Outcome::Failed("no sink");
    return net::RunUntilDone(io_, (*sink)->Deliver(d));
  }
  static Delivery D() {
    Delivery d;
    d.id = 7;
    d.event_type = "power_lost";
    d.idempotency_key = "event-42";
    d.message.title = "POWER: power is OFF";
    d.message.text = "POWER: power is OFF";
    d.message.priority = 4;
    d.message.tags = {"electric_plug", "red_circle"};
    d.message.data_json = R"({"id":42,"type":"power_lost"})";
    return d;
  }

  asio::io_context io_;
  std::unique_ptr<net::ScriptedServer> server_;
  std::string base_;
  SinkContext ctx_;
  SinkRegistry registry_;
};

TEST_F(SinksTest, WebhookSignsTheBodyAndSendsTheIdempotencyKey) {
  const auto o = Send("json://" + base_ + "/hook?secret=s3cret&x=1", D());
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  ASSERT_EQ(server_->requests.size(), 1u);
  const auto& r = server_->requests[0];
  EXPECT_EQ(r.target, "/hook?x=1");  // the secret is not sent
  EXPECT_EQ(r.Header("Idempotency-Key"), "event-42");
  EXPECT_EQ(r.Header("X-Plugwatch-Signature"), "sha256=" + HmacSha256Hex("s3cret", r.body));
  // Known HMAC-SHA256 vector (RFC 4231 test case 2).
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body["event_type"].as_string(), "power_lost");
  EXPECT_EQ(body["message"].as_string(), "POWER: power is OFF");
  EXPECT_EQ(body["event"].as_object()["id"].as_int64(), 42);
}

TEST_F(SinksTest, HttpStatusesMapToOutcomes) {
  net::HttpResponse busy;
  busy.status = 429;
  busy.headers = {{"Retry-After", "3"}};
  net::HttpResponse down;
  down.status = 503;
  net::HttpResponse bad;
  bad.status = 400;
  bad.body = "bad";
  server_->replies = {busy, down, bad};
  auto a = Send("http://" + base_ + "/", D());
  EXPECT_EQ(a.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(a.retry_after, Duration(3000));
  EXPECT_EQ(Send("http://" + base_ + "/", D()).kind, Outcome::Kind::kRetry);
  auto c = Send("http://" + base_ + "/", D());
  EXPECT_EQ(c.kind, Outcome::Kind::kFailed);
  EXPECT_NE(c.detail.find("HTTP 400"), std::string::npos);
  // Nobody listening: retry.
  auto gone = Send("http://127.0.0.1:1/", D());
  EXPECT_EQ(gone.kind, Outcome::Kind::kRetry);
}

TEST_F(SinksTest, NtfyHeadersAndToken) {
  const auto o = Send("ntfy://" + base_ + "/alerts?token=tk_abc", D());
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  ASSERT_EQ(server_->requests.size(), 1u);
  const auto& r = server_->requests[0];
  EXPECT_EQ(r.target, "/alerts");
  EXPECT_EQ(r.body, "POWER: power is OFF");
  EXPECT_EQ(r.Header("X-Title"), "POWER: power is OFF");
  EXPECT_EQ(r.Header("X-Priority"), "4");
  EXPECT_EQ(r.Header("X-Tags"), "electric_plug,red_circle");
  EXPECT_EQ(r.Header("Authorization"), "Bearer tk_abc");
  Send("ntfy://user:pass@" + base_ + "/alerts", D());
  EXPECT_EQ(server_->requests.at(1).Header("Authorization"), "Basic dXNlcjpwYXNz");
}

TEST_F(SinksTest, DiscordCutsTo2000AndHonoursRetryAfterInTheBody) {
  net::HttpResponse limited;
  limited.status = 429;
  limited.body = R"({"message":"You are being rate limited.","retry_after":1.5,"global":false})";
  server_->replies = {limited};
  auto d = D();
  d.message.text = std::string(3000, 'x');
  auto o = Send("discord://123/tok-en?api_url=http://" + base_, d);
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.retry_after, Duration(1500));
  ASSERT_EQ(server_->requests.size(), 1u);
  EXPECT_EQ(server_->requests[0].target, "/api/webhooks/123/tok-en?wait=true");
  auto content =
      std::string(boost::json::parse(server_->requests[0].body).at("content").as_string());
  EXPECT_EQ(content.size(), 1999u + std::string("…").size());
}

TEST(SinkUrl, ClearErrors) {
  SinkRegistry reg;
  SinkContext ctx;
  auto unknown = reg.Make("x", "slack://a/b", ctx);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().context.find("unknown scheme 'slack://'"), std::string::npos);
  auto tg = reg.Make("x", "tgram://123:abc/456", ctx);
  ASSERT_FALSE(tg);
  EXPECT_NE(tg.error().context.find("handled by the Telegram sink"), std::string::npos);
  auto discord = reg.Make("x", "discord://only-id", ctx);
  ASSERT_FALSE(discord);
  EXPECT_NE(discord.error().context.find("discord://WEBHOOK_ID/WEBHOOK_TOKEN"), std::string::npos);
  auto noscheme = reg.Make("x", "example.com/hook", ctx);
  ASSERT_FALSE(noscheme);
  EXPECT_NE(noscheme.error().context.find("needs a scheme"), std::string::npos);
  // N2's seam: a factory for tgram replaces the placeholder.
  reg.Register(
      "tgram",
      [](const std::string& name, std::string_view, const SinkUrl&, const SinkContext&)
          -> Result<std::shared_ptr<Sink>> { return std::make_shared<ConsoleSink>(name); },
      /*parse=*/false);
  EXPECT_TRUE(reg.Make("x", "tgram://123:abc/456", ctx));
  EXPECT_EQ(MaskSinkUrl("jsons://u:p@example.com/hook?secret=x"), "jsons://example.com/…");
  EXPECT_EQ(MaskSinkUrl("discord://1/abc"), "discord://…/…");
}

TEST(SinkUrl, CutUtf8KeepsWholeCharacters) {
  EXPECT_EQ(CutUtf8("abc", 5), "abc");
  EXPECT_EQ(CutUtf8("abcdef", 4), "abc…");
  EXPECT_EQ(CutUtf8("їїїїї", 3), "її…");
}

}  // namespace
}  // namespace plugwatch::notify
