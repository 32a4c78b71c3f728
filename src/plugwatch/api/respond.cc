#include "plugwatch/api/respond.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

#include "plugwatch/net/http_server.h"

namespace plugwatch::api {

net::HttpResponse Json(int status, const boost::json::value& body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = boost::json::serialize(body);
  return r;
}

net::HttpResponse Json(const boost::json::value& body) { return Json(200, body); }

int HttpStatus(const Error& e) {
  if (e.code.category() != PlugwatchCategory()) return 500;
  switch (static_cast<Errc>(e.code.value())) {
    case Errc::kInvalidArgument:
      return 422;
    case Errc::kParse:
      return 400;
    case Errc::kNotFound:
      return 404;
    case Errc::kAlreadyExists:
      return 409;
    case Errc::kUnauthorized:
      return 401;
    case Errc::kNotSupported:
      return 422;
    case Errc::kUnavailable:
    case Errc::kTimeout:
    case Errc::kSessionExpired:
    case Errc::kProtocol:
      return 503;
    default:
      return 500;
  }
}

net::HttpResponse ErrorResponse(const Error& e) { return net::JsonError(HttpStatus(e), e.context); }

Error UnknownDevice(std::string_view id) {
  return MakeError(Errc::kNotFound,
                   fmt::format("device '{}' does not exist — see GET /api/devices", id));
}

Result<double> NumberParam(const net::HttpRequest& req, std::string_view name, double fallback,
                           double min, double max) {
  auto text = req.QueryParam(name);
  if (!text) return fallback;
  double v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || !std::isfinite(v) || v < min ||
      v > max)
    return Fail(
        Errc::kInvalidArgument,
        fmt::format("{} must be a number between {} and {} (got '{}')", name, min, max, *text));
  return v;
}

Result<TimePoint> SinceParam(const net::HttpRequest& req, TimePoint now) {
  constexpr double kMaxHours = 24.0 * 366 * 10;
  auto hours = NumberParam(req, "hours", 24, 0.001, kMaxHours);
  if (!hours) return Fail(hours.error());
  return now - Duration(static_cast<long long>(*hours * 3'600'000));
}

}  // namespace plugwatch::api
