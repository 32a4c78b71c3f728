#include "plugwatch/sim/control_api.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>

#include "plugwatch/net/http_server.h"

namespace plugwatch::sim {
namespace json = boost::json;
namespace {

net::HttpResponse JsonOk(const json::value& v) {
  net::HttpResponse r;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = json::serialize(v);
  return r;
}

// Midnight of the device's local day, as UTC.
TimePoint LocalDayStart(TimePoint now, int utc_offset_min) {
  const auto offset = std::chrono::minutes(utc_offset_min);
  const auto local_day = std::chrono::floor<std::chrono::days>(now + offset);
  return std::chrono::time_point_cast<Duration>(local_day - offset);
}

}  // namespace

ControlApi::ControlApi(boost::asio::any_io_executor ex, TapoFleet& fleet)
    : ex_(std::move(ex)), tapo_(&fleet) {}

ControlApi::ControlApi(boost::asio::any_io_executor ex, HttpFleet& fleet)
    : ex_(std::move(ex)), http_(&fleet) {}

std::size_t ControlApi::size() const { return tapo_ ? tapo_->size() : http_->size(); }

Result<void> ControlApi::SetUp(std::size_t i, bool up) {
  return tapo_ ? tapo_->SetUp(i, up) : http_->SetUp(i, up);
}

void ControlApi::SetFault(std::size_t i, FleetFault fault) {
  if (tapo_)
    tapo_->SetFault(i, fault);
  else
    http_->SetFault(i, fault);
}

ControlApi::~ControlApi() { Stop(); }

Result<std::uint16_t> ControlApi::Listen(std::string_view host, std::uint16_t port) {
  server_ = std::make_unique<net::HttpServer>(
      ex_, [this](net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
        co_return Handle(req);
      });
  return server_->Listen(host, port);
}

void ControlApi::Stop() {
  if (server_) server_->Stop();
}

json::object ControlApi::DeviceJson(std::size_t i) const {
  if (http_ != nullptr) {
    json::object o;
    o["index"] = i;
    o["port"] = http_->port(i);
    o["up"] = http_->is_up(i);
    o["fault"] = FleetFaultName(http_->fault(i));
    o["requests"] = http_->requests(i);
    return o;
  }
  const TapoFleet& fleet = *tapo_;
  const TapoDevice& d = fleet.device(i);
  const TimePoint now = fleet.clock().Now();
  const double energy = d.EnergyWh(now);
  const TimePoint day = std::max(LocalDayStart(now, d.options().utc_offset_min), TimePoint{});
  const TapoDeviceStats& s = d.stats();
  json::object o;
  o["index"] = i;
  o["port"] = fleet.port(i);
  o["up"] = fleet.is_up(i);
  o["fault"] = FleetFaultName(fleet.fault(i));
  o["nickname"] = d.options().nickname;
  o["mac"] = d.mac();
  o["relay_on"] = d.relay_on();
  o["power_w"] = d.PowerW(now);
  o["today_energy_wh"] = energy - d.EnergyWh(day);
  o["energy_wh"] = energy;
  o["stats"] = json::object{{"http_requests", s.http_requests},
                            {"handshakes", s.handshakes},
                            {"sessions_established", s.sessions_established},
                            {"auth_failures", s.auth_failures},
                            {"requests", s.requests},
                            {"forbidden", s.forbidden},
                            {"session_errors", s.session_errors},
                            {"faults_injected", s.faults_injected}};
  return o;
}

net::HttpResponse ControlApi::Handle(const net::HttpRequest& request) {
  const std::size_t n = size();
  std::string_view path = request.Path();
  if (path == "/devices" || path == "/devices/") {
    if (request.method != "GET") return net::JsonError(405, "use GET /devices");
    json::array all;
    all.reserve(n);
    for (std::size_t i = 0; i < n; ++i) all.push_back(DeviceJson(i));
    return JsonOk(all);
  }
  if (!path.starts_with("/devices/")) return net::JsonError(404, "unknown path — try GET /devices");
  path.remove_prefix(9);
  const auto slash = path.find('/');
  const std::string_view index_text = path.substr(0, slash);
  const std::string_view action =
      slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  std::size_t i = 0;
  const auto [end, ec] =
      std::from_chars(index_text.data(), index_text.data() + index_text.size(), i);
  if (ec != std::errc() || end != index_text.data() + index_text.size() || i >= n)
    return net::JsonError(404,
                          fmt::format("no device '{}' — indexes are 0..{}", index_text, n - 1));
  if (action.empty()) {
    if (request.method != "GET") return net::JsonError(405, "use GET /devices/<i>");
    return JsonOk(DeviceJson(i));
  }
  if (request.method != "POST") return net::JsonError(405, "use POST");

  if (action == "down" || action == "up") {
    if (auto ok = SetUp(i, action == "up"); !ok) return net::JsonError(503, ok.error().context);
    return JsonOk(DeviceJson(i));
  }
  if (action != "relay" && action != "fault")
    return net::JsonError(404, tapo_ ? "unknown action — use relay, down, up or fault"
                                     : "unknown action — use down, up or fault");
  if (action == "relay" && tapo_ == nullptr)
    return net::JsonError(404, "an emulated network device has no relay — use down, up or fault");

  boost::system::error_code jec;
  const json::value body = json::parse(request.body, jec);
  const json::object* o = jec ? nullptr : body.if_object();
  if (action == "relay") {
    const json::value* on = o != nullptr ? o->if_contains("on") : nullptr;
    if (on == nullptr || !on->is_bool())
      return net::JsonError(400, "body must be {\"on\": true} or {\"on\": false}");
    tapo_->device(i).SetRelay(on->get_bool(), tapo_->clock().Now());
    return JsonOk(DeviceJson(i));
  }
  const json::value* mode = o != nullptr ? o->if_contains("mode") : nullptr;
  const auto fault = mode != nullptr && mode->is_string()
                         ? ParseFleetFault(std::string_view(mode->get_string()))
                         : std::nullopt;
  if (!fault)
    return net::JsonError(400,
                          "body must be {\"mode\": \"none\"|\"hang\"|\"garbage\"|\"http500\"}");
  SetFault(i, *fault);
  return JsonOk(DeviceJson(i));
}

}  // namespace plugwatch::sim
