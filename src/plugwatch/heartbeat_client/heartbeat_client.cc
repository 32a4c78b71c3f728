#include "plugwatch/heartbeat_client/heartbeat_client.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "plugwatch/core/log.h"
#include "plugwatch/core/time.h"
#include "plugwatch/heartbeat_client/log_throttle.h"
#include "plugwatch/heartbeat_client/retry_schedule.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::heartbeat_client {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

namespace {

constexpr Duration kMinInterval{100};
constexpr Duration kMaxInterval{24 * 3600 * 1000};
constexpr Duration kMinTimeout{100};
constexpr int kMaxRetries = 10;
constexpr int kVerboseHeartbeats = 3;

Duration Ms(Steady::duration d) { return std::chrono::duration_cast<Duration>(d); }

// "1 attempt", "3 attempts"; `many` for irregular plurals.
std::string Plural(long long n, std::string_view one, std::string_view many = {}) {
  if (n == 1) return fmt::format("1 {}", one);
  return many.empty() ? fmt::format("{} {}s", n, one) : fmt::format("{} {}", n, many);
}

}  // namespace

Result<void> Validate(const HeartbeatOptions& o) {
  if (o.url.scheme == "https")
    return Fail(Errc::kNotSupported,
                fmt::format("--url {}: https is not supported yet (the heartbeat client speaks "
                            "plain HTTP) — use http:// to reach the service on your LAN or VPN, "
                            "or run a local TLS tunnel (e.g. stunnel) and point --url at it",
                            o.url.ToString()));
  if (o.url.scheme != "http")
    return Fail(Errc::kInvalidArgument,
                fmt::format("--url {}: only http:// URLs are supported", o.url.ToString()));
  if (o.label.empty())
    return Fail(Errc::kInvalidArgument,
                "--label must not be empty — use the label of a [[heartbeats]] entry, e.g. POWER");
  for (char c : o.label)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return Fail(Errc::kInvalidArgument,
                  "--label must not contain control characters — use e.g. POWER or GENERATOR");
  for (char c : o.token)
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f)
      return Fail(Errc::kInvalidArgument,
                  "the token must not contain spaces or control characters — check --token or "
                  "PLUGWATCH_HEARTBEAT_TOKEN (a stray newline from a file?)");
  if (o.interval < kMinInterval || o.interval > kMaxInterval)
    return Fail(Errc::kInvalidArgument,
                fmt::format("--interval must be between 100ms and 24h (got {}) — the service "
                            "expects one heartbeat per [[heartbeats]] period, 10s by default",
                            FormatDuration(o.interval)));
  if (o.timeout < kMinTimeout)
    return Fail(Errc::kInvalidArgument, fmt::format("--timeout must be at least 100ms (got {})",
                                                    FormatDuration(o.timeout)));
  if (o.retries < 0 || o.retries > kMaxRetries)
    return Fail(Errc::kInvalidArgument,
                fmt::format("--retries must be 0..{} (got {})", kMaxRetries, o.retries));
  return {};
}

net::HttpUrl HeartbeatUrl(net::HttpUrl url) {
  if (url.explicit_path) return url;
  const auto q = url.target.find('?');
  url.target = "/api/heartbeat" + (q == std::string::npos ? std::string() : url.target.substr(q));
  url.explicit_path = true;
  return url;
}

std::string HeartbeatBody(std::string_view label, TimePoint now,
                          std::optional<TimePoint> up_since) {
  auto seconds = [](TimePoint t) {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  boost::json::object o;
  o["label"] = label;
  o["timestamp"] = seconds(now);
  if (up_since) o["up_since"] = seconds(*up_since);
  return boost::json::serialize(o);
}

struct ClientState {
  ClientState(asio::any_io_executor ex, HeartbeatOptions o, const Clock& c)
      : options(std::move(o)),
        clock(c),
        timeout(std::min(options.timeout, options.interval)),
        http(ex, options.url.host, options.url.port),
        timer(ex),
        schedule({options.interval, options.retries},
                 options.seed != 0 ? options.seed : std::random_device{}()) {}

  HeartbeatOptions options;
  const Clock& clock;
  Duration timeout;
  net::HttpClient http;
  asio::steady_timer timer;
  RetrySchedule schedule;
  FailureLogThrottle throttle{kVerboseHeartbeats};
  HeartbeatStats stats;
  bool stopped = false;
  // The current failure streak; failing_since is the timestamp of its first
  // failed attempt (sent as up_since once a heartbeat gets through).
  long long failures_since_delivery = 0;
  int lost_in_a_row = 0;
  std::optional<TimePoint> failing_since;
};

namespace {

using StatePtr = std::shared_ptr<ClientState>;

}  // namespace

HeartbeatClient::HeartbeatClient(asio::any_io_executor ex, HeartbeatOptions options,
                                 const Clock& clock)
    : state_(std::make_shared<ClientState>(std::move(ex), std::move(options), clock)) {}

HeartbeatClient::~HeartbeatClient() { Stop(); }

const HeartbeatStats& HeartbeatClient::stats() const { return state_->stats; }

void HeartbeatClient::Stop() {
  ClientState& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  s.timer.cancel();
  s.http.Close();
}

namespace {

// Waits until `until` (steady); false when stopped meanwhile.
asio::awaitable<bool> WaitUntil(StatePtr s, Steady::time_point until) {
  if (s->stopped) co_return false;
  s->timer.expires_at(until);
  auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !s->stopped;
}

struct Attempt {
  AttemptReport report;
  TimePoint sent_at;  // the body's timestamp
  Duration latency{0};
};

asio::awaitable<Attempt> SendOnce(StatePtr s) {
  const HeartbeatOptions& o = s->options;
  net::HttpRequest req;
  req.method = "POST";
  req.target = o.url.target;
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("User-Agent", o.user_agent);
  if (!o.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + o.token);
  const TimePoint sent_at = s->clock.Now();
  req.body = HeartbeatBody(o.label, sent_at, s->failing_since);
  const auto start = Steady::now();
  const Duration timeout = s->timeout;
  auto answer = co_await s->http.Send(req, timeout);
  Attempt a;
  a.sent_at = sent_at;
  a.latency = Ms(Steady::now() - start);
  const ReportContext ctx{o.url, o.label, !o.token.empty(), s->timeout};
  a.report = Judge(answer, ctx);
  co_return a;
}

// The start of the next heartbeat after the one that started at `tick`: the
// next grid point, or now when that is already past (missed points are
// skipped, not queued), but not before a 429 pause ends.
Steady::time_point NextTick(Steady::time_point tick, Duration interval,
                            std::optional<Steady::time_point> pause_until) {
  const auto now = Steady::now();
  auto next = tick + interval;
  if (next < now) next = now;
  if (pause_until && *pause_until > next) next = *pause_until;
  return next;
}

void LogDelivered(ClientState& s, const Attempt& a) {
  const HeartbeatOptions& o = s.options;
  if (s.failures_since_delivery > 0) {
    log::info("heartbeat: delivered again after {} ({} lost, failing since {}; HTTP {}, {} ms)",
              Plural(s.failures_since_delivery, "failure"), Plural(s.lost_in_a_row, "heartbeat"),
              s.failing_since ? FormatTimestamp(*s.failing_since) : std::string("?"),
              a.report.status, a.latency.count());
  } else if (s.stats.delivered == 1 && !o.once) {
    log::info(
        "heartbeat: first heartbeat delivered to {} (label '{}', HTTP {}, {} ms); next "
        "every {}",
        o.url.ToString(), o.label, a.report.status, a.latency.count(), FormatDuration(o.interval));
  }
  s.failures_since_delivery = 0;
  s.lost_in_a_row = 0;
  s.failing_since.reset();
  s.throttle.Reset();
}

void LogFailure(ClientState& s, const AttemptReport& r, int attempt,
                std::optional<Duration> retry_in, std::optional<Duration> next_in) {
  // --once reports its final failure itself (one line on stderr).
  if (s.options.once && !retry_in) return;
  const TimePoint now = s.clock.Now();
  if (!s.throttle.ShouldLog(now, s.lost_in_a_row, r.kind)) return;
  const int total = s.options.retries + 1;
  std::string streak;
  if (s.lost_in_a_row >= kVerboseHeartbeats)
    streak = fmt::format(
        " (still failing: {} lost in a row since {}; this is logged at most once per {} until "
        "it recovers)",
        Plural(s.lost_in_a_row, "heartbeat"),
        s.failing_since ? FormatTimestamp(*s.failing_since) : std::string("?"),
        FormatDuration(s.throttle.quiet_period()));
  std::string head;
  if (retry_in)
    head = fmt::format("attempt {} of {} failed{}, retrying in {}", attempt, total, streak,
                       FormatDuration(*retry_in));
  else if (next_in)
    head = fmt::format("not delivered ({}){}, next heartbeat in {}", Plural(attempt, "attempt"),
                       streak, FormatDuration(*next_in));
  else
    head = fmt::format("not delivered ({}){}", Plural(attempt, "attempt"), streak);
  log::warn("heartbeat: {}: {}", head, r.message);
}

asio::awaitable<HeartbeatStats> Loop(StatePtr s) {
  const HeartbeatOptions& o = s->options;
  if (!o.once)
    log::info("heartbeat: sending label '{}' to {} every {} (timeout {}, up to {}{})", o.label,
              o.url.ToString(), FormatDuration(o.interval), FormatDuration(s->timeout),
              Plural(o.retries, "retry", "retries"),
              o.token.empty() ? ", no token" : ", with a token");
  auto tick = Steady::now();
  std::optional<Steady::time_point> pause_until;
  while (!s->stopped) {
    ++s->stats.heartbeats;
    bool delivered = false;
    for (int attempt = 1;; ++attempt) {
      Attempt a = co_await SendOnce(s);
      if (s->stopped) break;
      ++s->stats.attempts;
      if (a.report.verdict == Verdict::kDelivered) {
        ++s->stats.delivered;
        delivered = true;
        LogDelivered(*s, a);
        break;
      }
      ++s->stats.failed_attempts;
      ++s->failures_since_delivery;
      if (!s->failing_since) s->failing_since = a.sent_at;
      std::optional<Duration> retry_in;
      if (a.report.verdict == Verdict::kRetry)
        retry_in = s->schedule.Next(attempt, Ms(Steady::now() - tick));
      if (a.report.verdict == Verdict::kPause) pause_until = Steady::now() + a.report.pause;
      std::optional<Duration> next_in;
      if (!retry_in && !o.once)
        next_in = Ms(NextTick(tick, o.interval, pause_until) - Steady::now());
      LogFailure(*s, a.report, attempt, retry_in, next_in);
      s->stats.last_failure = std::move(a.report);
      if (!retry_in) break;
      const auto until = Steady::now() + *retry_in;
      if (!co_await WaitUntil(s, until)) break;
    }
    if (s->stopped) break;
    if (!delivered) {
      ++s->stats.lost;
      ++s->lost_in_a_row;
    }
    if (o.once) break;
    tick = NextTick(tick, o.interval, pause_until);
    if (!co_await WaitUntil(s, tick)) break;
  }
  co_return s->stats;
}

}  // namespace

asio::awaitable<HeartbeatStats> HeartbeatClient::Run() { return Loop(state_); }

}  // namespace plugwatch::heartbeat_client
