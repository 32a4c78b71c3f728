// Building API responses: JSON bodies, the one mapping from Error codes to
// HTTP statuses, and parsing of common query parameters with errors that say
// what to send instead. Pure.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::api {

net::HttpResponse Json(int status, const boost::json::value& body);
net::HttpResponse Json(const boost::json::value& body);  // 200

// kInvalidArgument → 422, kParse → 400, kNotFound → 404, kAlreadyExists → 409,
// kUnauthorized → 401, kUnavailable/kTimeout → 503, others → 500.
int HttpStatus(const Error& e);
net::HttpResponse ErrorResponse(const Error& e);

// 404 for a device id the store does not know, in the API's words.
Error UnknownDevice(std::string_view id);

// A positive number query parameter within [min, max]; absent → fallback.
// Fails with kInvalidArgument: "hours must be a number between 0.01 and 87600 (got 'x')".
Result<double> NumberParam(const net::HttpRequest& req, std::string_view name, double fallback,
                           double min, double max);

// The start of the window `?hours=H` (default 24, up to ten years) ending now.
Result<TimePoint> SinceParam(const net::HttpRequest& req, TimePoint now);

}  // namespace plugwatch::api
