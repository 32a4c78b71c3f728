// HttpServer: a small HTTP/1.1 server on Boost.Beast with C++20 coroutines,
// used by the device emulators and the API. Each accepted connection is one
// coroutine on the server's executor: keep-alive, a deadline on every read,
// on every write and on idle connections, caps on header size, body size and
// the number of connections (over the cap, new connections are closed at
// once). Errors the server answers itself (400, 413, 431) are JSON.
//
// Streamed responses (HttpResponse::stream, net/response_stream.h) are sent
// chunked while a second coroutine watches the peer, so a client that goes
// away ends its stream at once, not at the next write.
//
// A fast route (SetFastRoute) may take requests before the generic path:
// when a whole plain request (net/simple_request.h) is in the connection's
// buffer, the route sees it first; if it takes it, it answers through a
// FastReply, with no Beast parser, no HttpRequest and no coroutine
// resumption (the connection's reads and fast requests run as plain
// callbacks), and the server writes the answer framed exactly as the generic
// path would. Everything the route does not take goes the generic way.
//
// Stopping: Stop() closes every connection now; Shutdown(grace) stops
// accepting, closes idle keep-alive connections, lets requests in progress
// finish and streams send what they queued, and closes what is left when the
// grace period runs out.
//
// Create, Listen, Stop and Shutdown on the executor's thread (or before it
// runs). The handler runs on that executor; it must not block.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::net {

struct ServerLimits {
  std::size_t max_body = 1 << 20;      // larger bodies get 413
  std::size_t max_header = 16 * 1024;  // larger headers get 431
  Duration read_timeout{10'000};       // a request must arrive whole within this
  Duration idle_timeout{60'000};       // keep-alive connections idle longer are closed
  Duration write_timeout{10'000};      // a response (or a stream's piece) must be sent within this
  // The kernel's send buffer of a streaming connection: with the stream's own
  // queue bound, what a stalled peer can hold up (0 = the system's default).
  int stream_send_buffer = 64 * 1024;
  std::size_t max_connections = 4096;
};

struct SimpleRequest;  // net/simple_request.h
struct ServerConn;

// The answer to a request a fast route took. Send exactly once, on the
// server's executor — during the route's call or later; the connection
// waits for it until then (and is closed meanwhile if the client leaves or
// the server stops, in which case the answer goes nowhere).
class FastReply {
 public:
  FastReply() = default;
  explicit FastReply(ServerConn* conn) : conn_(conn) {}
  // The body is copied. HEAD requests get the headers only.
  void Send(int status, std::string_view content_type, std::string_view body) const;
  explicit operator bool() const { return conn_ != nullptr; }

 private:
  ServerConn* conn_ = nullptr;
};

class HttpServer {
 public:
  using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest&)>;
  // Returns false to leave the request to the generic path (and must then
  // have changed nothing), true when it took it and will Send the reply (or
  // has already). The request's views are valid during the call only.
  // remote: the peer's address, as HttpRequest::remote. Must not throw once
  // it has kept the reply for later; an exception is logged, and closes the
  // connection unless the reply was sent already.
  using FastRoute =
      std::function<bool(const SimpleRequest& req, const std::string& remote, FastReply reply)>;

  HttpServer(boost::asio::any_io_executor ex, Handler handler, ServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Port 0 picks a free port. Returns the bound
  // port. Fails with kUnavailable naming the address ("127.0.0.1:8080: address
  // already in use — stop the other process or choose another port").
  Result<std::uint16_t> Listen(std::string_view host, std::uint16_t port);

  // Before Listen.
  void SetFastRoute(FastRoute route);

  // Stops accepting and closes every connection.
  void Stop();
  // Stops accepting and closes idle connections at once. For at most
  // `grace`, requests in progress, and requests already received behind a
  // kept-alive answer, are answered with "Connection: close", and streams
  // send what they queued, then end; then Stop(). `done` runs on the
  // executor once every connection is closed (a handler still running then
  // finds its connection closed).
  void Shutdown(Duration grace, std::function<void()> done = {});

  std::size_t connections() const;
  // Connections that are sending a streamed response.
  std::size_t streams() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A JSON error body {"error": message} with the given status.
HttpResponse JsonError(int status, std::string_view message);

}  // namespace plugwatch::net
