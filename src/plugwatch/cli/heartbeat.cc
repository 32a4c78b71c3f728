// `plugwatch heartbeat`: the heartbeat client, for a Raspberry Pi (or any
// box) on the mains. Flags → HeartbeatOptions; the sending, retries and
// logging live in heartbeat_client/. Runs until SIGTERM/SIGINT (exit 0), or
// with --once sends one heartbeat and exits 0 (delivered) or 1.
#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <exception>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/log.h"
#include "plugwatch/core/time.h"
#include "plugwatch/heartbeat_client/heartbeat_client.h"

namespace plugwatch::cli {

namespace {

namespace asio = boost::asio;
namespace hb = heartbeat_client;

// After Stop, Run ends at once unless a host name is still being resolved
// (not cancellable); this bounds the exit in that case.
constexpr auto kStopGrace = std::chrono::milliseconds(500);

constexpr const char* kFooter = R"(
Every --interval, POSTs {"label": LABEL, "timestamp": <unix seconds>} to the
service with "Authorization: Bearer TOKEN" (when a token is given). When this
machine loses power the heartbeats stop, and the service declares the outage
after the [[heartbeats]] period + grace of silence. Run it on a box that sits
on the mains you want to watch (not on a UPS).

URL: http://HOST:PORT of the plugwatch service; an empty path or "/" means
/api/heartbeat, any other path is used as given (e.g. behind a reverse proxy).
https:// is not supported yet: use http:// on your LAN or VPN.

Failures: each failed attempt is retried up to --retries times with
exponential backoff and jitter, but never past the interval (the next
heartbeat is due then). A refused token (401), an unknown label (404) or
another answer that retrying cannot fix waits for the next heartbeat; a 429
pauses as long as the server's Retry-After asks. One log line per failed
attempt says what went wrong and what to do; during a long outage of the
server this is thinned to one line per 5 minutes. Successes are logged once
at start and once when delivery recovers.

Keep the token out of `ps` and shell history: put it in the environment
(PLUGWATCH_HEARTBEAT_TOKEN, e.g. from a systemd EnvironmentFile) instead of
--token. Every option can come from the environment variable shown beside it.

Exit status: 0 after SIGTERM/SIGINT (or a delivered --once heartbeat);
1 when a --once heartbeat was not delivered; 2 for invalid options.

Example:
  PLUGWATCH_HEARTBEAT_TOKEN=s3cret plugwatch heartbeat \
      --url http://192.168.1.10:8080 --label POWER --interval 10s)";

struct Args {
  std::string url, label, token;
  std::string interval = "10s", timeout = "5s";
  int retries = 3;
  bool once = false;
};

Duration DurationFlag(const std::string& text, const char* flag) {
  auto d = ParseDuration(text);
  if (!d) throw Exit{kExitUsage, fmt::format("{}: {}", flag, d.error().context)};
  return *d;
}

hb::HeartbeatOptions ToOptions(const Args& a) {
  auto url = net::ParseHttpUrl(a.url);
  if (!url) throw Exit{kExitUsage, "--url: " + url.error().context};
  hb::HeartbeatOptions o;
  o.url = hb::HeartbeatUrl(*url);
  o.label = a.label;
  o.token = a.token;
  o.interval = DurationFlag(a.interval, "--interval");
  o.timeout = DurationFlag(a.timeout, "--timeout");
  o.retries = a.retries;
  o.once = a.once;
  o.user_agent = "plugwatch-heartbeat/" PLUGWATCH_VERSION;
  if (auto ok = hb::Validate(o); !ok) throw Exit{kExitUsage, ok.error().context};
  return o;
}

}  // namespace

void RegisterHeartbeat(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "heartbeat",
      "the heartbeat client: tell the service every interval that this machine has power");
  auto a = std::make_shared<Args>();
  cmd->add_option("--url", a->url,
                  "the service, http://HOST:PORT (path /api/heartbeat is implied) or a full URL")
      ->required()
      ->envname("PLUGWATCH_HEARTBEAT_URL");
  cmd->add_option("--label", a->label,
                  "the label of a [[heartbeats]] entry in the service's config, e.g. POWER")
      ->required()
      ->envname("PLUGWATCH_HEARTBEAT_LABEL");
  cmd->add_option("--token", a->token,
                  "that entry's token, sent as 'Authorization: Bearer …' (prefer the environment "
                  "variable: a flag shows in `ps`)")
      ->envname("PLUGWATCH_HEARTBEAT_TOKEN");
  cmd->add_option("--interval", a->interval,
                  "time between heartbeats, 100ms..24h; match the entry's period")
      ->capture_default_str()
      ->envname("PLUGWATCH_HEARTBEAT_INTERVAL");
  cmd->add_option("--timeout", a->timeout,
                  "deadline of one request (connect, send, answer); capped at --interval")
      ->capture_default_str()
      ->envname("PLUGWATCH_HEARTBEAT_TIMEOUT");
  cmd->add_option("--retries", a->retries,
                  "extra attempts per heartbeat after a failure, 0..10, within the interval")
      ->capture_default_str()
      ->envname("PLUGWATCH_HEARTBEAT_RETRIES");
  cmd->add_flag("--once", a->once,
                "send one heartbeat (with its retries) and exit: 0 delivered, 1 not — to check "
                "the setup");
  cmd->footer(kFooter);
  cmd->callback([&ctx, a] {
    const hb::HeartbeatOptions options = ToOptions(*a);
    asio::io_context io(1);
    SystemClock clock;
    hb::HeartbeatClient client(io.get_executor(), options, clock);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer grace(io);
    bool signalled = false;
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      signalled = true;
      log::info("heartbeat: {} received, stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
      client.Stop();
      grace.expires_after(kStopGrace);
      grace.async_wait([&](const boost::system::error_code& gec) {
        if (!gec) io.stop();
      });
    });
    std::optional<hb::HeartbeatStats> stats;
    std::exception_ptr failure;
    asio::co_spawn(io, client.Run(), [&](std::exception_ptr e, hb::HeartbeatStats s) {
      failure = e;
      stats = std::move(s);
      signals.cancel();
      grace.cancel();
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    ctx.exit_code = kExitOk;
    if (!options.once || signalled || !stats) return;
    if (stats->delivered > 0) {
      fmt::print("heartbeat delivered to {} (label '{}')\n", options.url.ToString(), options.label);
      return;
    }
    throw Exit{kExitFailure,
               "heartbeat not delivered: " +
                   (stats->last_failure ? stats->last_failure->message : std::string("stopped"))};
  });
}

}  // namespace plugwatch::cli
