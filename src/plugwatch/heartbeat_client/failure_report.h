// AttemptReport: what the answer to one heartbeat POST means, and for a
// failure, one log line that says what went wrong and what to do. Pure; the
// wording is for the person installing the client on a Raspberry Pi, who
// sees it in `journalctl -u plugwatch-heartbeat`.
//
// Verdicts: 2xx delivered. Network errors, timeouts, 408 and 5xx are
// transient (retry within the interval). 429 pauses for its Retry-After.
// Every other answer (400, 401, 403, 404, 3xx, …) will not change by
// retrying the same request a second later, so the heartbeat gives up and
// the next one tries again — a fixed config on the server then heals the
// client without a restart.
#pragma once

#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"
#include "plugwatch/net/http_url.h"

namespace plugwatch::heartbeat_client {

enum class Verdict {
  kDelivered,
  kRetry,   // transient: retry within this interval
  kGiveUp,  // retrying now cannot help; the next heartbeat tries again
  kPause,   // 429: wait `pause` before the next attempt of any heartbeat
};

struct AttemptReport {
  Verdict verdict = Verdict::kDelivered;
  int status = 0;       // HTTP status, 0 when no answer arrived
  std::string kind;     // stable key of the failure ("refused", "timeout", "http401", …)
  std::string message;  // failures: "<what went wrong> — <what to do>"
  Duration pause{0};    // kPause: how long (Retry-After, at least 1 s)
};

struct ReportContext {
  const net::HttpUrl& url;  // where the heartbeat went
  std::string_view label;
  bool has_token = false;
  Duration timeout{5000};
};

AttemptReport Judge(const Result<net::HttpResponse>& answer, const ReportContext& ctx);

}  // namespace plugwatch::heartbeat_client
