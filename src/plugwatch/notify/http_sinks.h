// The HTTP sinks: a JSON webhook, ntfy and Discord. Each turns one Delivery
// into one request through the shared net::WebClient and the response into an
// Outcome with ClassifyHttp (2xx delivered; 408, 429 and 5xx retry, honouring
// Retry-After; other 4xx failed; no answer retry).
//
//   WebhookSink  POST <url>, Content-Type application/json, body
//                {"event_type","title","message","priority","tags",
//                 "idempotency_key","created_at","event"}; headers
//                Idempotency-Key, X-Plugwatch-Event and, with a secret,
//                X-Plugwatch-Signature: sha256=<hex HMAC-SHA256 of the body>.
//   NtfySink     POST <server>/<topic>, body = the text; X-Title, X-Priority,
//                X-Tags; Authorization: Bearer <token> or Basic user:password.
//   DiscordSink  POST <api>/api/webhooks/<id>/<token>?wait=true, JSON
//                {"content"} of at most 2000 characters (cut at a UTF-8
//                boundary with "…"); a 429's JSON retry_after is honoured.
//
// Sinks live on the engine's event loop; the WebClient is shared by all.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/net/http_message.h"
#include "plugwatch/net/web_client.h"
#include "plugwatch/notify/sink.h"

namespace plugwatch::notify {

// The Outcome of an HTTP exchange (`r` failed: retry with its message).
Outcome ClassifyHttp(const Result<net::HttpResponse>& r, std::string_view what);

// Hex HMAC-SHA256 of `body` under `secret`.
std::string HmacSha256Hex(std::string_view secret, std::string_view body);

// Cuts `text` to at most `max_chars` code points, ending with "…" when cut.
std::string CutUtf8(std::string_view text, std::size_t max_chars);

class HttpSinkBase : public Sink {
 public:
  HttpSinkBase(std::string name, std::shared_ptr<net::WebClient> web, Duration timeout)
      : name_(std::move(name)), web_(std::move(web)), timeout_(timeout) {}
  const std::string& name() const override { return name_; }

 protected:
  std::string name_;
  std::shared_ptr<net::WebClient> web_;
  Duration timeout_;
};

class WebhookSink final : public HttpSinkBase {
 public:
  WebhookSink(std::string name, std::shared_ptr<net::WebClient> web, Duration timeout,
              std::string url, std::string secret)
      : HttpSinkBase(std::move(name), std::move(web), timeout),
        url_(std::move(url)),
        secret_(std::move(secret)) {}
  boost::asio::awaitable<Outcome> Deliver(const Delivery& d) override;
  // The body sent for `d` (tests check the signature over exactly this).
  static std::string Body(const Delivery& d);

 private:
  std::string url_;
  std::string secret_;
};

class NtfySink final : public HttpSinkBase {
 public:
  NtfySink(std::string name, std::shared_ptr<net::WebClient> web, Duration timeout,
           std::string topic_url, std::string authorization)
      : HttpSinkBase(std::move(name), std::move(web), timeout),
        url_(std::move(topic_url)),
        authorization_(std::move(authorization)) {}
  boost::asio::awaitable<Outcome> Deliver(const Delivery& d) override;

 private:
  std::string url_;
  std::string authorization_;  // full header value, "" = none
};

class DiscordSink final : public HttpSinkBase {
 public:
  DiscordSink(std::string name, std::shared_ptr<net::WebClient> web, Duration timeout,
              std::string webhook_url)
      : HttpSinkBase(std::move(name), std::move(web), timeout), url_(std::move(webhook_url)) {}
  boost::asio::awaitable<Outcome> Deliver(const Delivery& d) override;
  static constexpr std::size_t kMaxContent = 2000;

 private:
  std::string url_;
};

// Prints each message as one line on standard output (for trying things out).
class ConsoleSink final : public Sink {
 public:
  explicit ConsoleSink(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  boost::asio::awaitable<Outcome> Deliver(const Delivery& d) override;

 private:
  std::string name_;
};

}  // namespace plugwatch::notify
