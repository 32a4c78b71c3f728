// Fleet ports: what every emulated fleet does with its listening sockets —
// check count and base port, raise the open-files limit for large fleets,
// and listen one device with an error that says what to do when its port is
// taken. Device i of a fleet listens on base_port + i, or on any free port
// when base_port is 0. Create and use on the server's executor thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string_view>

#include "plugwatch/core/error.h"
#include "plugwatch/net/http_server.h"

namespace plugwatch::sim {

// kInvalidArgument: "count must be 1..65535 (got 0)", "base_port + count
// exceeds 65535 (…) — choose a lower --listen port or a smaller --count".
// Raises the soft RLIMIT_NOFILE to the hard limit for fleets over 200.
Result<void> PrepareFleetPorts(std::uint16_t base_port, int count);

// base_port + i, or 0 (any free port) when base_port is 0.
std::uint16_t FleetPort(std::uint16_t base_port, int i);

struct DeviceServer {
  std::unique_ptr<net::HttpServer> server;
  std::uint16_t port = 0;  // the bound port
};

// A server for one device listening on host:port; kUnavailable naming the
// port: "127.0.0.1:20005: Address already in use — choose another --listen
// port or a smaller --count".
Result<DeviceServer> ListenDevice(boost::asio::any_io_executor ex, net::HttpServer::Handler handler,
                                  std::string_view host, std::uint16_t port);

}  // namespace plugwatch::sim
