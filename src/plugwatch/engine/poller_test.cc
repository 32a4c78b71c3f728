#include "plugwatch/engine/poller.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace plugwatch::engine {
namespace {

namespace asio = boost::asio;

// What a SlowDriver saw; owned by the test, as the poller deletes drivers.
struct Seen {
  int max_concurrent = 0;
  std::vector<std::string> order;
};

// A driver whose every operation takes 30 ms and records how many ran at once.
class SlowDriver : public devices::Driver {
 public:
  SlowDriver(asio::any_io_executor ex, Seen& seen) : ex_(ex), seen_(seen) { spec_.id = "slow"; }

  asio::awaitable<Result<Reading>> Poll() override {
    co_await Busy("poll");
    Reading r;
    r.device = spec_.id;
    r.reachable = true;
    r.relay_on = on_;
    co_return r;
  }
  asio::awaitable<Result<void>> Switch(bool on) override {
    co_await Busy(on ? "on" : "off");
    on_ = on;
    co_return Result<void>{};
  }
  asio::awaitable<Result<boost::json::object>> Info() override { co_return boost::json::object{}; }
  std::string Describe() const override { return "slow"; }
  devices::Health health() const override { return {}; }
  const DeviceSpec& spec() const override { return spec_; }

 private:
  asio::awaitable<void> Busy(std::string what) {
    ++running_;
    seen_.max_concurrent = std::max(seen_.max_concurrent, running_);
    asio::steady_timer t(ex_, std::chrono::milliseconds(30));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    seen_.order.push_back(std::move(what));
    --running_;
  }

  asio::any_io_executor ex_;
  Seen& seen_;
  DeviceSpec spec_;
  int running_ = 0;
  bool on_ = true;
};

TEST(Poller, OperationsOnOneDriverNeverOverlap) {
  asio::io_context io;
  SystemClock clock;
  int readings = 0;
  Poller poller(io.get_executor(), clock, [&](const Reading&) { ++readings; });
  Seen seen;
  poller.Add(std::make_unique<SlowDriver>(io.get_executor(), seen),
             Duration(40));  // polls are due while others run

  std::vector<std::string> results;
  auto requests = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(io, std::chrono::milliseconds(45));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    auto r = co_await poller.PollNow("slow");
    results.push_back(r && r->reachable ? "checked" : "check failed");
    auto off = co_await poller.Switch("slow", false);
    results.push_back(off ? "switched" : "switch failed");
    auto missing = co_await poller.PollNow("nope");
    results.push_back(missing ? "found?" : "not polled");
    poller.StopAll();
  };
  asio::co_spawn(io, requests(), asio::detached);
  io.run_for(std::chrono::seconds(5));

  EXPECT_EQ(results, (std::vector<std::string>{"checked", "switched", "not polled"}));
  EXPECT_EQ(seen.max_concurrent, 1);
  EXPECT_GE(seen.order.size(), 3u);
  EXPECT_GE(readings, 2);  // the scheduled polls and the check-now all reached OnReading
}

TEST(Poller, RemovingADeviceReleasesItsWaiters) {
  asio::io_context io;
  SystemClock clock;
  Poller poller(io.get_executor(), clock, [](const Reading&) {});
  Seen seen;
  poller.Add(std::make_unique<SlowDriver>(io.get_executor(), seen), Duration(10));
  std::vector<bool> outcomes;
  auto waiter = [&]() -> asio::awaitable<void> {
    auto r = co_await poller.Switch("slow", false);
    outcomes.push_back(static_cast<bool>(r));
  };
  auto remover = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(io, std::chrono::milliseconds(12));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    // A poll holds the driver now; these two queue behind it.
    asio::co_spawn(io, waiter(), asio::detached);
    asio::co_spawn(io, waiter(), asio::detached);
    asio::steady_timer u(io, std::chrono::milliseconds(1));
    co_await u.async_wait(asio::as_tuple(asio::use_awaitable));
    poller.Remove("slow");
  };
  asio::co_spawn(io, remover(), asio::detached);
  io.run_for(std::chrono::seconds(2));
  EXPECT_EQ(outcomes, (std::vector<bool>{false, false}));
}

}  // namespace
}  // namespace plugwatch::engine
