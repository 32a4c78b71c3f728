// Service: the running plugwatch — the composition root that wires config,
// store, drivers, poller, detectors and the event bus together. The only
// place that knows every module.
//
// Lifecycle: construct, Start() (syncs the config's devices into the store,
// restores detector state and lifetime energy, starts polling), run the
// io_context, Shutdown() (stops polling, saves state, flushes the store).
// Devices added, changed or removed in the store by another process
// (`plugwatch device …`) are picked up within a second.
//
// Threading: everything runs on the io_context's single thread; the store
// writes on its own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/engine/device_monitor.h"
#include "plugwatch/engine/event_bus.h"
#include "plugwatch/engine/poller.h"
#include "plugwatch/engine/power_watch.h"
#include "plugwatch/store/store.h"

namespace plugwatch::engine {

struct ServiceOptions {
  bool print_events = true;  // one line per event on stdout
  Duration tick{1000};       // detector delays and device-list changes checked this often
  // Raw readings are recorded at most this often per device (and on every
  // change of reachability or relay): history and energy stay exact, since
  // the lifetime counter travels with each recorded reading.
  Duration record_every{10'000};
  // Detector state is saved with every reading while a cycle runs, else this often.
  Duration snapshot_every{60'000};
};

class Service {
 public:
  Service(boost::asio::io_context& io, config::Config cfg, std::unique_ptr<store::Store> store,
          const Clock& clock, ServiceOptions opts = {});
  ~Service();

  // Fails when the store cannot be read or written.
  Result<void> Start();
  void Shutdown();

  EventBus& bus() { return bus_; }
  const Poller& poller() const { return poller_; }
  store::Store& store() { return *store_; }
  const config::Config& config() const { return cfg_; }
  std::optional<DeviceState> State(const std::string& device) const;
  // Visits every monitored device, in id order.
  void ForEachDevice(const std::function<void(const DeviceSpec&, const DeviceState&)>& visit) const;
  const PowerWatch& power() const { return power_; }

  // A heartbeat for record.label (which must be configured). up_since:
  // HeartbeatWatchdog decision 7.
  struct HeartbeatIn {
    store::HeartbeatRecord record;
    std::optional<TimePoint> up_since;
  };
  // Heartbeats, in the order received: each judged, then all stored as one
  // write; `done` runs once on the loop when they are durable (or failed) —
  // only then may they be acknowledged.
  void Heartbeats(std::vector<HeartbeatIn> in, std::function<void(const Result<void>&)> done);

  // Polls a monitored device now (its reading goes the usual way). Fails
  // with kNotFound (unknown), kAlreadyExists (disabled: a conflict) or the
  // driver's error.
  boost::asio::awaitable<Result<Reading>> CheckNow(std::string device);
  // Switches a plug and records switched_on/off with `source` when the relay
  // changes. Fails as CheckNow, or kNotSupported for probes.
  boost::asio::awaitable<Result<void>> Switch(std::string device, bool on, std::string source);

 private:
  struct Device {
    DeviceSpec spec;
    std::unique_ptr<DeviceMonitor> monitor;
    TimePoint last_recorded{};
    TimePoint last_snapshot{};
    std::optional<bool> last_reachable;
    std::optional<bool> last_on;
    std::optional<bool> power_reachable;  // what PowerWatch was last told
    long long last_claimed_event_id = 0;
  };

  Result<void> SyncConfigDevices();
  // states: the saved detector states, at start-up only.
  Result<void> ReconcileDevices(const std::map<std::string, boost::json::object>* states = nullptr);
  void ReplayHeartbeats();
  void StartDevice(const DeviceSpec& spec, const boost::json::object* snapshot, double energy_wh);
  void HandleReading(const Reading& r);
  void Emit(std::vector<Event> events, Device& d);
  // power_lost / power_restored from PowerWatch: recorded, then its state saved.
  void EmitPower(std::vector<Event> events);
  // Stores (with its cycle or outage) and publishes one event.
  void Record(Event e);
  void SavePowerState();
  void FlushChecks(TimePoint now);
  // Wakes the loop when the next heartbeat label's silence runs out.
  void ArmDeadline();
  // Ok when the device is monitored; else why not (device_control.cc).
  Result<void> Controllable(const std::string& device);
  bool ClaimedByOtherProcess(const Event& e, Device& d);
  void SaveSnapshot(Device& d, TimePoint now);
  void ScheduleTick();

  boost::asio::io_context& io_;
  config::Config cfg_;
  std::unique_ptr<store::Store> store_;
  const Clock& clock_;
  ServiceOptions opts_;
  EventBus bus_;
  Poller poller_;
  std::map<std::string, Device> devices_;
  long long devices_rev_ = -1;
  PowerWatch power_;
  TimePoint power_saved_{};
  std::map<std::string, store::CheckCount> site_checks_;  // not yet recorded
  struct Ticker;
  std::shared_ptr<Ticker> ticker_;
};

// Runs a service until SIGINT or SIGTERM: opens the store, Start(), runs the
// loop, then shuts down (stops polling, saves state, waits for the last commit). `setup` runs after
// Start() on the loop (demo: print the banner). Returns the process exit status (0, or 1 with the
// error printed to stderr).
// Emulators (demo) may share the io_context.
struct ServiceHooks {
  // Runs before Start(): subscribe to the bus here to see the events Start()
  // publishes (a power_restored replayed at start-up).
  std::function<void(Service&)> before_start;
  // Runs after Start() on the loop (the API server, the demo's banner).
  std::function<void(Service&)> setup;
  // On the first SIGINT/SIGTERM, runs before the service stops and calls
  // `drained` when the front end (the HTTP API) has finished what it
  // acknowledged; a second signal shuts down at once.
  std::function<void(std::function<void()> drained)> drain;
};
int RunService(boost::asio::io_context& io, config::Config cfg, ServiceOptions opts,
               ServiceHooks hooks = {});

}  // namespace plugwatch::engine
