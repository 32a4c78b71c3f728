// ScriptedServer: a loopback HTTP server for tests of HTTP clients (sinks,
// the Telegram Bot API client). It records every request and answers with
// the next queued reply, or with `fallback` when none is queued. Runs on the
// test's io_context (drive it with RunUntilDone).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "plugwatch/net/http_server.h"

namespace plugwatch::net {

class ScriptedServer {
 public:
  explicit ScriptedServer(boost::asio::any_io_executor ex, HttpResponse fallback = {})
      : fallback_(std::move(fallback)),
        server_(
            std::make_unique<HttpServer>(ex, [this](HttpRequest& req) { return Answer(req); })) {
    auto port = server_->Listen("127.0.0.1", 0);
    if (!port) throw std::runtime_error(port.error().context);
    port_ = *port;
  }

  std::uint16_t port() const { return port_; }

  std::vector<HttpRequest> requests;  // as received, oldest first
  std::vector<HttpResponse> replies;  // answered in this order, then fallback

 private:
  boost::asio::awaitable<HttpResponse> Answer(HttpRequest& req) {
    requests.push_back(req);
    if (replies.empty()) co_return fallback_;
    HttpResponse r = replies.front();
    replies.erase(replies.begin());
    co_return r;
  }

  HttpResponse fallback_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace plugwatch::net
