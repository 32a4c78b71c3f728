#include "plugwatch/sim/tapo_fleet.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <stdexcept>

#include "plugwatch/core/log.h"
#include "plugwatch/net/http_server.h"

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

std::optional<FleetFault> ParseFleetFault(std::string_view name) {
  if (name == "none") return FleetFault::kNone;
  if (name == "hang") return FleetFault::kHang;
  if (name == "garbage") return FleetFault::kGarbage;
  if (name == "http500") return FleetFault::kHttp500;
  return std::nullopt;
}

struct TapoFleet::Entry {
  explicit Entry(TapoDevice d) : device(std::move(d)) {}
  TapoDevice device;
  std::unique_ptr<net::HttpServer> server;  // null while down
  std::uint16_t port = 0;
  FleetFault fault = FleetFault::kNone;
};

TapoFleet::TapoFleet(boost::asio::any_io_executor ex, TapoFleetOptions options, const Clock& clock)
    : ex_(std::move(ex)), options_(std::move(options)), clock_(clock) {}

TapoFleet::~TapoFleet() { Stop(); }

Result<std::unique_ptr<TapoFleet>> TapoFleet::Start(boost::asio::any_io_executor ex,
                                                    TapoFleetOptions options, const Clock& clock) {
  if (options.count < 1 || options.count > 65535)
    return Fail(Errc::kInvalidArgument,
                fmt::format("count must be 1..65535 (got {})", options.count));
  if (options.base_port != 0 && options.base_port + options.count - 1 > 65535)
    return Fail(Errc::kInvalidArgument,
                fmt::format("base_port + count exceeds 65535 ({} + {}) — choose a lower --listen "
                            "port or a smaller --count",
                            options.base_port, options.count));
  if (auto ok = TapoDevice::Validate(options.device); !ok) return Fail(ok.error());
  if (options.count > kRaiseFilesAbove) RaiseOpenFilesLimit();

  std::unique_ptr<TapoFleet> fleet(new TapoFleet(std::move(ex), std::move(options), clock));
  const TapoFleetOptions& o = fleet->options_;
  const TimePoint start = clock.Now();
  fleet->entries_.reserve(static_cast<std::size_t>(o.count));
  for (int i = 0; i < o.count; ++i) {
    TapoDeviceOptions d = o.device;
    d.index = o.device.index + static_cast<std::uint32_t>(i);
    if (o.device.seed != 0) d.seed = o.device.seed + static_cast<std::uint64_t>(i);
    d.ip = o.host;
    if (o.count != 1) d.nickname = fmt::format("plug-{}", i);
    fleet->entries_.push_back(std::make_unique<Entry>(TapoDevice(std::move(d), start)));
    const std::uint16_t port = o.base_port == 0 ? 0 : static_cast<std::uint16_t>(o.base_port + i);
    if (auto ok = fleet->Listen(*fleet->entries_.back(), port); !ok) return Fail(ok.error());
  }
  return fleet;
}

Result<void> TapoFleet::Listen(Entry& e, std::uint16_t port) {
  auto handler = [this, &e](net::HttpRequest& in) -> boost::asio::awaitable<net::HttpResponse> {
    net::HttpResponse out;
    switch (e.fault) {
      case FleetFault::kNone:
        break;
      case FleetFault::kHang:
        out.hang = true;
        co_return out;
      case FleetFault::kGarbage:
        out.headers.emplace_back("Content-Type", "application/octet-stream");
        for (int i = 0; i < 64; ++i) out.body.push_back(static_cast<char>((i * 73 + 41) & 0xff));
        co_return out;
      case FleetFault::kHttp500:
        out.status = 500;
        co_return out;
    }
    HttpRequest req{std::move(in.method), std::move(in.target),
                    std::string(in.Header("Cookie").value_or("")), std::move(in.body)};
    HttpResponse res = e.device.Handle(req, clock_.Now());
    out.status = res.status;
    out.headers = std::move(res.headers);
    out.body = std::move(res.body);
    out.hang = res.hang;
    co_return out;
  };
  auto server = std::make_unique<net::HttpServer>(ex_, std::move(handler));
  auto bound = server->Listen(options_.host, port);
  if (!bound) {
    Error err = bound.error();
    if (const auto at = err.context.find(kInUse); at != std::string::npos)
      err.context = err.context.substr(0, at + kInUse.size()) +
                    " — choose another --listen port or a smaller --count";
    return Fail(std::move(err));
  }
  e.port = *bound;
  e.server = std::move(server);
  return {};
}

std::uint16_t TapoFleet::port(std::size_t i) const { return entries_.at(i)->port; }
TapoDevice& TapoFleet::device(std::size_t i) { return entries_.at(i)->device; }
const TapoDevice& TapoFleet::device(std::size_t i) const { return entries_.at(i)->device; }
bool TapoFleet::is_up(std::size_t i) const { return entries_.at(i)->server != nullptr; }
void TapoFleet::SetFault(std::size_t i, FleetFault fault) { entries_.at(i)->fault = fault; }
FleetFault TapoFleet::fault(std::size_t i) const { return entries_.at(i)->fault; }

Result<void> TapoFleet::SetUp(std::size_t i, bool up) {
  Entry& e = *entries_.at(i);
  if (up == (e.server != nullptr)) return {};
  if (!up) {
    e.server->Stop();
    e.server.reset();
    return {};
  }
  return Listen(e, e.port);
}

void TapoFleet::Stop() {
  for (auto& e : entries_) {
    if (!e->server) continue;
    e->server->Stop();
    e->server.reset();
  }
}

}  // namespace plugwatch::sim
