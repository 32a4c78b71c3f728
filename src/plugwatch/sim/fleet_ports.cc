#include "plugwatch/sim/fleet_ports.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include "plugwatch/core/log.h"

namespace plugwatch::sim {
namespace {

constexpr int kRaiseFilesAbove = 200;
constexpr std::string_view kInUse = "Address already in use";

// Each device needs a listening socket plus one per client connection.
void RaiseOpenFilesLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  const rlim_t before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
    log::debug("sim: open-files limit raised from {} to {}", before, lim.rlim_cur);
}

}  // namespace

Result<void> PrepareFleetPorts(std::uint16_t base_port, int count) {
  if (count < 1 || count > 65535)
    return Fail(Errc::kInvalidArgument, fmt::format("count must be 1..65535 (got {})", count));
  if (base_port != 0 && base_port + count - 1 > 65535)
    return Fail(Errc::kInvalidArgument,
                fmt::format("base_port + count exceeds 65535 ({} + {}) — choose a lower --listen "
                            "port or a smaller --count",
                            base_port, count));
  if (count > kRaiseFilesAbove) RaiseOpenFilesLimit();
  return {};
}

std::uint16_t FleetPort(std::uint16_t base_port, int i) {
  return base_port == 0 ? 0 : static_cast<std::uint16_t>(base_port + i);
}

Result<DeviceServer> ListenDevice(boost::asio::any_io_executor ex, net::HttpServer::Handler handler,
                                  std::string_view host, std::uint16_t port) {
  auto server = std::make_unique<net::HttpServer>(std::move(ex), std::move(handler));
  auto bound = server->Listen(host, port);
  if (!bound) {
    Error err = bound.error();
    if (const auto at = err.context.find(kInUse); at != std::string::npos)
      err.context = err.context.substr(0, at + kInUse.size()) +
                    " — choose another --listen port or a smaller --count";
    return Fail(std::move(err));
  }
  return DeviceServer{std::move(server), *bound};
}

}  // namespace plugwatch::sim
