// HttpClient: one keep-alive HTTP/1.1 connection to one origin (host:port),
// reconnecting when the peer closes it. Used by device drivers (one client per
// device), so it is small and allocation-light.
//
// Not thread-safe: use it from one coroutine at a time on its executor. Every
// Send has a deadline covering connect, write and read. Beast stays inside the
// .cc file.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::net {

struct ClientLimits {
  std::size_t max_body = 256 * 1024;  // larger responses fail with kProtocol
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor ex, std::string host, std::uint16_t port,
             ClientLimits limits = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // g++ 12 mishandles temporaries inside co_await expressions: pass a named
  // request, never `Send(HttpRequest{…}, …)`.
  // Sends one request (Host, Content-Length and keep-alive are added) and reads
  // the response. Fails with kTimeout ("… did not answer within 3s"),
  // kUnavailable (refused, reset, unreachable, DNS) or kProtocol (malformed
  // or oversized response). A request that fails on a reused connection
  // before any response byte arrived is retried once on a new connection.
  boost::asio::awaitable<Result<HttpResponse>> Send(const HttpRequest& req, Duration timeout);

  // Drops the connection (the next Send reconnects).
  void Close();

  const std::string& host() const;
  std::uint16_t port() const;
  long long connects() const;  // connections opened so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plugwatch::net
