// HttpServer: a small HTTP/1.1 server on Boost.Beast with C++20 coroutines,
// used by the device emulators and the API. Each accepted connection is one
// coroutine on the server's executor: keep-alive, a deadline on every read and
// on idle connections, caps on header size, body size and the number of
// connections (over the cap, new connections are closed at once).
//
// Create, Listen and Stop on the executor's thread (or before it runs).
// The handler runs on that executor; it must not block.
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
  std::size_t max_connections = 4096;
};

class HttpServer {
 public:
  using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest&)>;

  HttpServer(boost::asio::any_io_executor ex, Handler handler, ServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Port 0 picks a free port. Returns the bound
  // port. Fails with kUnavailable naming the address ("127.0.0.1:8080: address
  // already in use — stop the other process or choose another port").
  Result<std::uint16_t> Listen(std::string_view host, std::uint16_t port);

  // Stops accepting and closes every connection.
  void Stop();

  std::size_t connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A JSON error body {"error": message} with the given status.
HttpResponse JsonError(int status, std::string_view message);

}  // namespace plugwatch::net
