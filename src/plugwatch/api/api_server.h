// ApiServer: plugwatch's HTTP API (REST under /api, later the heartbeat
// endpoint, the live stream, /metrics and the dashboard) on net::HttpServer.
// Writes need "Authorization: Bearer <server.api_token>" when a token is set;
// without a token it refuses to listen beyond loopback.
//
// Runs on the service's event loop; create, Listen and Stop on that thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "plugwatch/api/router.h"
#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_server.h"

namespace plugwatch::engine {
class Service;
}

namespace plugwatch::api {

class LiveStream;

struct ApiContext {
  engine::Service& service;
  const Clock& clock;
  std::string api_token;
  std::shared_ptr<LiveStream> live = nullptr;  // set by ApiServer (/api/stream, /metrics)
  // More Prometheus families appended to /metrics by modules the API does
  // not know (notifications); called on the event loop.
  std::function<std::string()> extra_metrics = {};
};

class ApiServer {
 public:
  ApiServer(boost::asio::any_io_executor ex, ApiContext ctx);
  ~ApiServer();

  // listen: "HOST:PORT" (port 0 = any). Fails with kInvalidArgument when the
  // host is not loopback and no api_token is set, kUnavailable when the port
  // is taken. Returns the bound port.
  Result<std::uint16_t> Listen(const std::string& listen);
  // Closes every connection now.
  void Stop();
  // Graceful: stops accepting, ends live streams, lets requests in progress
  // finish for at most `grace`, then closes what is left; `done` runs on the
  // loop when every connection is closed (net::HttpServer::Shutdown).
  void Shutdown(Duration grace, std::function<void()> done = {});
  const Router& router() const { return router_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::shared_ptr<LiveStream> live_;
  Router router_;
};

// Route registration, one file per resource (api/handlers/).
void AddHealthRoutes(Router& r, ApiContext& ctx);
void AddDeviceRoutes(Router& r, ApiContext& ctx);
void AddHistoryRoutes(Router& r, ApiContext& ctx);  // events, cycles, readings
void AddPowerRoutes(Router& r, ApiContext& ctx);    // outages, status, statistics
// /heartbeat, /api/heartbeat; returns the server's fast route for them.
net::HttpServer::FastRoute AddHeartbeatRoutes(Router& r, ApiContext& ctx,
                                              boost::asio::any_io_executor ex);
void AddControlRoutes(Router& r, ApiContext& ctx);                  // check now, switch on/off
void AddMetricsRoutes(Router& r, ApiContext& ctx);                  // /metrics (Prometheus)
void AddStreamRoutes(Router& r, std::shared_ptr<LiveStream> live);  // /api/stream (SSE)
void AddDashboardRoutes(Router& r);  // / and /assets/{name} (the web dashboard)

// Wraps a write handler: 401 unless the request carries the API token.
Handler RequireToken(const ApiContext& ctx, Handler h);

}  // namespace plugwatch::api
