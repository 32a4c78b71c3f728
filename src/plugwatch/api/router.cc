#include "plugwatch/api/router.h"

#include <fmt/format.h>

#include "plugwatch/net/http_server.h"

namespace plugwatch::api {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           Params& params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      params[p.substr(1, p.size() - 2)] = net::UrlDecode(path[i]);
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler h) {
  auto segments = Split(pattern);
  routes_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(h)});
}

boost::asio::awaitable<net::HttpResponse> Router::Dispatch(net::HttpRequest& req) const {
  const auto path = Split(req.Path());
  std::string allow;
  for (const auto& r : routes_) {
    Params params;
    if (!Match(r.segments, path, params)) continue;
    // HEAD is answered like GET; the server drops the body.
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET"))
      co_return co_await r.handler(req, params);
    allow += allow.empty() ? r.method : ", " + r.method;
  }
  if (!allow.empty()) {
    auto res = net::JsonError(
        405, fmt::format("{} is not allowed on {} — use {}", req.method, req.Path(), allow));
    res.headers.emplace_back("Allow", allow);
    co_return res;
  }
  co_return net::JsonError(
      404, fmt::format("no such endpoint: {} {} — see /api/openapi.json", req.method, req.Path()));
}

}  // namespace plugwatch::api
