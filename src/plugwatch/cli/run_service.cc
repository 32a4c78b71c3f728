#include "plugwatch/cli/run_service.h"

#include <fmt/format.h>

#include "plugwatch/api/api_server.h"
#include "plugwatch/cli/command.h"
#include "plugwatch/core/log.h"

namespace plugwatch::cli {

int RunWithApi(boost::asio::io_context& io, config::Config cfg, engine::ServiceOptions opts,
               std::function<void(std::uint16_t)> ready) {
  static SystemClock clock;
  std::unique_ptr<api::ApiServer> server;
  const std::string listen = cfg.server.listen;
  const std::string token = cfg.server.api_token;
  return engine::RunService(
      io, std::move(cfg), opts,
      [&](engine::Service& service) {
        server = std::make_unique<api::ApiServer>(io.get_executor(),
                                                  api::ApiContext{service, clock, token});
        auto port = server->Listen(listen);
        if (!port) Throw(port.error());
        log::info("api: listening on {} (port {})", listen, *port);
        if (ready) ready(*port);
      },
      [&](std::function<void()> drained) {
        // Requests in progress (a heartbeat waiting for its commit) get 5 s.
        server->Shutdown(Duration(5000), std::move(drained));
      });
}

}  // namespace plugwatch::cli
