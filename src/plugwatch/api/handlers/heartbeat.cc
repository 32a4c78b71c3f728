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
//
// Two ways in, one set of rules: the router's handler (any request), and a
// fast route that net::HttpServer offers plain requests to before parsing
// them generically (ADR 0011). The fast route takes only heartbeats that
// will be accepted, and leaves everything else — errors, throttled
// addresses, unusual requests — to the handler, so that every answer but
// "ok" comes from one place. Accepted heartbeats of both ways are collected
// on the loop and stored as one write per loop turn (HeartbeatBatch); one
// post back to the loop answers them all.
#include <fmt/format.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
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
#include "plugwatch/net/simple_request.h"

namespace plugwatch::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Awaitable = asio::awaitable<net::HttpResponse>;

constexpr std::size_t kMaxBody = 4096;
constexpr std::string_view kJson = "application/json";

// What the checks read from a request, whichever way it came.
struct PingRequest {
  std::string_view method;
  std::string_view query;
  std::string_view body;
  std::optional<std::string_view> authorization;
  const std::string& remote;
};

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

Result<Ping> ParsePing(const PingRequest& req) {
  Ping p;
  if (auto l = net::FindQueryParam(req.query, "label")) p.label = std::move(*l);
  for (auto [name, field] : {std::pair{"timestamp", &p.timestamp}, {"up_since", &p.up_since}})
    if (auto t = net::FindQueryParam(req.query, name)) {
      auto v = UnixSeconds(name, *t);
      if (!v) return Fail(v.error());
      *field = *v;
    }
  if (req.method == "POST" && !req.body.empty()) {
    // A heartbeat's JSON is small: parsed in memory on the stack.
    unsigned char memory[2048];
    json::monotonic_resource mr(memory, sizeof memory);
    boost::system::error_code ec;
    json::value body = json::parse(req.body, ec, &mr);
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

// A request judged before anything is stored or counted: accepted (no
// refusal), or the answer that refuses it.
struct Verdict {
  Ping ping;
  std::optional<net::HttpResponse> refusal;
  bool auth_failure = false;  // unknown label or wrong token: counts against the address
};

Verdict Judge(const ApiContext& ctx, FailureThrottle& throttle, const PingRequest& req,
              TimePoint received_at) {
  Verdict v;
  if (auto wait = throttle.RetryAfter(req.remote, received_at)) {
    const long long secs = (wait->count() + 999) / 1000;
    v.refusal = net::JsonError(
        429, fmt::format("too many failed heartbeats from {}; try again in {} s — check the "
                         "label and token of the client",
                         req.remote, secs));
    v.refusal->headers.emplace_back("Retry-After", std::to_string(secs));
    return v;
  }
  if (req.body.size() > kMaxBody) {
    v.refusal = net::JsonError(413, fmt::format("the body is {} bytes; a heartbeat takes at most "
                                                "{} — send {{\"label\":\"POWER\"}}",
                                                req.body.size(), kMaxBody));
    return v;
  }
  auto ping = ParsePing(req);
  if (!ping) {
    v.refusal = ErrorResponse(ping.error());
    return v;
  }
  v.ping = std::move(*ping);
  const config::HeartbeatConfig* hb = nullptr;
  for (const auto& h : ctx.service.config().heartbeats)
    if (h.label == v.ping.label) hb = &h;
  if (!hb) {
    v.auth_failure = true;
    v.refusal = net::JsonError(
        404, fmt::format("unknown heartbeat label '{}' — add a [[heartbeats]] entry with "
                         "label = \"{}\" to the config, or fix the client's label",
                         v.ping.label, v.ping.label));
  } else if (!Authorized(req.authorization, hb->token)) {
    v.auth_failure = true;
    v.refusal = net::JsonError(
        401, fmt::format("missing or wrong token for heartbeat label '{}' — send "
                         "'Authorization: Bearer <token>' with the token of its [[heartbeats]] "
                         "entry",
                         v.ping.label));
  }
  return v;
}

// A JSON number with the fewest digits that read back as `v`
// (1765078923.123, not 1.765078923123E9).
void AppendNumber(std::string& out, double v) {
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, end);
}

// A JSON string. Labels come from the config: usually plain ASCII, which is
// copied as it is.
void AppendString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  out += '"';
}

// The answer once the heartbeat's write is over: the power status app's
// {"status":"ok",...} (200), or 503. Written by hand: it is every accepted
// heartbeat's answer, and a JSON document would cost more than the rest of
// the request's work in user space.
int Answer(const Result<void>& stored, const Ping& ping, TimePoint received_at, std::string& body) {
  if (!stored) {
    log::error("heartbeat {}: not stored: {}", ping.label, stored.error().context);
    body = net::JsonError(503,
                          "the heartbeat could not be stored — the database is unavailable; "
                          "the client should retry")
               .body;
    return 503;
  }
  body.assign(R"({"status":"ok","label":)");
  AppendString(body, ping.label);
  body += R"(,"timestamp":)";
  if (ping.timestamp)
    AppendNumber(body, *ping.timestamp);
  else
    body += "null";
  body += R"(,"received_at":)";
  AppendNumber(body, static_cast<double>(UnixMillis(received_at)) / 1000.0);
  body += '}';
  return 200;
}

// Accepted heartbeats, collected on the loop from both ways in and stored as
// one write when the loop has run what was ready (one post per batch); the
// commit is answered with one post back to the loop.
class HeartbeatBatch : public std::enable_shared_from_this<HeartbeatBatch> {
 public:
  struct Waiter {
    Ping ping;
    TimePoint received_at;
    net::FastReply fast;                            // the fast route's, or
    std::function<void(const Result<void>&)> done;  // the handler's
  };

  HeartbeatBatch(asio::any_io_executor ex, engine::Service& service)
      : ex_(std::move(ex)), service_(service) {}

  void Add(const std::string& remote, Waiter w) {
    store::HeartbeatRecord rec{w.ping.label, w.received_at, std::nullopt, remote};
    std::optional<TimePoint> up_since;
    if (w.ping.timestamp) {
      rec.client_ts = FromSeconds(*w.ping.timestamp);
      // The client's clock only measures how long it has been failing; the
      // offset to ours cancels out.
      if (w.ping.up_since)
        up_since = w.received_at - (*rec.client_ts - FromSeconds(*w.ping.up_since));
    }
    in_.push_back({std::move(rec), up_since});
    waiters_.push_back(std::move(w));
    if (!flush_posted_) {
      flush_posted_ = true;
      asio::post(ex_, [self = shared_from_this()] { self->Flush(); });
    }
  }

 private:
  void Flush() {
    flush_posted_ = false;
    auto waiters = std::make_shared<std::vector<Waiter>>(std::move(waiters_));
    const std::size_t n = waiters->size();
    service_.Heartbeats(std::move(in_),
                        [self = shared_from_this(), waiters](const Result<void>& r) {
                          self->Answered(*waiters, r);
                        });
    in_.clear();
    in_.reserve(n);
    waiters_.clear();
    waiters_.reserve(n);
  }

  void Answered(std::vector<Waiter>& waiters, const Result<void>& r) {
    for (Waiter& w : waiters) {
      if (w.fast) {
        const int status = Answer(r, w.ping, w.received_at, body_);
        w.fast.Send(status, kJson, body_);
      } else {
        w.done(r);
      }
    }
  }

  asio::any_io_executor ex_;
  engine::Service& service_;
  std::vector<engine::Service::HeartbeatIn> in_;
  std::vector<Waiter> waiters_;
  bool flush_posted_ = false;
  std::string body_;  // reused for every answer
};

// The state both ways in share.
struct Heartbeats {
  Heartbeats(ApiContext& c, asio::any_io_executor ex)
      : ctx(c), batch(std::make_shared<HeartbeatBatch>(std::move(ex), c.service)) {}
  ApiContext& ctx;
  FailureThrottle throttle;
  std::shared_ptr<HeartbeatBatch> batch;
};

// Waits for the batch's durable acknowledgement of an accepted heartbeat.
asio::awaitable<Result<void>> Record(HeartbeatBatch& batch, const std::string& remote,
                                     const Ping& ping, TimePoint received_at) {
  auto initiate = [&](auto handler) {
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    batch.Add(remote,
              {ping, received_at, {}, [shared](const Result<void>& r) { std::move (*shared)(r); }});
  };
  auto op = asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<void>)>(
      initiate, asio::use_awaitable);
  Result<void> r = co_await std::move(op);
  co_return r;
}

}  // namespace

net::HttpServer::FastRoute AddHeartbeatRoutes(Router& r, ApiContext& ctx,
                                              asio::any_io_executor ex) {
  auto hb = std::make_shared<Heartbeats>(ctx, ex);
  Handler handler = [hb](net::HttpRequest& req, const Params&) -> Awaitable {
    const TimePoint received_at = hb->ctx.clock.Now();
    const PingRequest in{req.method, req.Query(), req.body, req.Header("Authorization"),
                         req.remote};
    Verdict v = Judge(hb->ctx, hb->throttle, in, received_at);
    if (v.refusal) {
      if (v.auth_failure) hb->throttle.Failure(req.remote, received_at);
      if (v.refusal->status == 401)
        log::warn("heartbeat {}: wrong or missing token from {}", v.ping.label, req.remote);
      co_return std::move(*v.refusal);
    }
    hb->throttle.Success(req.remote);
    auto stored = co_await Record(*hb->batch, req.remote, v.ping, received_at);
    net::HttpResponse res;
    res.status = Answer(stored, v.ping, received_at, res.body);
    res.headers.emplace_back("Content-Type", kJson);
    co_return res;
  };
  for (const char* path : {"/heartbeat", "/api/heartbeat"}) {
    r.Add("GET", path, handler);
    r.Add("POST", path, handler);
  }
  // The same heartbeats, taken before the generic parser when they will be
  // accepted; anything else is left to the handler above.
  return [hb](const net::SimpleRequest& req, const std::string& remote, net::FastReply reply) {
    const std::string_view path = req.Path();
    if (path != "/api/heartbeat" && path != "/heartbeat") return false;
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") return false;
    const TimePoint received_at = hb->ctx.clock.Now();
    const PingRequest in{req.method, req.Query(), req.body, req.Header("Authorization"), remote};
    Verdict v = Judge(hb->ctx, hb->throttle, in, received_at);
    if (v.refusal) return false;
    hb->throttle.Success(remote);
    hb->batch->Add(remote, {std::move(v.ping), received_at, reply, {}});
    return true;
  };
}

}  // namespace plugwatch::api
