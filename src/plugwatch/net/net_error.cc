#include "plugwatch/net/net_error.h"

#include <fmt/format.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace plugwatch::net {

Error NetError(const boost::system::error_code& ec, std::string_view stage, std::string_view where,
               Duration timeout, std::string_view timeout_hint) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  if (ec == asio::error::timed_out || ec == boost::beast::error::timeout ||
      ec == asio::error::operation_aborted)
    return MakeError(Errc::kTimeout, fmt::format("{}: {}: no answer within {} ms — {}", where,
                                                 stage, timeout.count(), timeout_hint));
  if (ec == asio::error::connection_refused)
    return MakeError(
        Errc::kUnavailable,
        fmt::format("{}: {}: connection refused — check the address and port", where, stage));
  if (ec == http::error::body_limit || ec == http::error::header_limit)
    return MakeError(Errc::kProtocol, fmt::format("{}: {}: response too large", where, stage));
  if (ec.category() == http::make_error_code(http::error::bad_version).category())
    return MakeError(Errc::kProtocol, fmt::format("{}: {}: malformed HTTP response ({})", where,
                                                  stage, ec.message()));
  return MakeError(Errc::kUnavailable, fmt::format("{}: {}: {}", where, stage, ec.message()));
}

}  // namespace plugwatch::net
