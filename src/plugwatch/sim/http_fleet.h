// HttpFleet: N emulated network devices — targets for the reachability
// probes (device kinds "http" and "tcp") — each behind its own
// net::HttpServer on one host, on consecutive ports (or any free ports). For
// `plugwatch sim http`, the demo, and tests of outage quorum: take devices
// off the network and watch the service notice.
//
// Every device answers any request like a small embedded web server:
//   /status/<code>  → that status (200..599, else 200), e.g. /status/503
//   /missing        → 404
//   anything else   → 200 "plugwatch sim http device <i>\n"
// Any answer (even 404) counts as reachable for an http probe; a probe only
// fails when the device is down (SetUp(i, false): its listener is closed
// and its open connections dropped, so connects are refused) or hangs
// (SetFault(i, kHang)). SetUp(i, true) listens again on the same port.
//
// Threading as TapoFleet: create, use and stop on the executor's thread (or
// before it runs).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"
#include "plugwatch/sim/fleet_fault.h"

namespace plugwatch::sim {

struct HttpFleetOptions {
  std::string host = "127.0.0.1";  // an IP address to listen on
  std::uint16_t base_port = 0;     // device i listens on base_port + i; 0 = any free ports
  int count = 1;                   // 1..65535
};

class HttpFleet {
 public:
  // Fails with kInvalidArgument (count, base_port + count) or kUnavailable
  // naming a busy port, as TapoFleet::Start.
  static Result<std::unique_ptr<HttpFleet>> Start(boost::asio::any_io_executor ex,
                                                  HttpFleetOptions options);
  ~HttpFleet();
  HttpFleet(const HttpFleet&) = delete;
  HttpFleet& operator=(const HttpFleet&) = delete;

  std::size_t size() const { return entries_.size(); }
  const std::string& host() const { return options_.host; }
  std::uint16_t port(std::size_t i) const;
  // Requests device i answered (faults included), since the start.
  std::uint64_t requests(std::size_t i) const;

  // Down: the device stops listening and drops its connections. Up: it
  // listens again on the same port; kUnavailable when that port was taken
  // meanwhile.
  Result<void> SetUp(std::size_t i, bool up);
  bool is_up(std::size_t i) const;

  void SetFault(std::size_t i, FleetFault fault);
  FleetFault fault(std::size_t i) const;

  // Device i's answer to one request, without sockets (faults aside).
  static net::HttpResponse Answer(std::size_t i, const net::HttpRequest& request);

  // Stops every server. Idempotent.
  void Stop();

 private:
  struct Entry;
  HttpFleet(boost::asio::any_io_executor ex, HttpFleetOptions options);
  Result<void> Listen(std::size_t i, std::uint16_t port);

  boost::asio::any_io_executor ex_;
  HttpFleetOptions options_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace plugwatch::sim
