#include "plugwatch/sim/http_fleet.h"

#include <fmt/format.h>

#include <charconv>

#include "plugwatch/net/http_server.h"
#include "plugwatch/sim/fleet_ports.h"

namespace plugwatch::sim {

struct HttpFleet::Entry {
  std::unique_ptr<net::HttpServer> server;  // null while down
  std::uint16_t port = 0;
  FleetFault fault = FleetFault::kNone;
  std::uint64_t requests = 0;
};

HttpFleet::HttpFleet(boost::asio::any_io_executor ex, HttpFleetOptions options)
    : ex_(std::move(ex)), options_(std::move(options)) {}

HttpFleet::~HttpFleet() { Stop(); }

Result<std::unique_ptr<HttpFleet>> HttpFleet::Start(boost::asio::any_io_executor ex,
                                                    HttpFleetOptions options) {
  if (auto ok = PrepareFleetPorts(options.base_port, options.count); !ok) return Fail(ok.error());
  std::unique_ptr<HttpFleet> fleet(new HttpFleet(std::move(ex), std::move(options)));
  const HttpFleetOptions& o = fleet->options_;
  fleet->entries_.reserve(static_cast<std::size_t>(o.count));
  for (int i = 0; i < o.count; ++i) {
    fleet->entries_.push_back(std::make_unique<Entry>());
    if (auto ok = fleet->Listen(static_cast<std::size_t>(i), FleetPort(o.base_port, i)); !ok)
      return Fail(ok.error());
  }
  return fleet;
}

net::HttpResponse HttpFleet::Answer(std::size_t i, const net::HttpRequest& request) {
  net::HttpResponse out;
  out.headers.emplace_back("Content-Type", "text/plain");
  out.headers.emplace_back("Server", "plugwatch-sim-http");
  const std::string_view path = request.Path();
  if (path.starts_with("/status/")) {
    const std::string_view code = path.substr(8);
    int status = 0;
    const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec == std::errc() && end == code.data() + code.size() && status >= 200 && status <= 599)
      out.status = status;
  } else if (path == "/missing") {
    out.status = 404;
  }
  out.body = out.status == 404 ? "not found\n" : fmt::format("plugwatch sim http device {}\n", i);
  // HEAD, 204 and 304 answers carry no body.
  if (request.method == "HEAD" || out.status == 204 || out.status == 304) out.body.clear();
  return out;
}

Result<void> HttpFleet::Listen(std::size_t i, std::uint16_t port) {
  Entry& e = *entries_.at(i);
  auto handler = [&e, i](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
    ++e.requests;
    if (auto faulty = FaultResponse(e.fault)) co_return std::move(*faulty);
    co_return Answer(i, req);
  };
  auto listening = ListenDevice(ex_, std::move(handler), options_.host, port);
  if (!listening) return Fail(listening.error());
  e.port = listening->port;
  e.server = std::move(listening->server);
  return {};
}

std::uint16_t HttpFleet::port(std::size_t i) const { return entries_.at(i)->port; }
std::uint64_t HttpFleet::requests(std::size_t i) const { return entries_.at(i)->requests; }
bool HttpFleet::is_up(std::size_t i) const { return entries_.at(i)->server != nullptr; }
void HttpFleet::SetFault(std::size_t i, FleetFault fault) { entries_.at(i)->fault = fault; }
FleetFault HttpFleet::fault(std::size_t i) const { return entries_.at(i)->fault; }

Result<void> HttpFleet::SetUp(std::size_t i, bool up) {
  Entry& e = *entries_.at(i);
  if (up == (e.server != nullptr)) return {};
  if (!up) {
    e.server->Stop();
    e.server.reset();
    return {};
  }
  return Listen(i, e.port);
}

void HttpFleet::Stop() {
  for (auto& e : entries_) {
    if (!e->server) continue;
    e->server->Stop();
    e->server.reset();
  }
}

}  // namespace plugwatch::sim
