// GET|HEAD|POST /heartbeat and /api/heartbeat: a device on the mains says
// "I still have power". Compatible with the power status app's client
// (`GET /heartbeat?timestamp=<unix>&label=<LABEL>`, optional Bearer token,
// answer {"status":"ok","timestamp":…,"received_at":…}) and with plain
// pingers (curl, Healthchecks-style HEAD/GET).
//
// - label: query `label` or JSON body {"label":…}; `timestamp` (the client's
//   unix seconds) and `up_since` (when the client started failing to reach
//   us, in its own clock; HeartbeatWatchdog decision 7) likewise.
// - The label's token (constant-time compare); 404 for an unknown label,
//   401 for a wrong token; after repeated failures from one address, 429
//   with Retry-After (FailureThrottle).
// - The answer is sent only once the heartbeat is durable.
#include <fmt/format.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <memory>

#include "plugwatch/api/api_server.h"
#include "plugwatch/api/auth.h"
#include "plugwatch/api/failure_throttle.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/core/log.h"
#include "plugwatch/engine/service.h"
#include "plugwatch/net/http_server.h"

namespace plugwatch::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Awaitable = asio::awaitable<net::HttpResponse>;

constexpr std::size_t kMaxBody = 4096;

struct Ping {
  std::string label;
  std::optional<double> timestamp;  // client's unix seconds
  std::optional<double> up_since;   // client's unix seconds
};

constexpr double kMaxUnixSeconds = 253402300799.0;  // 9999-12-31T23:59:59Z

Result<std::optional<double>> UnixSeconds(std::string_view name, std::string_view text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v) || v < 0 ||
      v > kMaxUnixSeconds)
    return Fail(Errc::kParse, fmt::format("{} must be unix seconds, e.g. {}=1763805600 (got '{}')",
                                          name, name, text));
  return std::optional<double>(v);
}

Result<std::optional<double>> UnixSeconds(std::string_view name, const json::value* v) {
  if (!v || v->is_null()) return std::optional<double>();
  const double d = v->is_number() ? v->to_number<double>() : -1;
  if (d < 0 || d > kMaxUnixSeconds)
    return Fail(Errc::kParse, fmt::format("{} must be a number of unix seconds, e.g. "
                                          "\"{}\":1763805600",
                                          name, name));
  return std::optional<double>(d);
}

Result<Ping> ParsePing(const net::HttpRequest& req) {
  Ping p;
  if (auto l = req.QueryParam("label")) p.label = *l;
  for (auto [name, field] : {std::pair{"timestamp", &p.timestamp}, {"up_since", &p.up_since}})
    if (auto t = req.QueryParam(name)) {
      auto v = UnixSeconds(name, *t);
      if (!v) return Fail(v.error());
      *field = *v;
    }
  if (req.method == "POST" && !req.body.empty()) {
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec);
    if (ec || !body.is_object())
      return Fail(Errc::kParse,
                  "malformed JSON body — send {\"label\":\"POWER\",\"timestamp\":1763805600} "
                  "or use ?label=POWER");
    const auto& o = body.as_object();
    if (const auto* l = o.if_contains("label")) {
      if (!l->is_string()) return Fail(Errc::kParse, "label must be a string, e.g. \"POWER\"");
      p.label = l->as_string();
    }
    for (auto [name, field] : {std::pair{"timestamp", &p.timestamp}, {"up_since", &p.up_since}}) {
      auto v = UnixSeconds(name, o.if_contains(name));
      if (!v) return Fail(v.error());
      if (*v) *field = *v;
    }
  }
  if (p.label.empty())
    return Fail(Errc::kParse,
                "no label — send ?label=POWER or a JSON body {\"label\":\"POWER\"}, "
                "with a label configured in [[heartbeats]]");
  return p;
}

TimePoint FromSeconds(double s) { return FromUnixMillis(std::llround(s * 1000)); }

// Waits for Service::Heartbeat's durable acknowledgement.
asio::awaitable<Result<void>> Record(engine::Service& service, store::HeartbeatRecord h,
                                     std::optional<TimePoint> up_since) {
  auto initiate = [&](auto handler) {
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    service.Heartbeat(std::move(h), up_since,
                      [shared](const Result<void>& r) { std::move (*shared)(r); });
  };
  auto op = asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<void>)>(
      initiate, asio::use_awaitable);
  Result<void> r = co_await std::move(op);
  co_return r;
}

}  // namespace

void AddHeartbeatRoutes(Router& r, ApiContext& ctx) {
  auto throttle = std::make_shared<FailureThrottle>();
  Handler handler = [&ctx, throttle](net::HttpRequest& req, const Params&) -> Awaitable {
    const TimePoint received_at = ctx.clock.Now();
    if (auto wait = throttle->RetryAfter(req.remote, received_at)) {
      const long long secs = (wait->count() + 999) / 1000;
      net::HttpResponse res = net::JsonError(
          429, fmt::format("too many failed heartbeats from {}; try again in {} s — check the "
                           "label and token of the client",
                           req.remote, secs));
      res.headers.emplace_back("Retry-After", std::to_string(secs));
      co_return res;
    }
    if (req.body.size() > kMaxBody)
      co_return net::JsonError(413, fmt::format("the body is {} bytes; a heartbeat takes at most "
                                                "{} — send {{\"label\":\"POWER\"}}",
                                                req.body.size(), kMaxBody));
    auto ping = ParsePing(req);
    if (!ping) co_return ErrorResponse(ping.error());

    const config::HeartbeatConfig* hb = nullptr;
    for (const auto& h : ctx.service.config().heartbeats)
      if (h.label == ping->label) hb = &h;
    if (!hb) {
      throttle->Failure(req.remote, received_at);
      co_return net::JsonError(
          404, fmt::format("unknown heartbeat label '{}' — add a [[heartbeats]] entry with "
                           "label = \"{}\" to the config, or fix the client's label",
                           ping->label, ping->label));
    }
    if (!Authorized(req, hb->token)) {
      throttle->Failure(req.remote, received_at);
      log::warn("heartbeat {}: wrong or missing token from {}", ping->label, req.remote);
      co_return net::JsonError(
          401, fmt::format("missing or wrong token for heartbeat label '{}' — send "
                           "'Authorization: Bearer <token>' with the token of its [[heartbeats]] "
                           "entry",
                           ping->label));
    }
    throttle->Success(req.remote);

    store::HeartbeatRecord rec{ping->label, received_at, std::nullopt, req.remote};
    std::optional<TimePoint> up_since;
    if (ping->timestamp) {
      rec.client_ts = FromSeconds(*ping->timestamp);
      // The client's clock only measures how long it has been failing; the
      // offset to ours cancels out.
      if (ping->up_since) up_since = received_at - (*rec.client_ts - FromSeconds(*ping->up_since));
    }
    auto stored = co_await Record(ctx.service, std::move(rec), up_since);
    if (!stored) {
      log::error("heartbeat {}: not stored: {}", ping->label, stored.error().context);
      co_return net::JsonError(503,
                               "the heartbeat could not be stored — the database is "
                               "unavailable; the client should retry");
    }
    json::object body{{"status", "ok"}, {"label", ping->label}};
    if (ping->timestamp)
      body["timestamp"] = *ping->timestamp;
    else
      body["timestamp"] = nullptr;
    body["received_at"] = static_cast<double>(UnixMillis(received_at)) / 1000.0;
    co_return Json(body);
  };
  for (const char* path : {"/heartbeat", "/api/heartbeat"}) {
    r.Add("GET", path, handler);
    r.Add("POST", path, handler);
  }
}

}  // namespace plugwatch::api
