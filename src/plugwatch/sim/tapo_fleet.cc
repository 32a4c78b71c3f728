#include "plugwatch/sim/tapo_fleet.h"

#include <fmt/format.h>

#include "plugwatch/net/http_server.h"
#include "plugwatch/sim/fleet_ports.h"

namespace plugwatch::sim {
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
  if (auto ok = PrepareFleetPorts(options.base_port, options.count); !ok) return Fail(ok.error());
  if (auto ok = TapoDevice::Validate(options.device); !ok) return Fail(ok.error());

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
    if (auto ok = fleet->Listen(*fleet->entries_.back(), FleetPort(o.base_port, i)); !ok)
      return Fail(ok.error());
  }
  return fleet;
}

Result<void> TapoFleet::Listen(Entry& e, std::uint16_t port) {
  auto handler = [this, &e](net::HttpRequest& in) -> boost::asio::awaitable<net::HttpResponse> {
    if (auto faulty = FaultResponse(e.fault)) co_return std::move(*faulty);
    net::HttpResponse out;
    HttpRequest req{std::move(in.method), std::move(in.target),
                    std::string(in.Header("Cookie").value_or("")), std::move(in.body)};
    HttpResponse res = e.device.Handle(req, clock_.Now());
    out.status = res.status;
    out.headers = std::move(res.headers);
    out.body = std::move(res.body);
    out.hang = res.hang;
    co_return out;
  };
  auto listening = ListenDevice(ex_, std::move(handler), options_.host, port);
  if (!listening) return Fail(listening.error());
  e.port = listening->port;
  e.server = std::move(listening->server);
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
