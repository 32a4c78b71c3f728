// Router: maps "METHOD /path/{param}" to handlers. Paths match segment by
// segment; "{name}" captures one segment. An unknown path answers 404, a
// known path with another method 405 (with Allow). Single-threaded: build it
// at start-up, then only Dispatch.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/net/http_message.h"

namespace plugwatch::api {

using Params = std::map<std::string, std::string, std::less<>>;
using Handler =
    std::function<boost::asio::awaitable<net::HttpResponse>(net::HttpRequest&, const Params&)>;

class Router {
 public:
  // pattern: "/api/devices/{id}".
  void Add(std::string method, std::string pattern, Handler h);
  boost::asio::awaitable<net::HttpResponse> Dispatch(net::HttpRequest& req) const;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace plugwatch::api
