// ControlApi: an HTTP endpoint to watch and steer a TapoFleet or an
// HttpFleet from tests, demos and scripts (served by net::HttpServer, JSON in
// and out):
//
//   GET  /devices               → [{index, port, up, fault, relay_on, power_w,
//                                   today_energy_wh, energy_wh, stats{…}}, …]
//                                 (HttpFleet: [{index, port, up, fault,
//                                   requests}, …])
//   GET  /devices/<i>           → one such object
//   POST /devices/<i>/relay     {"on": true|false} → switches at the device,
//                                 as its button would (the service must notice);
//                                 Tapo only
//   POST /devices/<i>/down      → the device's port refuses connections (its
//                                 listener is closed, open connections dropped)
//   POST /devices/<i>/up        → it listens again on the same port
//   POST /devices/<i>/fault     {"mode": "none"|"hang"|"garbage"|"http500"}
//
// today_energy_wh is exact (TapoDevice::EnergyWh since the device's local
// midnight), unlike the device's own integer counter. Errors are
// {"error": "…"} with 400 (bad body), 404 (unknown path or index), 405 (wrong
// method) or 503 (up failed). Same executor and threading rules as the fleet,
// which must outlive the API.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string_view>

#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"
#include "plugwatch/sim/http_fleet.h"
#include "plugwatch/sim/tapo_fleet.h"

namespace plugwatch::net {
class HttpServer;
}

namespace plugwatch::sim {

class ControlApi {
 public:
  ControlApi(boost::asio::any_io_executor ex, TapoFleet& fleet);
  ControlApi(boost::asio::any_io_executor ex, HttpFleet& fleet);
  ~ControlApi();
  ControlApi(const ControlApi&) = delete;
  ControlApi& operator=(const ControlApi&) = delete;

  // Starts serving; port 0 picks a free one. Returns the bound port or the
  // net::HttpServer::Listen error.
  Result<std::uint16_t> Listen(std::string_view host, std::uint16_t port);
  void Stop();

  // Answers one request without sockets (what the server calls).
  net::HttpResponse Handle(const net::HttpRequest& request);

  // The JSON of device i, as GET /devices/<i> returns it.
  boost::json::object DeviceJson(std::size_t i) const;

 private:
  std::size_t size() const;
  Result<void> SetUp(std::size_t i, bool up);
  void SetFault(std::size_t i, FleetFault fault);

  boost::asio::any_io_executor ex_;
  TapoFleet* tapo_ = nullptr;  // exactly one of the two is set
  HttpFleet* http_ = nullptr;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace plugwatch::sim
