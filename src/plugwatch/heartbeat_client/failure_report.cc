#include "plugwatch/heartbeat_client/failure_report.h"

#include <fmt/format.h>
#include <strings.h>

#include <boost/json/parse.hpp>
#include <charconv>

#include "plugwatch/core/time.h"

namespace plugwatch::heartbeat_client {
namespace {

namespace json = boost::json;

// The server's {"error": "..."} text, or the first 120 bytes of a non-JSON
// body (so that a proxy's HTML error page does not flood the log).
std::string ServerSays(const net::HttpResponse& r) {
  boost::system::error_code ec;
  const json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object())
    if (const auto* e = v.as_object().if_contains("error"); e != nullptr && e->is_string())
      return std::string(e->as_string());
  std::string text;
  for (char c : r.body.substr(0, 120)) text.push_back(c == '\n' || c == '\r' ? ' ' : c);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (strncasecmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
  return false;
}

// Retry-After in seconds (the HTTP-date form is not used by plugwatch);
// at least 1 s, default 60 s.
Duration RetryAfter(const net::HttpResponse& r) {
  long long s = 60;
  if (auto h = r.Header("Retry-After")) {
    long long v = 0;
    const auto [end, ec] = std::from_chars(h->data(), h->data() + h->size(), v);
    if (ec == std::errc() && end == h->data() + h->size()) s = v;
  }
  return Duration(std::max(1LL, s) * 1000);
}

std::string WithServerText(std::string_view what, const std::string& says) {
  return says.empty() ? std::string(what) : fmt::format("{}: {}", what, says);
}

AttemptReport Transport(const Error& e, const ReportContext& c) {
  const std::string origin = c.url.Origin();
  AttemptReport r;
  r.verdict = Verdict::kRetry;
  if (e.Is(Errc::kTimeout)) {
    r.kind = "timeout";
    r.message = fmt::format(
        "{} did not answer within {} — is the server reachable from this machine (network, "
        "firewall, VPN) and not overloaded?",
        origin, FormatDuration(c.timeout));
  } else if (e.Is(Errc::kUnavailable) && ContainsNoCase(e.context, "connection refused")) {
    r.kind = "refused";
    r.message = fmt::format(
        "connection refused by {} — is the plugwatch service running and listening at that "
        "address and port? (on the server: systemctl status plugwatch; check [server] listen)",
        origin);
  } else if (e.Is(Errc::kUnavailable) && ContainsNoCase(e.context, "resolve")) {
    r.kind = "dns";
    r.message = fmt::format("{} — check the host name in --url ({})", e.context, origin);
  } else if (e.Is(Errc::kProtocol)) {
    r.kind = "protocol";
    r.message = fmt::format("{} — is {} really the plugwatch service?", e.context, origin);
  } else {
    r.kind = "network";
    r.message =
        fmt::format("{} — check the network between this machine and {}", e.context, origin);
  }
  return r;
}

}  // namespace

AttemptReport Judge(const Result<net::HttpResponse>& answer, const ReportContext& c) {
  if (!answer) return Transport(answer.error(), c);
  const net::HttpResponse& res = *answer;
  AttemptReport r;
  r.status = res.status;
  r.kind = fmt::format("http{}", res.status);
  if (res.status >= 200 && res.status < 300) {
    r.verdict = Verdict::kDelivered;
    r.kind.clear();
    return r;
  }
  const std::string says = ServerSays(res);
  const std::string label(c.label);
  r.verdict = Verdict::kGiveUp;
  switch (res.status) {
    case 401:
    case 403:
      r.message =
          c.has_token
              ? fmt::format(
                    "the server rejected the token for label '{}' (HTTP {}) — check that --token "
                    "(or PLUGWATCH_HEARTBEAT_TOKEN) matches the token of the [[heartbeats]] entry "
                    "with label = \"{}\" in the server's config",
                    label, res.status, label)
              : fmt::format(
                    "the server wants a token for label '{}' (HTTP {}) and none was given — pass "
                    "--token or set PLUGWATCH_HEARTBEAT_TOKEN to the token of the [[heartbeats]] "
                    "entry with label = \"{}\"",
                    label, res.status, label);
      return r;
    case 404:
      if (ContainsNoCase(says, "label"))
        r.message = fmt::format(
            "the server does not know label '{}' (HTTP 404) — add a [[heartbeats]] entry with "
            "label = \"{}\" to the server's config and restart the service, or fix --label",
            label, label);
      else
        r.message = fmt::format(
            "{} (HTTP 404) — check the path in --url: the plugwatch service takes heartbeats "
            "at /api/heartbeat (give just http://HOST:PORT to use it)",
            WithServerText(fmt::format("nothing answers at {}", c.url.ToString()), says));
      return r;
    case 400:
      r.message =
          fmt::format("{} — check --label; the heartbeat body was {{\"label\":…,\"timestamp\":…}}",
                      WithServerText("the server refused the heartbeat (HTTP 400)", says));
      return r;
    case 429:
      r.verdict = Verdict::kPause;
      r.pause = RetryAfter(res);
      r.message = fmt::format(
          "the server is refusing this address after too many failed authentications (HTTP "
          "429) — fix the token (see the earlier 401 lines); pausing {} as the server asks",
          FormatDuration(r.pause));
      return r;
    case 408:
      r.verdict = Verdict::kRetry;
      r.message = "the server timed out reading the heartbeat (HTTP 408) — check the network";
      return r;
    default:
      break;
  }
  if (res.status >= 500) {
    r.verdict = Verdict::kRetry;
    r.message = fmt::format(
        "{} — the service (or a proxy in front of it) failed; see its log on the server "
        "(journalctl -u plugwatch)",
        WithServerText(fmt::format("the server failed (HTTP {})", res.status), says));
  } else if (res.status >= 300 && res.status < 400) {
    const auto where = res.Header("Location");
    r.message = fmt::format(
        "the server answered HTTP {} (a redirect{}) — redirects are not followed; put the final "
        "address in --url",
        res.status, where ? fmt::format(" to {}", *where) : std::string());
  } else {
    r.message = fmt::format("{} — check --url and --label",
                            WithServerText(fmt::format("unexpected HTTP {}", res.status), says));
  }
  return r;
}

}  // namespace plugwatch::heartbeat_client
