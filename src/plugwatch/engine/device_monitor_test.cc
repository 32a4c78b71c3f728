#include "plugwatch/engine/device_monitor.h"

#include <gtest/gtest.h>

namespace plugwatch::engine {
namespace {

DeviceSpec Washer() {
  DeviceSpec s;
  s.id = "washer";
  s.site = "home";
  s.kind = "tapo";
  s.activity = ActivitySettings{.start_above_w = 5,
                                .start_delay = Duration(2000),
                                .stop_below_w = 2,
                                .stop_delay = Duration(5000),
                                .price_per_kwh = 0.5};
  return s;
}

Reading At(long long sec, double w, bool on = true) {
  Reading r;
  r.device = "washer";
  r.at = FromUnixMillis(1'700'000'000'000 + sec * 1000);
  r.reachable = true;
  r.power_w = w;
  r.relay_on = on;
  return r;
}

std::vector<EventType> Types(const std::vector<Event>& ev) {
  std::vector<EventType> t;
  for (auto& e : ev) t.push_back(e.type);
  return t;
}

TEST(DeviceMonitor, CycleEnergyAndLifetimeCounter) {
  DeviceMonitor m(Washer(), 2, 100.0);
  std::vector<Event> all;
  for (int s = 0; s < 10; ++s)
    for (auto& e : m.OnReading(At(s, 0))) all.push_back(e);
  for (int s = 10; s < 46; ++s)
    for (auto& e : m.OnReading(At(s, 1000))) all.push_back(e);
  for (int s = 46; s < 60; ++s)
    for (auto& e : m.OnReading(At(s, 0))) all.push_back(e);
  ASSERT_EQ(Types(all), (std::vector{EventType::kDeviceActive, EventType::kCycleFinished}));
  EXPECT_NEAR(all[1].data.at("energy_wh").to_number<double>(), 10.0, 1e-9);  // 36 s × 1000 W
  EXPECT_NEAR(m.state().lifetime_energy_wh, 110.0, 1e-9);
  EXPECT_EQ(m.state().activity, "idle");
}

TEST(DeviceMonitor, ACycleKeepsItsStartThroughAPause) {
  DeviceMonitor m(Washer(), 2, 0);
  m.OnReading(At(0, 0));
  m.OnReading(At(10, 1000));  // starting: not a cycle yet
  EXPECT_EQ(m.state().cycle_started_at, std::nullopt);
  m.OnReading(At(12, 1000));  // active after start_delay
  ASSERT_EQ(m.state().activity, "active");
  const auto start = At(10, 0).at;
  EXPECT_EQ(m.state().cycle_started_at, start);
  m.OnReading(At(20, 0));  // a pause: stopping, `since` moves, the start does not
  ASSERT_EQ(m.state().activity, "stopping");
  EXPECT_EQ(m.state().since, At(20, 0).at);
  EXPECT_EQ(m.state().cycle_started_at, start);
  m.OnReading(At(30, 0));  // over: idle
  ASSERT_EQ(m.state().activity, "idle");
  EXPECT_EQ(m.state().cycle_started_at, std::nullopt);
}

TEST(DeviceMonitor, RelayChangesSeenAtTheDevice) {
  DeviceMonitor m(Washer(), 2, 0);
  m.OnReading(At(0, 0, true));
  auto ev = m.OnReading(At(1, 0, false));
  ASSERT_EQ(Types(ev), std::vector{EventType::kSwitchedOff});
  EXPECT_EQ(ev[0].data.at("source").as_string(), "device");
  EXPECT_TRUE(m.OnReading(At(2, 0, false)).empty());  // no change, no event
  ev = m.OnReading(At(3, 0, true));
  ASSERT_EQ(Types(ev), std::vector{EventType::kSwitchedOn});
  EXPECT_EQ(ev[0].data.at("source").as_string(), "device");
}

TEST(DeviceMonitor, SnapshotKeepsRunningCycleAcrossRestart) {
  DeviceMonitor m(Washer(), 2, 0);
  for (int s = 0; s < 20; ++s) m.OnReading(At(s, 1000));
  ASSERT_TRUE(m.cycle_running());
  auto snap = m.Snapshot();
  auto restored = DeviceMonitor::Restore(Washer(), 2, m.state().lifetime_energy_wh, snap);
  std::vector<Event> all;
  for (int s = 25; s < 40; ++s)
    for (auto& e : restored.OnReading(At(s, 1000))) all.push_back(e);
  for (int s = 40; s < 50; ++s)
    for (auto& e : restored.OnReading(At(s, 0))) all.push_back(e);
  ASSERT_EQ(Types(all), std::vector{EventType::kCycleFinished});  // no second device_active
  // 0..40 s at 1000 W: the 5 s gap across the restart is bridged (under max_gap).
  EXPECT_NEAR(all[0].data.at("energy_wh").to_number<double>(), 40 * 1000 / 3600.0, 1e-6);
  EXPECT_NEAR(all[0].data.at("duration_s").to_number<double>(), 40.0, 1e-9);
}

TEST(DeviceMonitor, OfflineAfterConfirmChecks) {
  DeviceMonitor m(Washer(), 2, 0);
  m.OnReading(At(0, 0));
  m.OnReading(At(1, 0));
  Reading bad;
  bad.device = "washer";
  bad.at = FromUnixMillis(1'700'000'002'000);
  bad.error = MakeError(Errc::kTimeout, "no answer");
  EXPECT_TRUE(m.OnReading(bad).empty());
  bad.at += Duration(1000);
  auto ev = m.OnReading(bad);
  ASSERT_EQ(Types(ev), std::vector{EventType::kDeviceOffline});
  EXPECT_EQ(m.state().reachable, false);
}

}  // namespace
}  // namespace plugwatch::engine
