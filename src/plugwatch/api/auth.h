// Bearer-token checks, compared in constant time so that response timing
// does not reveal how much of a guessed token was right. Pure.
#pragma once

#include <optional>
#include <string_view>

#include "plugwatch/net/http_message.h"

namespace plugwatch::api {

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// True when `token` is empty (no token configured) or the request carries
// "Authorization: Bearer <token>".
bool Authorized(const net::HttpRequest& req, std::string_view token);
// The same check on the value of the request's Authorization header (nullopt:
// none).
bool Authorized(std::optional<std::string_view> authorization, std::string_view token);

}  // namespace plugwatch::api
