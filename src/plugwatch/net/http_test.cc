#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <vector>

#include "plugwatch/net/http_client.h"
#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::net {
namespace {

namespace asio = boost::asio;

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HttpServer>(
        io_.get_executor(),
        [this](HttpRequest& req) -> asio::awaitable<HttpResponse> {
          ++requests_;
          HttpResponse r;
          if (req.Path() == "/hang") {
            r.hang = true;
          } else if (req.Path() == "/close") {
            r.headers.emplace_back("Connection", "close");
            r.body = "bye";
          } else {
            r.body = req.method + " " + std::string(req.Path()) + " " +
                     req.QueryParam("label").value_or("-") + " " + req.body;
          }
          co_return r;
        },
        ServerLimits{
            .max_body = 1024, .read_timeout = Duration(2000), .idle_timeout = Duration(2000)});
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port) << port.error().context;
    port_ = *port;
  }

  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  int requests_ = 0;
};

TEST_F(HttpTest, KeepAliveReusesOneConnection) {
  HttpClient client(io_.get_executor(), "127.0.0.1", port_);
  auto body = RunUntilDone(io_, [&]() -> asio::awaitable<std::string> {
    std::string all;
    for (int i = 0; i < 3; ++i) {
      HttpRequest req{.method = "POST", .target = "/x?label=POWER%20A", .body = "b"};
      auto r = co_await client.Send(req, Duration(1000));
      if (!r) co_return r.error().context;
      all += r->body + ";";
    }
    co_return all;
  }());
  EXPECT_EQ(body, "POST /x POWER A b;POST /x POWER A b;POST /x POWER A b;");
  EXPECT_EQ(client.connects(), 1);
}

// Clients on one thread share per-thread scratch buffers (http_client.h).
// Sends that interleave — every client connecting at the same moment — must
// each still send their own request and get their own answer.
TEST_F(HttpTest, ConcurrentClientsEachGetTheirOwnAnswer) {
  constexpr int kClients = 20;
  std::vector<std::unique_ptr<HttpClient>> clients;
  std::vector<std::future<std::string>> answers;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<HttpClient>(io_.get_executor(), "127.0.0.1", port_));
    HttpClient& client = *clients.back();
    answers.push_back(asio::co_spawn(
        io_,
        [&client, i]() -> asio::awaitable<std::string> {
          HttpRequest req{.method = "POST", .target = "/c", .body = fmt::format("client {}", i)};
          std::string all;
          for (int round = 0; round < 3; ++round) {
            auto r = co_await client.Send(req, Duration(2000));
            all += r ? r->body + ";" : r.error().context;
          }
          co_return all;
        },
        asio::use_future));
  }
  for (auto& a : answers)
    while (a.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io_.run_one();
  for (int i = 0; i < kClients; ++i) {
    const std::string one = fmt::format("POST /c - client {};", i);
    EXPECT_EQ(answers[i].get(), one + one + one);
    EXPECT_EQ(clients[i]->connects(), 1);
  }
}

TEST_F(HttpTest, ReconnectsAfterServerCloses) {
  HttpClient client(io_.get_executor(), "127.0.0.1", port_);
  auto ok = RunUntilDone(io_, [&]() -> asio::awaitable<bool> {
    HttpRequest first{.target = "/close"}, second{.target = "/again"};
    auto a = co_await client.Send(first, Duration(1000));
    auto b = co_await client.Send(second, Duration(1000));
    co_return a&& b && b->body == "GET /again - ";
  }());
  EXPECT_TRUE(ok);
  EXPECT_EQ(client.connects(), 2);
}

TEST_F(HttpTest, OversizedBodyGets413) {
  HttpClient client(io_.get_executor(), "127.0.0.1", port_);
  auto status = RunUntilDone(io_, [&]() -> asio::awaitable<int> {
    HttpRequest big{.method = "POST", .target = "/", .body = std::string(5000, 'x')};
    auto r = co_await client.Send(big, Duration(1000));
    co_return r ? r->status : -1;
  }());
  EXPECT_EQ(status, 413);
  EXPECT_EQ(requests_, 0);
}

TEST_F(HttpTest, HangingPeerTimesOut) {
  HttpClient client(io_.get_executor(), "127.0.0.1", port_);
  auto err = RunUntilDone(io_, [&]() -> asio::awaitable<Result<HttpResponse>> {
    HttpRequest req{.target = "/hang"};
    co_return co_await client.Send(req, Duration(200));
  }());
  ASSERT_FALSE(err);
  EXPECT_TRUE(err.error().Is(Errc::kTimeout));
  EXPECT_EQ(err.error().context,
            fmt::format("127.0.0.1:{}: read: no answer within 200 ms — is the device powered and "
                        "on the network?",
                        port_));
}

TEST_F(HttpTest, RefusedConnectionIsUnavailable) {
  auto port = port_;
  server_->Stop();
  HttpClient client(io_.get_executor(), "127.0.0.1", port);
  auto err = RunUntilDone(io_, [&]() -> asio::awaitable<Result<HttpResponse>> {
    HttpRequest req{.target = "/"};
    co_return co_await client.Send(req, Duration(500));
  }());
  ASSERT_FALSE(err);
  EXPECT_TRUE(err.error().Is(Errc::kUnavailable));
  EXPECT_EQ(
      err.error().context,
      fmt::format("127.0.0.1:{}: connect: connection refused — check the address and port", port));
}

TEST(HttpServerListen, AddressInUseSaysWhatToDo) {
  asio::io_context io;
  HttpServer a(io.get_executor(),
               [](HttpRequest&) -> asio::awaitable<HttpResponse> { co_return HttpResponse{}; });
  auto port = a.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  HttpServer b(io.get_executor(),
               [](HttpRequest&) -> asio::awaitable<HttpResponse> { co_return HttpResponse{}; });
  auto r = b.Listen("127.0.0.1", *port);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context, fmt::format("127.0.0.1:{}: Address already in use — stop the other "
                                           "process or choose another port",
                                           *port));
}

}  // namespace
}  // namespace plugwatch::net

namespace plugwatch::net {
namespace {

TEST(HttpClientRequest, RefusesHeaderInjection) {
  boost::asio::io_context io;
  HttpClient client(io.get_executor(), "127.0.0.1", 9);
  HttpRequest req{.target = "/"};
  req.headers.emplace_back("X-Label", "POWER\r\nX-Evil: 1");
  auto r = RunUntilDone(io, [&]() -> boost::asio::awaitable<Result<HttpResponse>> {
    co_return co_await client.Send(req, Duration(500));
  }());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kInvalidArgument));
  EXPECT_EQ(r.error().context,
            "127.0.0.1:9: HTTP header names and values must not contain line breaks");
  EXPECT_EQ(client.connects(), 0);  // refused before connecting
}

}  // namespace
}  // namespace plugwatch::net
