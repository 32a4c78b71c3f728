// WebClient: HTTP and HTTPS requests by URL for low-volume callers
// (notification sinks, the Telegram bot), as opposed to HttpClient, which is
// one plain-HTTP connection to one device.
//
// Keeps idle keep-alive connections per origin (scheme://host:port; at most
// two idle per origin) and reuses them; a request that fails on a reused
// connection before any response byte arrived is retried once on a new one.
// Concurrent Sends to one origin each get their own connection.
//
// TLS: OpenSSL's default verify paths (so SSL_CERT_FILE / SSL_CERT_DIR let a
// test trust its own CA), peer verification always on, SNI for host names,
// hostname (or IP) verification against the certificate, TLS 1.2 or newer.
// There is deliberately no "insecure" switch.
//
// Errors: any HTTP status is a success. kTimeout when the one deadline per
// Send (connect + TLS handshake + write + read) passes, kUnavailable for
// refused / reset / DNS / TLS failures (untrusted certificate, hostname
// mismatch: the message says which and what to do), kProtocol for malformed
// or oversized (> 1 MiB) responses, kInvalidArgument for a bad URL.
//
// Threading: use from coroutines on the executor given to the constructor; the
// WebClient must outlive its Sends. Beast and asio::ssl stay in the .cc file.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::net {

struct WebRequest {
  std::string method = "POST";
  std::string url;  // http://… or https://…
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class WebClient {
 public:
  explicit WebClient(boost::asio::any_io_executor ex);
  ~WebClient();
  WebClient(const WebClient&) = delete;
  WebClient& operator=(const WebClient&) = delete;

  // g++ 12 mishandles temporaries inside co_await expressions: pass a named
  // WebRequest. Host, Content-Length, Connection and a User-Agent are added.
  boost::asio::awaitable<Result<HttpResponse>> Send(const WebRequest& req, Duration timeout);

  long long connects() const;  // connections opened so far (tests)

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace plugwatch::net
