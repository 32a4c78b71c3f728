#include "plugwatch/heartbeat_client/heartbeat_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <deque>

#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::heartbeat_client {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

TEST(HeartbeatUrl, DefaultsThePathToApiHeartbeat) {
  auto url = [](const char* text) { return HeartbeatUrl(*net::ParseHttpUrl(text)).target; };
  EXPECT_EQ(url("http://127.0.0.1:8080"), "/api/heartbeat");
  EXPECT_EQ(url("http://127.0.0.1:8080/"), "/api/heartbeat");
  EXPECT_EQ(url("http://127.0.0.1:8080/?x=1"), "/api/heartbeat?x=1");
  EXPECT_EQ(url("http://127.0.0.1:8080/heartbeat"), "/heartbeat");
  EXPECT_EQ(url("http://h/proxy/api/heartbeat"), "/proxy/api/heartbeat");
}

TEST(HeartbeatBody, LabelAndUnixSeconds) {
  EXPECT_EQ(HeartbeatBody("POWER", FromUnixMillis(1'763'805'600'999)),
            R"({"label":"POWER","timestamp":1763805600})");
  EXPECT_EQ(HeartbeatBody("a \"b\"", FromUnixMillis(0)), R"({"label":"a \"b\"","timestamp":0})");
  EXPECT_EQ(
      HeartbeatBody("POWER", FromUnixMillis(1'763'805'600'999), FromUnixMillis(1'763'805'000'500)),
      R"({"label":"POWER","timestamp":1763805600,"up_since":1763805000})");
}

TEST(HeartbeatValidate, SaysWhatIsWrong) {
  HeartbeatOptions o;
  o.url = *net::ParseHttpUrl("http://127.0.0.1:8080");
  o.label = "POWER";
  EXPECT_TRUE(Validate(o));
  auto bad = [&](auto change) {
    HeartbeatOptions c = o;
    change(c);
    auto r = Validate(c);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().context;
  };
  EXPECT_EQ(bad([](auto& c) { c.label = ""; }),
            "--label must not be empty — use the label of a [[heartbeats]] entry, e.g. POWER");
  EXPECT_NE(bad([](auto& c) { c.interval = 50ms; }).find("--interval must be between 100ms"),
            std::string::npos);
  EXPECT_NE(bad([](auto& c) { c.retries = 11; }).find("--retries must be 0..10 (got 11)"),
            std::string::npos);
  EXPECT_NE(bad([](auto& c) { c.token = "abc\n"; }).find("a stray newline"), std::string::npos);
  HeartbeatOptions tls = o;
  tls.url = *net::ParseHttpUrl("https://example.org");
  ASSERT_FALSE(Validate(tls));
  EXPECT_TRUE(Validate(tls).error().Is(Errc::kNotSupported));
  EXPECT_NE(Validate(tls).error().context.find("https is not supported yet"), std::string::npos);
}

// A stand-in for the service: answers from a script (then 200), records
// every request with the steady time it arrived.
class HeartbeatClientTest : public ::testing::Test {
 protected:
  struct Seen {
    net::HttpRequest req;
    Steady::time_point at;
  };
  struct Answer {
    int status = 200;
    bool hang = false;
    net::Headers headers;
  };

  void SetUp() override {
    server_ = std::make_unique<net::HttpServer>(
        io_.get_executor(), [this](net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
          seen_.push_back({req, Steady::now()});
          clock_.Advance(advance_);
          net::HttpResponse r;
          if (!script_.empty()) {
            Answer a = script_.front();
            script_.pop_front();
            r.status = a.status;
            r.hang = a.hang;
            r.headers = a.headers;
          }
          r.body = r.status == 200 ? R"({"status":"ok"})" : R"({"error":"scripted"})";
          co_return r;
        });
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port) << port.error().context;
    port_ = *port;
  }

  HeartbeatOptions Options(Duration interval, int retries = 3, bool once = false) {
    HeartbeatOptions o;
    o.url = HeartbeatUrl(*net::ParseHttpUrl("http://127.0.0.1:" + std::to_string(port_)));
    o.label = "POWER";
    o.token = "s3cret";
    o.interval = interval;
    o.timeout = 2s;
    o.retries = retries;
    o.once = once;
    o.seed = 7;
    return o;
  }

  HeartbeatStats RunFor(HeartbeatClient& client, Duration stop_after) {
    asio::steady_timer stop(io_);
    stop.expires_after(stop_after);
    stop.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) client.Stop();
    });
    auto stats = net::RunUntilDone(io_, client.Run());
    stop.cancel();
    return stats;
  }

  asio::io_context io_;
  ManualClock clock_{FromUnixMillis(1'763'805'600'250)};
  std::unique_ptr<net::HttpServer> server_;
  std::uint16_t port_ = 0;
  std::vector<Seen> seen_;
  std::deque<Answer> script_;
  Duration advance_{0};  // the clock moves this much per request
};

TEST_F(HeartbeatClientTest, PostsLabelTimestampAndTokenEveryInterval) {
  HeartbeatClient client(io_.get_executor(), Options(200ms), clock_);
  auto stats = RunFor(client, 700ms);  // heartbeats at 0, 200, 400 and 600 ms
  ASSERT_GE(seen_.size(), 3u);
  ASSERT_LE(seen_.size(), 5u);
  EXPECT_EQ(stats.delivered, static_cast<long long>(seen_.size()));
  EXPECT_EQ(stats.failed_attempts, 0);
  for (const auto& s : seen_) {
    EXPECT_FALSE(json::parse(s.req.body).as_object().contains("up_since"));
    EXPECT_EQ(s.req.method, "POST");
    EXPECT_EQ(s.req.target, "/api/heartbeat");
    EXPECT_EQ(s.req.Header("Authorization").value_or(""), "Bearer s3cret");
    EXPECT_EQ(s.req.Header("Content-Type").value_or(""), "application/json");
    const json::value body = json::parse(s.req.body);
    EXPECT_EQ(body.at("label").as_string(), "POWER");
    EXPECT_EQ(body.at("timestamp").as_int64(), 1'763'805'600);
  }
  // On the grid: the gaps are the interval, not interval + request time.
  for (std::size_t i = 1; i < seen_.size(); ++i) {
    const auto gap = seen_[i].at - seen_[i - 1].at;
    EXPECT_GT(gap, 150ms) << i;
    EXPECT_LT(gap, 300ms) << i;
  }
}

TEST_F(HeartbeatClientTest, NoTokenNoAuthorizationHeader) {
  auto o = Options(200ms, 0, /*once=*/true);
  o.token.clear();
  HeartbeatClient client(io_.get_executor(), o, clock_);
  auto stats = RunFor(client, 2s);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_FALSE(seen_[0].req.Header("Authorization"));
  EXPECT_EQ(stats.delivered, 1);
}

TEST_F(HeartbeatClientTest, RetriesServerErrorsWithinTheInterval) {
  script_ = {{.status = 500}, {.status = 503}};
  advance_ = 1s;
  HeartbeatClient client(io_.get_executor(), Options(2s, 3, /*once=*/true), clock_);
  auto stats = RunFor(client, 5s);
  ASSERT_EQ(seen_.size(), 3u);
  EXPECT_EQ(stats.heartbeats, 1);
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.lost, 0);
  EXPECT_EQ(stats.failed_attempts, 2);
  ASSERT_TRUE(stats.last_failure);
  EXPECT_EQ(stats.last_failure->status, 503);
  // The failed attempts carry no up_since; the one that gets through says
  // since when the client has been failing (the first attempt's timestamp).
  EXPECT_FALSE(json::parse(seen_[0].req.body).as_object().contains("up_since"));
  for (std::size_t i = 1; i < 3; ++i) {
    const json::value body = json::parse(seen_[i].req.body);
    EXPECT_EQ(body.at("up_since").as_int64(), 1'763'805'600) << i;
    EXPECT_EQ(body.at("timestamp").as_int64(), 1'763'805'600 + static_cast<long long>(i)) << i;
  }
  // Backoff with base 100 ms: retry 1 after 50..100 ms, retry 2 after 100..200 ms.
  const auto first = seen_[1].at - seen_[0].at, second = seen_[2].at - seen_[1].at;
  EXPECT_GE(first, 50ms);
  EXPECT_LT(first, 400ms);
  EXPECT_GE(second, 100ms);
  EXPECT_LT(second, 500ms);
}

TEST_F(HeartbeatClientTest, RetriesAreBounded) {
  script_.assign(10, Answer{.status = 503});
  HeartbeatClient client(io_.get_executor(), Options(5s, 2, /*once=*/true), clock_);
  auto stats = RunFor(client, 5s);
  EXPECT_EQ(seen_.size(), 3u);  // first attempt + 2 retries
  EXPECT_EQ(stats.delivered, 0);
  EXPECT_EQ(stats.lost, 1);
  EXPECT_EQ(stats.attempts, 3);
}

TEST_F(HeartbeatClientTest, RejectedTokenIsNotRetriedButTheNextHeartbeatTriesAgain) {
  script_ = {{.status = 401}};
  HeartbeatClient client(io_.get_executor(), Options(300ms), clock_);
  auto stats = RunFor(client, 450ms);
  ASSERT_EQ(seen_.size(), 2u);  // 401 at 0 ms, no retry, the next heartbeat at 300 ms
  EXPECT_GE(seen_[1].at - seen_[0].at, 250ms);
  EXPECT_EQ(stats.lost, 1);
  EXPECT_EQ(stats.delivered, 1);
  ASSERT_TRUE(stats.last_failure);
  EXPECT_NE(stats.last_failure->message.find("rejected the token for label 'POWER'"),
            std::string::npos);
}

TEST_F(HeartbeatClientTest, HonoursRetryAfterOn429) {
  script_ = {{.status = 429, .headers = {{"Retry-After", "1"}}}};
  HeartbeatClient client(io_.get_executor(), Options(200ms), clock_);
  RunFor(client, 1300ms);
  ASSERT_GE(seen_.size(), 2u);
  EXPECT_GE(seen_[1].at - seen_[0].at, 950ms);
}

TEST_F(HeartbeatClientTest, RefusedConnectionIsReportedAndRetried) {
  // A port nobody listens on: bind one, note it, close it.
  std::uint16_t closed = 0;
  {
    asio::ip::tcp::acceptor a(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  auto o = Options(1s, 2, /*once=*/true);
  o.url = HeartbeatUrl(*net::ParseHttpUrl("http://127.0.0.1:" + std::to_string(closed)));
  HeartbeatClient client(io_.get_executor(), o, clock_);
  auto stats = RunFor(client, 3s);
  EXPECT_EQ(stats.attempts, 3);
  EXPECT_EQ(stats.lost, 1);
  ASSERT_TRUE(stats.last_failure);
  EXPECT_EQ(stats.last_failure->kind, "refused");
  EXPECT_NE(stats.last_failure->message.find("is the plugwatch service running"),
            std::string::npos);
}

TEST_F(HeartbeatClientTest, StopsPromptlyMidRequest) {
  script_ = {{.hang = true}};
  auto o = Options(10s);
  o.timeout = 5s;
  HeartbeatClient client(io_.get_executor(), o, clock_);
  const auto start = Steady::now();
  auto stats = RunFor(client, 200ms);
  EXPECT_LT(Steady::now() - start, 1s);
  EXPECT_EQ(seen_.size(), 1u);
  EXPECT_EQ(stats.delivered, 0);
}

TEST_F(HeartbeatClientTest, StopsPromptlyMidWait) {
  HeartbeatClient client(io_.get_executor(), Options(10s), clock_);
  const auto start = Steady::now();
  auto stats = RunFor(client, 200ms);
  EXPECT_LT(Steady::now() - start, 1s);
  EXPECT_EQ(stats.delivered, 1);
}

TEST_F(HeartbeatClientTest, RequestDeadlineIsCappedAtTheInterval) {
  script_ = {{.hang = true}};
  auto o = Options(300ms, 0);
  o.timeout = 5s;
  HeartbeatClient client(io_.get_executor(), o, clock_);
  RunFor(client, 1s);
  // The hung request gave up after 300 ms, so later heartbeats went out.
  ASSERT_GE(seen_.size(), 2u);
  EXPECT_LT(seen_[1].at - seen_[0].at, 600ms);
}

}  // namespace
}  // namespace plugwatch::heartbeat_client
