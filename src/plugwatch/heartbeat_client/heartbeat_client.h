// HeartbeatClient: the sending side of heartbeat outage detection. It runs
// on a box that sits on the mains (a Raspberry Pi) and, every interval, POSTs
// {"label": LABEL, "timestamp": <unix seconds>} to the plugwatch service's
// /api/heartbeat with `Authorization: Bearer TOKEN`; when the box loses power
// the heartbeats stop and the service's watchdog declares the outage.
//
// Schedule: heartbeats start on a fixed grid (start + k·interval, measured on
// the steady clock) so slow answers do not make the period drift; a grid
// point missed because an attempt overran is skipped, not queued. A failed
// attempt is retried with jittered exponential backoff within its interval
// (RetrySchedule); answers that retrying cannot fix wait for the next
// heartbeat (AttemptReport). Each request has its own deadline (the timeout,
// capped at the interval) and reuses one keep-alive connection.
//
// After failures, the heartbeat that gets through also carries "up_since":
// when this client started failing (the first failed attempt's timestamp,
// same clock as "timestamp"). This machine had power all along since then, so
// the service can end an outage there rather than at the moment it finally
// heard from us (a Pi that booted after a power cut while the network or the
// service was still down; see docs/outages.md).
//
// Logging (plugwatch::log): one info line at start, on the first delivery
// and on the first delivery after failures ("delivered again after N
// failures"); one warn line per failed attempt, thinned by
// FailureLogThrottle during long outages. Never logs the token.
//
// Threading: create, Run and Stop on one executor's thread. Stop() may be
// called at any point (mid-wait, mid-request); Run then returns promptly. The
// Clock only stamps heartbeats and log lines; waiting uses the steady clock.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/heartbeat_client/failure_report.h"
#include "plugwatch/net/http_url.h"

namespace plugwatch::heartbeat_client {

struct HeartbeatOptions {
  net::HttpUrl url;   // where to POST (see HeartbeatUrl)
  std::string label;  // e.g. "POWER"
  std::string token;  // empty: no Authorization header
  Duration interval{10'000};
  Duration timeout{5'000};  // per request; capped at the interval
  int retries = 3;          // extra attempts per heartbeat
  // One heartbeat (with its retries), then Run returns; its final failure is
  // not logged (the caller reports stats().last_failure).
  bool once = false;
  std::string user_agent = "plugwatch-heartbeat";
  std::uint64_t seed = 0;  // jitter seed; 0 = from std::random_device
};

// Checks the options a user gave; kInvalidArgument or, for https://,
// kNotSupported, each saying what to do.
Result<void> Validate(const HeartbeatOptions& o);

// The URL to POST to: the given one, with /api/heartbeat as the path when
// its path is empty or "/" (a query is kept).
net::HttpUrl HeartbeatUrl(net::HttpUrl url);

// {"label":"POWER","timestamp":1763805600} (unix seconds, rounded down),
// with "up_since":<unix seconds> when given.
std::string HeartbeatBody(std::string_view label, TimePoint now,
                          std::optional<TimePoint> up_since = std::nullopt);

struct ClientState;  // defined in the .cc

struct HeartbeatStats {
  long long heartbeats = 0;  // heartbeats begun
  long long delivered = 0;   // heartbeats the server acknowledged
  long long lost = 0;        // heartbeats not delivered after every attempt
  long long attempts = 0;    // requests sent (or tried)
  long long failed_attempts = 0;
  std::optional<AttemptReport> last_failure;  // of the most recent failed attempt
};

class HeartbeatClient {
 public:
  HeartbeatClient(boost::asio::any_io_executor ex, HeartbeatOptions options, const Clock& clock);
  ~HeartbeatClient();
  HeartbeatClient(const HeartbeatClient&) = delete;
  HeartbeatClient& operator=(const HeartbeatClient&) = delete;

  // Sends heartbeats until Stop() (or, with options.once, after the first
  // heartbeat). Call once.
  boost::asio::awaitable<HeartbeatStats> Run();

  // Ends Run: cancels the wait and closes the connection.
  void Stop();

  const HeartbeatStats& stats() const;

 private:
  std::shared_ptr<ClientState> state_;
};

}  // namespace plugwatch::heartbeat_client
