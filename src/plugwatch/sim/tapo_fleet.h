// TapoFleet: N emulated Tapo plugs (TapoDevice), each behind its own
// net::HttpServer on one host, on consecutive ports (or any free ports). For
// `plugwatch sim`, the demo, unit tests of the Tapo client and load tests of
// the poller (10,000 plugs on one thread).
//
// Every server and device lives on the executor given to Start; create, use
// and stop the fleet on that executor's thread (or before it runs). Devices
// read time from the Clock given to Start, which must outlive the fleet.
// Faults can be injected per device at run time (SetFault) on top of the
// device's own random fault rates; a device can be taken off the network
// (SetUp(i, false): its port refuses connections) and brought back on the
// same port.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/sim/fleet_fault.h"
#include "plugwatch/sim/tapo_device.h"

namespace plugwatch::sim {

struct TapoFleetOptions {
  std::string host = "127.0.0.1";  // an IP address to listen on
  std::uint16_t base_port = 0;     // device i listens on base_port + i; 0 = any free ports
  int count = 1;                   // 1..65535
  // Template for every device: device i gets index = device.index + i, a
  // seed derived from it, ip = host and, unless count == 1, nickname
  // "plug-<i>".
  TapoDeviceOptions device;
};

class TapoFleet {
 public:
  // Validates the options, builds the devices and starts listening. Raises
  // the soft RLIMIT_NOFILE to the hard limit when count is large. Fails with
  // kInvalidArgument (bad options: "count must be 1..65535 (got 0)", the
  // device's Validate messages, "base_port + count exceeds 65535") or
  // kUnavailable naming the port: "127.0.0.1:20005: Address already in use —
  // choose another --listen port or a smaller --count".
  static Result<std::unique_ptr<TapoFleet>> Start(boost::asio::any_io_executor ex,
                                                  TapoFleetOptions options, const Clock& clock);
  ~TapoFleet();
  TapoFleet(const TapoFleet&) = delete;
  TapoFleet& operator=(const TapoFleet&) = delete;

  std::size_t size() const { return entries_.size(); }
  const std::string& host() const { return options_.host; }
  std::uint16_t port(std::size_t i) const;
  TapoDevice& device(std::size_t i);
  const TapoDevice& device(std::size_t i) const;
  const Clock& clock() const { return clock_; }

  // Down: the device's server stops listening and drops its connections
  // (clients get "connection refused"). Up: it listens again on the same
  // port. The device keeps its state (relay, counters) either way. Fails with
  // kUnavailable when the port was taken meanwhile.
  Result<void> SetUp(std::size_t i, bool up);
  bool is_up(std::size_t i) const;

  void SetFault(std::size_t i, FleetFault fault);
  FleetFault fault(std::size_t i) const;

  // Stops every server. The devices stay readable. Idempotent.
  void Stop();

 private:
  struct Entry;
  TapoFleet(boost::asio::any_io_executor ex, TapoFleetOptions options, const Clock& clock);
  Result<void> Listen(Entry& e, std::uint16_t port);

  boost::asio::any_io_executor ex_;
  TapoFleetOptions options_;
  const Clock& clock_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace plugwatch::sim
