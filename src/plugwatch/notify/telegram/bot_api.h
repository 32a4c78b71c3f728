// BotApi: calls Telegram Bot API methods (PROTOCOLS.md §7) over net::WebClient:
// POST <api_url>/bot<TOKEN>/<method> with a JSON body. api_url comes from
// [telegram] api_url (self-hosted Bot API servers, and the tests' loopback
// stand-in). The token is a secret: it is never logged, and any error text
// that could contain the request URL has it replaced by "<token>".
//
// Threading: the engine's event loop (WebClient's). g++ 12: callers pass
// named parameters, never temporaries, into the co_await'ed calls.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"
#include "plugwatch/net/web_client.h"

namespace plugwatch::notify::telegram {

class BotApi {
 public:
  BotApi(std::shared_ptr<net::WebClient> web, std::string api_url, std::string token,
         Duration timeout = Duration(10'000));

  // Any HTTP status is a success (classify it with reply.h); errors are
  // transport failures (timeout, refused, TLS) with the token scrubbed.
  boost::asio::awaitable<Result<net::HttpResponse>> Call(const std::string& method,
                                                         const boost::json::object& params,
                                                         Duration timeout);
  boost::asio::awaitable<Result<net::HttpResponse>> Call(const std::string& method,
                                                         const boost::json::object& params);

  // getUpdates long polling: waits up to `timeout_s` on the server side; the
  // HTTP deadline is that plus the normal request timeout.
  boost::asio::awaitable<Result<net::HttpResponse>> GetUpdates(long long offset, int timeout_s);

  const std::string& api_url() const { return api_url_; }
  std::string Scrub(std::string text) const;  // replaces the token by "<token>"

 private:
  std::shared_ptr<net::WebClient> web_;
  std::string api_url_;
  std::string token_;
  Duration timeout_;
};

}  // namespace plugwatch::notify::telegram
