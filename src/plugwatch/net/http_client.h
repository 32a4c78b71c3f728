// HttpClient: one keep-alive HTTP/1.1 connection to one origin (host:port),
// reconnecting when the peer closes it. Used by device drivers (one client per
// device, 10,000 of them on one thread), so it is small and allocation-light
// (docs/adr/0007-poll-path-performance.md):
//  * Between requests a client holds a socket and its address, nothing else:
//    no read buffer, no timers.
//  * The request is rendered into a per-thread scratch buffer and written at
//    once; only when the kernel does not take all of it is the rest copied
//    and written asynchronously.
//  * The response is read when the socket is readable, in one read into a
//    per-thread scratch buffer, and parsed by Beast's HTTP parser straight
//    into the HttpResponse (no intermediate header container). Headers are
//    copied only when the caller wants them (ResponseHeaders).
//  * The deadline is one timer per Send (not one per socket operation).
// Nothing in the per-thread buffers survives a suspension.
//
// Not thread-safe: use it from one coroutine at a time on its executor. Every
// Send has a deadline covering connect, write and read. Beast stays inside the
// .cc file.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::net {

struct ClientLimits {
  std::size_t max_body = 256 * 1024;  // larger responses fail with kProtocol
};

// A request whose parts the caller keeps (they must stay alive until Send
// completes), for callers that send the same kind of request again and again
// without building an HttpRequest each time.
struct HttpRequestView {
  std::string_view method = "GET";
  std::string_view target = "/";
  std::span<const std::pair<std::string, std::string>> headers;
  std::string_view body;
};

// Which response headers Send copies into HttpResponse::headers.
enum class ResponseHeaders { kAll, kNone };

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
  boost::asio::awaitable<Result<HttpResponse>> Send(
      const HttpRequest& req, Duration timeout, ResponseHeaders headers = ResponseHeaders::kAll);
  // `req` and what it points to must stay alive until Send completes.
  boost::asio::awaitable<Result<HttpResponse>> Send(
      const HttpRequestView& req, Duration timeout,
      ResponseHeaders headers = ResponseHeaders::kAll);

  // Drops the connection (the next Send reconnects).
  void Close();

  const std::string& host() const;
  std::uint16_t port() const;
  long long connects() const;  // connections opened so far

 private:
  struct Impl;
  class Deadline;
  // Resolves (once) and connects; its own coroutine, so that Send's frame,
  // which every request in flight holds, does not carry what only a
  // connection needs.
  boost::asio::awaitable<Result<void>> Connect(Duration timeout);
  // Shared so that a deadline that fires after its Send ended can tell
  // whether the client still exists.
  std::shared_ptr<Impl> impl_;
};

}  // namespace plugwatch::net
