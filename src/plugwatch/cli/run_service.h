// Runs the service with its HTTP API: what `serve` and `demo` share.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>

#include "plugwatch/config/config.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::cli {

// Starts the service and the API on cfg.server.listen, then `ready` (a
// banner), and runs until SIGINT/SIGTERM. Throws Exit when the API cannot
// listen. Returns the exit status.
int RunWithApi(boost::asio::io_context& io, config::Config cfg, engine::ServiceOptions opts,
               std::function<void(std::uint16_t api_port)> ready = {});

}  // namespace plugwatch::cli
