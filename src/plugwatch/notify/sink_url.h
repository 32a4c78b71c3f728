// SinkRegistry: makes a Sink from a [[sinks]] entry's Apprise-style URL.
//
//   https://host/path, http://host/path   JSON webhook (the URL as is)
//   json://host[:port]/path, jsons://…    JSON webhook over http / https
//     ?secret=S (any webhook form)        sign bodies with HMAC-SHA256 (the
//                                         parameter is not sent)
//   ntfy://[user:pass@|token@]host[:port]/topic, ntfys://…
//                                         ntfy server over http / https;
//   ntfy://topic                          ntfy.sh (https) public topic;
//     ?token=tk_…                         Bearer token (also as token@host)
//   discord://WEBHOOK_ID/WEBHOOK_TOKEN    Discord webhook
//     ?api_url=http://127.0.0.1:9000      another API base (tests, proxies)
//   console://                            standard output
//   tgram://TOKEN/CHAT                    the Telegram sink, registered by
//                                         the Telegram module with Register
//                                         ("tgram"); without it: a clear error.
//
// Errors are kInvalidArgument and say what to write instead. Used on the
// engine's event loop at start-up, and by `plugwatch notify test`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/web_client.h"
#include "plugwatch/notify/sink.h"

namespace plugwatch::notify {

// A parsed sink URL: scheme, user info, host, port (0 = none), path segments
// (percent-decoded) and query parameters.
struct SinkUrl {
  std::string scheme;
  std::string user;
  std::string password;
  bool has_password = false;
  std::string host;
  std::uint16_t port = 0;
  std::vector<std::string> path;
  std::map<std::string, std::string> query;
};
Result<SinkUrl> ParseSinkUrl(std::string_view url);

struct SinkContext {
  std::shared_ptr<net::WebClient> web;
  Duration timeout{10'000};
};

using SinkFactory = std::function<Result<std::shared_ptr<Sink>>(
    const std::string& name, std::string_view url, const SinkUrl& parsed, const SinkContext& ctx)>;

class SinkRegistry {
 public:
  // With webhook, ntfy, discord and console registered.
  SinkRegistry();
  // Adds or replaces the factory of `scheme` (N2: "tgram"). parse = false:
  // the factory gets the raw URL and a SinkUrl with only the scheme (for
  // URLs that are not URLs, like tgram://123456:ABC-token/chat).
  void Register(std::string scheme, SinkFactory f, bool parse = true);
  Result<std::shared_ptr<Sink>> Make(const std::string& name, std::string_view url,
                                     const SinkContext& ctx) const;

 private:
  struct Entry {
    SinkFactory make;
    bool parse = true;
  };
  std::map<std::string, Entry, std::less<>> factories_;
};

// "json://host/…?secret=…" → the URL with secrets masked, for messages and logs.
std::string MaskSinkUrl(std::string_view url);

}  // namespace plugwatch::notify
