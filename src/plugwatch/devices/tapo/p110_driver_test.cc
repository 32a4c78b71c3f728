#include "plugwatch/devices/tapo/p110_driver.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"
#include "plugwatch/sim/tapo_fleet.h"

namespace plugwatch::tapo {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using devices::HealthState;

constexpr std::string_view kUser = "user@example.com";
constexpr std::string_view kPassword = "secret";

sim::TapoDeviceOptions Device(sim::TapoProtocol protocol = sim::TapoProtocol::kKlap) {
  sim::TapoDeviceOptions d;
  d.username = kUser;
  d.password = kPassword;
  d.protocol = protocol;
  d.profile = *sim::Profile::Make("constant", 1000);
  return d;
}

class P110DriverTest : public ::testing::Test {
 protected:
  void StartFleet(sim::TapoDeviceOptions device, int count = 1) {
    sim::TapoFleetOptions o;
    o.count = count;
    o.device = std::move(device);
    auto fleet = sim::TapoFleet::Start(io_.get_executor(), std::move(o), clock_);
    ASSERT_TRUE(fleet) << fleet.error().context;
    fleet_ = std::move(*fleet);
  }

  std::unique_ptr<P110Driver> Driver(std::size_t i = 0, std::string protocol = "auto",
                                     std::string password = std::string(kPassword),
                                     std::string user = std::string(kUser)) {
    DeviceSpec spec;
    spec.id = "washer";
    spec.kind = "tapo";
    spec.address = fmt::format("127.0.0.1:{}", fleet_->port(i));
    spec.username = std::move(user);
    spec.password = std::move(password);
    spec.protocol = std::move(protocol);
    auto d = MakeP110Driver(spec, devices::DriverContext{io_.get_executor(), timeout_, &clock_});
    EXPECT_TRUE(d) << d.error().context;
    return std::unique_ptr<P110Driver>(static_cast<P110Driver*>(d->release()));
  }

  template <class T>
  T Run(asio::awaitable<T> a) {
    return net::RunUntilDone(io_, std::move(a));
  }

  std::string Where(std::size_t i = 0) const {
    return fmt::format("tapo[washer] 127.0.0.1:{}: ", fleet_->port(i));
  }

  asio::io_context io_;
  ManualClock clock_;
  Duration timeout_{1000};
  std::unique_ptr<sim::TapoFleet> fleet_;
};

TEST_F(P110DriverTest, KlapPollReadsPowerEnergyAndRelay) {
  StartFleet(Device());
  auto driver = Driver();
  clock_.Advance(1h);
  auto r = Run(driver->Poll());
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_TRUE(r->reachable);
  EXPECT_EQ(r->device, "washer");
  EXPECT_EQ(r->power_w, 1000.0);
  EXPECT_EQ(r->device_energy_wh, 1000.0);
  EXPECT_EQ(r->relay_on, true);
  EXPECT_EQ(r->at, clock_.Now());
  EXPECT_EQ(driver->protocol(), "klap-v2");
  EXPECT_EQ(driver->health().state, HealthState::kOk);
  EXPECT_TRUE(driver->batching());
  // One batched request per poll: probe, handshake1, handshake2, request.
  EXPECT_EQ(fleet_->device(0).stats().http_requests, 4u);
  EXPECT_EQ(fleet_->device(0).stats().requests, 1u);
}

TEST_F(P110DriverTest, SwitchesTheRelayAndSeesButtonPresses) {
  StartFleet(Device());
  auto driver = Driver();
  auto off = Run(driver->Switch(false));
  ASSERT_TRUE(off) << off.error().context;
  EXPECT_FALSE(fleet_->device(0).relay_on());
  auto r = Run(driver->Poll());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->relay_on, false);
  EXPECT_EQ(r->power_w, 0.0);
  fleet_->device(0).SetRelay(true, clock_.Now());
  r = Run(driver->Poll());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->relay_on, true);
  EXPECT_EQ(r->power_w, 1000.0);
}

TEST_F(P110DriverTest, InfoDescribesTheDevice) {
  StartFleet(Device());
  auto driver = Driver();
  clock_.Advance(30min);
  auto info = Run(driver->Info());
  ASSERT_TRUE(info) << info.error().context;
  EXPECT_EQ(info->at("model"), "P110");
  EXPECT_EQ(std::string_view(info->at("mac").as_string()), fleet_->device(0).mac());
  EXPECT_EQ(info->at("nickname"), "plug");
  EXPECT_EQ(info->at("protocol"), "klap-v2");
  EXPECT_EQ(info->at("credentials"), "user");
  EXPECT_EQ(info->at("device_on"), true);
  EXPECT_EQ(info->at("on_time"), 1800);
  EXPECT_EQ(info->at("today_energy_wh"), 500);
  EXPECT_EQ(info->at("month_energy_wh"), 500);
  EXPECT_EQ(info->at("device_id").as_string().size(), 40u);
  EXPECT_FALSE(info->at("fw_ver").as_string().empty());
  EXPECT_TRUE(info->at("rssi").is_int64());
}

TEST_F(P110DriverTest, PassthroughDeviceIsDetectedAndPolled) {
  StartFleet(Device(sim::TapoProtocol::kPassthrough));
  auto driver = Driver();
  clock_.Advance(90min);  // the clock starts at 22:13 UTC: still the same day
  auto r = Run(driver->Poll());
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(driver->protocol(), "passthrough");
  EXPECT_EQ(r->power_w, 1000.0);
  EXPECT_EQ(r->device_energy_wh, 1500.0);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Run(driver->Poll()));
  EXPECT_EQ(driver->handshakes(), 1);
  EXPECT_EQ(driver->client().connects(), 1);
  ASSERT_TRUE(Run(driver->Switch(false)));
  EXPECT_FALSE(fleet_->device(0).relay_on());
}

TEST_F(P110DriverTest, KlapV1DeviceWorks) {
  auto d = Device();
  d.klap_version = KlapVersion::kV1;
  StartFleet(d);
  auto driver = Driver();
  auto r = Run(driver->Poll());
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(driver->protocol(), "klap-v1");
  EXPECT_EQ(r->power_w, 1000.0);
}

TEST_F(P110DriverTest, DefaultCredentialsAreTriedAndRecorded) {
  auto d = Device();
  d.username = "test@tp-link.net";
  d.password = "test";
  StartFleet(d);
  auto driver = Driver(0, "klap", "not-the-password");
  auto info = Run(driver->Info());
  ASSERT_TRUE(info) << info.error().context;
  EXPECT_EQ(info->at("credentials"), "tapo");
}

TEST_F(P110DriverTest, WrongPasswordSaysCheckTheCredentials) {
  StartFleet(Device());
  auto driver = Driver(0, "auto", "Secret");
  auto r = Run(driver->Poll());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnauthorized));
  EXPECT_EQ(r.error().context,
            Where() +
                "handshake1: the plug's answer does not match these credentials — check the "
                "Tapo account e-mail and password (case-sensitive); after a password change "
                "the plug needs a moment online to sync");
  EXPECT_EQ(driver->health().state, HealthState::kFailed);
  EXPECT_EQ(driver->health().hint, r.error().context);
}

TEST_F(P110DriverTest, PassthroughWrongPasswordIsLoginError) {
  StartFleet(Device(sim::TapoProtocol::kPassthrough));
  auto driver = Driver(0, "passthrough", "wrong");
  auto r = Run(driver->Poll());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnauthorized));
  EXPECT_EQ(r.error().context, Where() +
                                   "login_device: error -1501 (LOGIN_ERROR): wrong "
                                   "credentials — check the Tapo account e-mail and password");
  // login v1, then v2 on a fresh handshake.
  EXPECT_EQ(fleet_->device(0).stats().auth_failures, 2u);
}

TEST_F(P110DriverTest, ForcedKlapOnPassthroughFirmwareSaysSo) {
  StartFleet(Device(sim::TapoProtocol::kPassthrough));
  auto driver = Driver(0, "klap");
  auto r = Run(driver->Poll());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kNotSupported));
  EXPECT_EQ(r.error().context,
            Where() +
                "handshake1: HTTP 404 — this plug does not speak KLAP (older firmware uses "
                "securePassthrough: set protocol to \"passthrough\" or \"auto\")");
}

TEST_F(P110DriverTest, ExpiringSessionsAreRenewedWithinThePoll) {
  auto d = Device();
  d.expire_after_requests = 5;
  StartFleet(d);
  auto driver = Driver();
  for (int i = 0; i < 20; ++i) {
    auto r = Run(driver->Poll());
    ASSERT_TRUE(r) << "poll " << i << ": " << r.error().context;
  }
  EXPECT_GE(driver->handshakes(), 4);
  EXPECT_LE(driver->handshakes(), 5);
  EXPECT_EQ(fleet_->device(0).stats().handshakes, static_cast<std::uint64_t>(driver->handshakes()));
  EXPECT_EQ(driver->health().state, HealthState::kOk);
}

TEST_F(P110DriverTest, ExpiringPassthroughSessionsAreRenewedOn9999) {
  auto d = Device(sim::TapoProtocol::kPassthrough);
  d.expire_after_requests = 3;
  StartFleet(d);
  auto driver = Driver();
  for (int i = 0; i < 10; ++i) {
    auto r = Run(driver->Poll());
    ASSERT_TRUE(r) << "poll " << i << ": " << r.error().context;
  }
  EXPECT_GE(fleet_->device(0).stats().session_errors, 2u);
}

TEST_F(P110DriverTest, AnotherClientsHandshakeDoesNotBreakPolling) {
  auto d = Device();
  d.max_sessions = 1;
  StartFleet(d);
  auto mine = Driver();
  auto other = Driver();
  ASSERT_TRUE(Run(mine->Poll()));
  ASSERT_TRUE(Run(other->Poll()));  // evicts mine's session
  auto r = Run(mine->Poll());
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(mine->handshakes(), 2);
  EXPECT_GE(fleet_->device(0).stats().forbidden, 1u);
}

TEST_F(P110DriverTest, RenewsBeforeTheCookieTimeoutRunsOut) {
  auto d = Device();
  d.session_timeout = 3600s;  // renewed after 40 min
  StartFleet(d);
  auto driver = Driver();
  ASSERT_TRUE(Run(driver->Poll()));
  clock_.Advance(2399s);
  ASSERT_TRUE(Run(driver->Poll()));
  EXPECT_EQ(driver->handshakes(), 1);
  clock_.Advance(2s);
  ASSERT_TRUE(Run(driver->Poll()));
  EXPECT_EQ(driver->handshakes(), 2);
  EXPECT_EQ(fleet_->device(0).stats().forbidden, 0u);
}

TEST_F(P110DriverTest, HundredPollsUseOneConnection) {
  StartFleet(Device());
  auto driver = Driver();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Run(driver->Poll()));
  EXPECT_EQ(driver->client().connects(), 1);
  EXPECT_EQ(driver->handshakes(), 1);
  EXPECT_EQ(fleet_->device(0).stats().requests, 100u);
}

TEST_F(P110DriverTest, FaultsGiveCleanErrorsThenRecover) {
  timeout_ = Duration(200);
  StartFleet(Device());
  auto driver = Driver();
  ASSERT_TRUE(Run(driver->Poll()));
  const std::pair<sim::FleetFault, Errc> cases[] = {{sim::FleetFault::kGarbage, Errc::kProtocol},
                                                    {sim::FleetFault::kHttp500, Errc::kProtocol},
                                                    {sim::FleetFault::kHang, Errc::kTimeout}};
  for (const auto& [fault, errc] : cases) {
    fleet_->SetFault(0, fault);
    auto bad = Run(driver->Poll());
    ASSERT_FALSE(bad);
    EXPECT_TRUE(bad.error().Is(errc)) << bad.error().context;
    EXPECT_TRUE(bad.error().context.starts_with(Where().substr(0, Where().size() - 2)))
        << bad.error().context;
    EXPECT_EQ(driver->health().state, HealthState::kWarning);
    EXPECT_TRUE(driver->health().hint.ends_with(" — retrying"));
    fleet_->SetFault(0, sim::FleetFault::kNone);
    auto good = Run(driver->Poll());
    ASSERT_TRUE(good) << good.error().context;
    EXPECT_EQ(driver->health().state, HealthState::kOk);
  }
}

TEST_F(P110DriverTest, HangingDeviceTimesOutWithTheNetMessage) {
  timeout_ = Duration(200);
  StartFleet(Device());
  auto driver = Driver();
  ASSERT_TRUE(Run(driver->Poll()));
  fleet_->SetFault(0, sim::FleetFault::kHang);
  auto r = Run(driver->Poll());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context, Where() +
                                   "read: no answer within 200 ms — is the device powered "
                                   "and on the network?");
}

TEST_F(P110DriverTest, RefusedWhileDownThenBackUp) {
  StartFleet(Device());
  auto driver = Driver();
  ASSERT_TRUE(Run(driver->Poll()));
  ASSERT_TRUE(fleet_->SetUp(0, false));
  auto r = Run(driver->Poll());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnavailable));
  EXPECT_EQ(r.error().context,
            Where() + "connect: connection refused — check the address and port");
  EXPECT_EQ(driver->health().hint, r.error().context + " — retrying");
  ASSERT_TRUE(fleet_->SetUp(0, true));
  auto again = Run(driver->Poll());
  ASSERT_TRUE(again) << again.error().context;
  EXPECT_EQ(driver->health().state, HealthState::kOk);
}

TEST_F(P110DriverTest, Handshake1ForbiddenSaysEnableThirdPartyCompatibility) {
  net::HttpServer server(io_.get_executor(),
                         [](net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
                           net::HttpResponse r;
                           if (req.Path() == "/app")
                             r.body = R"({"error_code":1003})";
                           else
                             r.status = 403;
                           co_return r;
                         });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  DeviceSpec spec{.id = "washer",
                  .kind = "tapo",
                  .address = fmt::format("127.0.0.1:{}", *port),
                  .username = "a@b.c",
                  .password = "pw"};
  auto driver = MakeP110Driver(spec, devices::DriverContext{io_.get_executor(), timeout_, &clock_});
  ASSERT_TRUE(driver);
  auto r = Run((*driver)->Poll());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnauthorized));
  EXPECT_EQ(r.error().context,
            fmt::format("tapo[washer] 127.0.0.1:{}: handshake1: HTTP 403 — enable Third-Party "
                        "Compatibility in the Tapo app (Me → Third-Party Compatibility), and "
                        "toggle it off and on after a firmware update",
                        *port));
  EXPECT_EQ((*driver)->health().state, HealthState::kFailed);
}

TEST(MakeP110Driver, DescribesAndValidates) {
  asio::io_context io;
  ManualClock clock;
  const devices::DriverContext ctx{io.get_executor(), Duration(3000), &clock};
  DeviceSpec spec{.id = "washer",
                  .kind = "tapo",
                  .address = "192.168.1.50",
                  .username = "a@b.c",
                  .password = "hunter2"};
  auto d = MakeP110Driver(spec, ctx);
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)->Describe(),
            "tapo washer 192.168.1.50:80 user=a@b.c password=******** protocol=auto");
  EXPECT_EQ((*d)->health().state, HealthState::kOk);

  spec.protocol = "tpap";
  auto bad = MakeP110Driver(spec, ctx);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(Errc::kInvalidArgument));
  EXPECT_EQ(bad.error().context,
            "tapo[washer]: protocol 'tpap' is not one of auto, klap, passthrough");
}

// The shared poll templates render exactly what the builder builds, for any
// time and any driver's terminal_uuid.
TEST(PollTemplate, RendersWhatBuildMultipleRequestBuilds) {
  const std::string uuid = NewTerminalUuid();
  for (const bool energy : {true, false}) {
    const Request requests[] = {{"get_device_info", {}},
                                {energy ? "get_energy_usage" : "get_current_power", {}}};
    for (const TimePoint now : {TimePoint{}, FromUnixMillis(1'763'805'600'123)}) {
      std::string out = "old contents";
      internal::PollTemplate(energy).Render(now, uuid, out);
      EXPECT_EQ(out, BuildMultipleRequest(requests, now, uuid));
    }
  }
}

}  // namespace
}  // namespace plugwatch::tapo
