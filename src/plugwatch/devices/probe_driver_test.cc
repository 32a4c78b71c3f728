#include "plugwatch/devices/probe_driver.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "plugwatch/net/run_until_done.h"
#include "plugwatch/sim/http_fleet.h"

namespace plugwatch::devices {
namespace {

namespace asio = boost::asio;

// The probe drivers against emulated network devices (sim::HttpFleet).
class ProbeDriverTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    auto fleet = sim::HttpFleet::Start(io_.get_executor(), {});
    ASSERT_TRUE(fleet) << fleet.error().context;
    fleet_ = std::move(*fleet);
    DeviceSpec spec;
    spec.id = "router";
    spec.kind = GetParam();
    spec.address = "127.0.0.1:" + std::to_string(fleet_->port(0));
    auto driver = MakeProbeDriver(spec, {io_.get_executor(), Duration(300), &clock_});
    ASSERT_TRUE(driver) << driver.error().context;
    driver_ = std::move(*driver);
  }

  Result<Reading> Poll() { return net::RunUntilDone(io_, driver_->Poll()); }

  asio::io_context io_;
  SystemClock clock_;
  std::unique_ptr<sim::HttpFleet> fleet_;
  std::unique_ptr<Driver> driver_;
};

TEST_P(ProbeDriverTest, ReachableUnreachableAndBackAgain) {
  auto up = Poll();
  ASSERT_TRUE(up) << up.error().context;
  EXPECT_TRUE(up->reachable);
  EXPECT_EQ(up->device, "router");

  ASSERT_TRUE(fleet_->SetUp(0, false));
  for (int i = 0; i < 2; ++i) {  // a failed probe, repeated, stays a clean error
    auto down = Poll();
    ASSERT_FALSE(down);
    EXPECT_TRUE(down.error().Is(Errc::kUnavailable)) << down.error().context;
    EXPECT_NE(down.error().context.find(std::string(GetParam()) + "[router]"), std::string::npos)
        << down.error().context;
    EXPECT_EQ(driver_->health().state, HealthState::kWarning);
  }

  ASSERT_TRUE(fleet_->SetUp(0, true));
  auto back = Poll();
  ASSERT_TRUE(back) << back.error().context;
  EXPECT_TRUE(back->reachable);
}

INSTANTIATE_TEST_SUITE_P(Kinds, ProbeDriverTest, ::testing::Values("http", "tcp"));

TEST(ProbeDriverHttp, AnyAnswerIsReachableAndAHangIsATimeout) {
  asio::io_context io;
  SystemClock clock;
  auto fleet = sim::HttpFleet::Start(io.get_executor(), {});
  ASSERT_TRUE(fleet);
  DeviceSpec spec;
  spec.id = "nas";
  spec.kind = "http";
  spec.address = "127.0.0.1:" + std::to_string((*fleet)->port(0));
  auto driver = MakeProbeDriver(spec, {io.get_executor(), Duration(300), &clock});
  ASSERT_TRUE(driver);
  (*fleet)->SetFault(0, sim::FleetFault::kHttp500);
  EXPECT_TRUE(net::RunUntilDone(io, (*driver)->Poll()));
  (*fleet)->SetFault(0, sim::FleetFault::kHang);
  auto hung = net::RunUntilDone(io, (*driver)->Poll());
  ASSERT_FALSE(hung);
  EXPECT_TRUE(hung.error().Is(Errc::kTimeout)) << hung.error().context;
}

}  // namespace
}  // namespace plugwatch::devices
