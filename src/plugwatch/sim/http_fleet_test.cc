#include "plugwatch/sim/http_fleet.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "plugwatch/net/http_client.h"
#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"
#include "plugwatch/sim/control_api.h"

namespace plugwatch::sim {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

class HttpFleetTest : public ::testing::Test {
 protected:
  void Start(int count, std::uint16_t base_port = 0) {
    HttpFleetOptions o;
    o.count = count;
    o.base_port = base_port;
    auto fleet = HttpFleet::Start(io_.get_executor(), o);
    ASSERT_TRUE(fleet) << fleet.error().context;
    fleet_ = std::move(*fleet);
  }

  Result<net::HttpResponse> Send(net::HttpClient& client, std::string method, std::string target,
                                 std::string body = "") {
    net::HttpRequest req{
        .method = std::move(method), .target = std::move(target), .body = std::move(body)};
    return net::RunUntilDone(io_, client.Send(req, Duration(1000)));
  }
  Result<net::HttpResponse> Get(std::uint16_t port, std::string target) {
    net::HttpClient client(io_.get_executor(), "127.0.0.1", port);
    return Send(client, "GET", std::move(target));
  }
  Result<net::HttpResponse> Post(std::uint16_t port, std::string target, std::string body = "") {
    net::HttpClient client(io_.get_executor(), "127.0.0.1", port);
    return Send(client, "POST", std::move(target), std::move(body));
  }

  asio::io_context io_;
  std::unique_ptr<HttpFleet> fleet_;
};

TEST_F(HttpFleetTest, EveryDeviceAnswersOnItsOwnPort) {
  Start(3);
  ASSERT_EQ(fleet_->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    auto r = Get(fleet_->port(i), "/");
    ASSERT_TRUE(r) << r.error().context;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, fmt::format("plugwatch sim http device {}\n", i));
    EXPECT_EQ(fleet_->requests(i), 1u);
  }
  EXPECT_NE(fleet_->port(0), fleet_->port(1));
}

TEST_F(HttpFleetTest, PathsChooseTheAnswer) {
  Start(1);
  const auto port = fleet_->port(0);
  EXPECT_EQ(Get(port, "/anything/at/all?x=1")->status, 200);
  EXPECT_EQ(Get(port, "/missing")->status, 404);
  EXPECT_EQ(Get(port, "/status/503")->status, 503);
  EXPECT_EQ(Get(port, "/status/204")->status, 204);
  EXPECT_EQ(Get(port, "/status/99")->status, 200);  // out of range: a normal answer
  EXPECT_EQ(Post(port, "/", "x")->status, 200);
  EXPECT_EQ(fleet_->requests(0), 6u);
}

TEST_F(HttpFleetTest, ConsecutivePortsFromTheBase) {
  // Find a free port, then ask for two from there (retry if the next is busy).
  for (int attempt = 0; attempt < 20; ++attempt) {
    net::HttpServer probe(io_.get_executor(),
                          [](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
                            co_return net::HttpResponse{};
                          });
    auto port = probe.Listen("127.0.0.1", 0);
    ASSERT_TRUE(port);
    probe.Stop();
    if (*port >= 65535) continue;
    HttpFleetOptions o;
    o.base_port = *port;
    o.count = 2;
    auto fleet = HttpFleet::Start(io_.get_executor(), o);
    if (!fleet) continue;
    EXPECT_EQ((*fleet)->port(0), *port);
    EXPECT_EQ((*fleet)->port(1), *port + 1);
    return;
  }
  FAIL() << "no two consecutive free ports found";
}

TEST_F(HttpFleetTest, DownDropsConnectionsAndRefusesThenUpAnswersOnTheSamePort) {
  Start(2);
  const auto port = fleet_->port(1);
  net::HttpClient kept(io_.get_executor(), "127.0.0.1", port);
  ASSERT_TRUE(Send(kept, "GET", "/"));  // a kept-alive connection is open now

  ASSERT_TRUE(fleet_->SetUp(1, false));
  EXPECT_FALSE(fleet_->is_up(1));
  // The open connection was dropped, and a new one is refused.
  auto r = Send(kept, "GET", "/");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnavailable));
  EXPECT_NE(r.error().context.find("connection refused"), std::string::npos) << r.error().context;
  EXPECT_EQ(fleet_->requests(1), 1u);
  EXPECT_TRUE(Get(fleet_->port(0), "/"));  // the others are unaffected

  ASSERT_TRUE(fleet_->SetUp(1, true));
  EXPECT_TRUE(fleet_->is_up(1));
  EXPECT_EQ(fleet_->port(1), port);
  auto again = Get(port, "/");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  ASSERT_TRUE(fleet_->SetUp(1, true));  // idempotent
}

TEST_F(HttpFleetTest, InjectedFaults) {
  Start(1);
  fleet_->SetFault(0, FleetFault::kHttp500);
  EXPECT_EQ(Get(fleet_->port(0), "/")->status, 500);
  fleet_->SetFault(0, FleetFault::kHang);
  auto r = Get(fleet_->port(0), "/");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kTimeout));
  fleet_->SetFault(0, FleetFault::kNone);
  EXPECT_EQ(Get(fleet_->port(0), "/")->status, 200);
}

TEST_F(HttpFleetTest, RejectsBadOptionsWithAHint) {
  HttpFleetOptions o;
  o.count = 0;
  auto a = HttpFleet::Start(io_.get_executor(), o);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().context, "count must be 1..65535 (got 0)");
  o.count = 10;
  o.base_port = 65530;
  auto b = HttpFleet::Start(io_.get_executor(), o);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().context,
            "base_port + count exceeds 65535 (65530 + 10) — choose a lower --listen port or a "
            "smaller --count");
}

class HttpControlApiTest : public HttpFleetTest {
 protected:
  void SetUp() override {
    Start(2);
    api_ = std::make_unique<ControlApi>(io_.get_executor(), *fleet_);
    auto port = api_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port);
    api_port_ = *port;
  }
  std::unique_ptr<ControlApi> api_;
  std::uint16_t api_port_ = 0;
};

TEST_F(HttpControlApiTest, ListsDownsAndUpsDevices) {
  ASSERT_TRUE(Get(fleet_->port(1), "/"));
  auto r = Get(api_port_, "/devices");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json::array all = json::parse(r->body).as_array();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].at("index"), 1);
  EXPECT_EQ(all[1].at("port"), fleet_->port(1));
  EXPECT_EQ(all[1].at("up"), true);
  EXPECT_EQ(all[1].at("fault"), "none");
  EXPECT_EQ(all[1].at("requests"), 1);

  r = Post(api_port_, "/devices/1/down");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body).at("up"), false);
  EXPECT_FALSE(Get(fleet_->port(1), "/"));
  r = Post(api_port_, "/devices/1/up");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body).at("up"), true);
  EXPECT_TRUE(Get(fleet_->port(1), "/"));

  r = Post(api_port_, "/devices/0/fault", R"({"mode":"hang"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(fleet_->fault(0), FleetFault::kHang);
}

TEST_F(HttpControlApiTest, NoRelayOnANetworkDevice) {
  auto r = Post(api_port_, "/devices/0/relay", R"({"on":false})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body,
            R"({"error":"an emulated network device has no relay — use down, up or fault"})");
  r = Get(api_port_, "/devices/5");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"error":"no device '5' — indexes are 0..1"})");
}

}  // namespace
}  // namespace plugwatch::sim
