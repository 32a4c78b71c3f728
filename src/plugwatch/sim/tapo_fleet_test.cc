#include "plugwatch/sim/tapo_fleet.h"

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
using namespace std::chrono_literals;

class TapoFleetTest : public ::testing::Test {
 protected:
  void Start(int count, std::uint16_t base_port = 0) {
    TapoFleetOptions o;
    o.count = count;
    o.base_port = base_port;
    o.device.profile = *Profile::Make("constant", 100);
    auto fleet = TapoFleet::Start(io_.get_executor(), o, clock_);
    ASSERT_TRUE(fleet) << fleet.error().context;
    fleet_ = std::move(*fleet);
  }

  Result<net::HttpResponse> Post(std::uint16_t port, std::string target, std::string body) {
    net::HttpClient client(io_.get_executor(), "127.0.0.1", port);
    net::HttpRequest req{.method = "POST", .target = std::move(target), .body = std::move(body)};
    return net::RunUntilDone(io_, client.Send(req, Duration(1000)));
  }
  Result<net::HttpResponse> Get(std::uint16_t port, std::string target) {
    net::HttpClient client(io_.get_executor(), "127.0.0.1", port);
    net::HttpRequest req{.method = "GET", .target = std::move(target)};
    return net::RunUntilDone(io_, client.Send(req, Duration(1000)));
  }

  asio::io_context io_;
  ManualClock clock_;
  std::unique_ptr<TapoFleet> fleet_;
};

TEST_F(TapoFleetTest, DevicesAnswerOnTheirOwnPorts) {
  Start(3);
  ASSERT_EQ(fleet_->size(), 3u);
  EXPECT_NE(fleet_->port(0), fleet_->port(1));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(fleet_->device(i).options().nickname, fmt::format("plug-{}", i));
    EXPECT_EQ(fleet_->device(i).options().index, i);
    // Plain JSON to KLAP firmware: 1003.
    auto r = Post(fleet_->port(i), "/app", R"({"method":"component_nego"})");
    ASSERT_TRUE(r) << r.error().context;
    EXPECT_EQ(r->body, R"({"error_code":1003})");
    // handshake1 carries the session cookie through the HTTP adapter.
    auto h = Post(fleet_->port(i), "/app/handshake1", std::string(16, 'x'));
    ASSERT_TRUE(h);
    EXPECT_EQ(h->body.size(), 48u);
    ASSERT_TRUE(h->Header("Set-Cookie"));
    EXPECT_TRUE(h->Header("Set-Cookie")->starts_with("TP_SESSIONID="));
    EXPECT_EQ(fleet_->device(i).stats().handshakes, 1u);
  }
  EXPECT_NE(fleet_->device(0).mac(), fleet_->device(1).mac());
}

TEST_F(TapoFleetTest, OneDeviceKeepsItsNickname) {
  Start(1);
  EXPECT_EQ(fleet_->device(0).options().nickname, "plug");
}

TEST_F(TapoFleetTest, BusyPortSaysWhatToDo) {
  net::HttpServer squatter(io_.get_executor(),
                           [](net::HttpRequest&) -> asio::awaitable<net::HttpResponse> {
                             co_return net::HttpResponse{};
                           });
  auto port = squatter.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  TapoFleetOptions o;
  o.count = 1;
  o.base_port = *port;
  auto fleet = TapoFleet::Start(io_.get_executor(), o, clock_);
  ASSERT_FALSE(fleet);
  EXPECT_TRUE(fleet.error().Is(Errc::kUnavailable));
  EXPECT_EQ(fleet.error().context,
            fmt::format("127.0.0.1:{}: Address already in use — choose another --listen port or "
                        "a smaller --count",
                        *port));
}

TEST_F(TapoFleetTest, RejectsBadOptions) {
  TapoFleetOptions o;
  o.count = 0;
  auto a = TapoFleet::Start(io_.get_executor(), o, clock_);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().context, "count must be 1..65535 (got 0)");
  o.count = 1;
  o.device.speed = 0;
  auto b = TapoFleet::Start(io_.get_executor(), o, clock_);
  ASSERT_FALSE(b);
  EXPECT_TRUE(b.error().Is(Errc::kInvalidArgument));
}

TEST_F(TapoFleetTest, DownRefusesAndUpListensOnTheSamePort) {
  Start(2);
  const auto port = fleet_->port(1);
  ASSERT_TRUE(fleet_->SetUp(1, false));
  EXPECT_FALSE(fleet_->is_up(1));
  auto r = Post(port, "/app", "{}");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnavailable));
  ASSERT_TRUE(Post(fleet_->port(0), "/app", "{}"));  // the others are unaffected
  ASSERT_TRUE(fleet_->SetUp(1, true));
  EXPECT_EQ(fleet_->port(1), port);
  EXPECT_TRUE(Post(port, "/app", "{}"));
}

TEST_F(TapoFleetTest, InjectedFaults) {
  Start(1);
  fleet_->SetFault(0, FleetFault::kHttp500);
  auto r = Post(fleet_->port(0), "/app", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  fleet_->SetFault(0, FleetFault::kGarbage);
  r = Post(fleet_->port(0), "/app", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), 64u);
  EXPECT_EQ(fleet_->device(0).stats().http_requests, 0u);  // never reached the device
  EXPECT_EQ(ParseFleetFault("hang"), FleetFault::kHang);
  EXPECT_EQ(ParseFleetFault("slow"), std::nullopt);
}

class ControlApiTest : public TapoFleetTest {
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

TEST_F(ControlApiTest, ListsDevicesWithExactEnergy) {
  clock_.Advance(90min);  // 100 W for 1.5 h
  auto r = Get(api_port_, "/devices");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json::value v = json::parse(r->body);
  ASSERT_EQ(v.as_array().size(), 2u);
  const json::object& d = v.as_array()[1].as_object();
  EXPECT_EQ(d.at("index"), 1);
  EXPECT_EQ(d.at("port"), fleet_->port(1));
  EXPECT_EQ(d.at("relay_on"), true);
  EXPECT_EQ(d.at("power_w"), 100.0);
  EXPECT_EQ(d.at("today_energy_wh"), 150.0);
  EXPECT_EQ(d.at("stats").at("handshakes"), 0);
}

TEST_F(ControlApiTest, SwitchesRelayAndTakesDevicesDown) {
  auto r = Post(api_port_, "/devices/0/relay", R"({"on":false})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_FALSE(fleet_->device(0).relay_on());
  EXPECT_EQ(json::parse(r->body).at("power_w"), 0.0);

  r = Post(api_port_, "/devices/1/down", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(fleet_->is_up(1));
  r = Post(api_port_, "/devices/1/up", "");
  ASSERT_TRUE(r);
  EXPECT_TRUE(fleet_->is_up(1));

  r = Post(api_port_, "/devices/1/fault", R"({"mode":"http500"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(fleet_->fault(1), FleetFault::kHttp500);
}

TEST_F(ControlApiTest, ErrorsNameTheProblem) {
  auto r = Post(api_port_, "/devices/0/relay", R"({"on":"yes"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, R"({"error":"body must be {\"on\": true} or {\"on\": false}"})");
  r = Get(api_port_, "/devices/7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":"no device '7' — indexes are 0..1"})");
  r = Get(api_port_, "/devices/0/relay");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

}  // namespace
}  // namespace plugwatch::sim
