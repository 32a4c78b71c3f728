#include "plugwatch/devices/probe_driver.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "plugwatch/net/host_port.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::devices {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ProbeDriver final : public Driver {
 public:
  ProbeDriver(DeviceSpec spec, DriverContext ctx, net::HostPort hp)
      : spec_(std::move(spec)),
        ctx_(std::move(ctx)),
        hp_(std::move(hp)),
        http_(ctx_.executor, hp_.host, hp_.port) {}

  asio::awaitable<Result<Reading>> Poll() override {
    const TimePoint start = ctx_.clock->Now();
    // Not `c ? co_await A() : co_await B()`: g++ 12 destroys the result of
    // such a conditional twice (a double free whenever the probe failed).
    Result<void> ok;
    if (spec_.kind == "http")
      ok = co_await ProbeHttp();
    else
      ok = co_await ProbeTcp();
    if (!ok) {
      health_ = {HealthState::kWarning, "unreachable; retrying at the next poll"};
      co_return std::unexpected(Wrap(ok.error(), fmt::format("{}[{}]", spec_.kind, spec_.id)));
    }
    health_ = {};
    Reading r;
    r.device = spec_.id;
    r.at = ctx_.clock->Now();
    r.reachable = true;
    r.latency = r.at - start;
    co_return r;
  }

  asio::awaitable<Result<void>> Switch(bool) override {
    co_return Fail(
        Errc::kNotSupported,
        fmt::format("{}[{}]: a reachability probe has no relay to switch", spec_.kind, spec_.id));
  }

  asio::awaitable<Result<boost::json::object>> Info() override {
    auto r = co_await Poll();
    if (!r) co_return std::unexpected(r.error());
    boost::json::object o;
    o["kind"] = spec_.kind;
    o["address"] = hp_.ToString();
    o["latency_ms"] = r->latency.count();
    co_return o;
  }

  std::string Describe() const override {
    return fmt::format("{} {} {}", spec_.kind, spec_.id, hp_.ToString());
  }
  Health health() const override { return health_; }
  const DeviceSpec& spec() const override { return spec_; }

 private:
  asio::awaitable<Result<void>> ProbeHttp() {
    net::HttpRequest req{.method = "GET", .target = "/"};
    req.headers.emplace_back("User-Agent", "plugwatch-probe");
    auto res = co_await http_.Send(req, ctx_.request_timeout);
    if (!res) co_return std::unexpected(res.error());
    co_return Result<void>{};
  }

  asio::awaitable<Result<void>> ProbeTcp() {
    boost::beast::tcp_stream stream(ctx_.executor);
    stream.expires_after(ctx_.request_timeout);
    tcp::resolver resolver(ctx_.executor);
    auto [rec, results] = co_await resolver.async_resolve(hp_.host, std::to_string(hp_.port),
                                                          asio::as_tuple(asio::use_awaitable));
    if (rec)
      co_return Fail(Errc::kUnavailable,
                     fmt::format("{}: cannot resolve: {}", hp_.ToString(), rec.message()));
    auto [ec, ep] = co_await stream.async_connect(results, asio::as_tuple(asio::use_awaitable));
    if (ec == boost::beast::error::timeout)
      co_return Fail(Errc::kTimeout, fmt::format("{}: connect: no answer within {} ms",
                                                 hp_.ToString(), ctx_.request_timeout.count()));
    if (ec)
      co_return Fail(Errc::kUnavailable,
                     fmt::format("{}: connect: {}", hp_.ToString(), ec.message()));
    co_return Result<void>{};
  }

  DeviceSpec spec_;
  DriverContext ctx_;
  net::HostPort hp_;
  net::HttpClient http_;
  Health health_;
};

}  // namespace

Result<std::unique_ptr<Driver>> MakeProbeDriver(const DeviceSpec& spec, const DriverContext& ctx) {
  auto hp = net::ParseHostPort(spec.address, spec.kind == "http" ? 80 : 0);
  if (!hp) return Fail(Wrap(hp.error(), fmt::format("{}[{}]: address", spec.kind, spec.id)));
  if (hp->port == 0)
    return Fail(Errc::kInvalidArgument,
                fmt::format("{}[{}]: address '{}' needs a port for a tcp probe — write HOST:PORT",
                            spec.kind, spec.id, spec.address));
  return std::make_unique<ProbeDriver>(spec, ctx, std::move(*hp));
}

}  // namespace plugwatch::devices
