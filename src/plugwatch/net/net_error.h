// NetError: one wording for a failed outgoing HTTP exchange (device clients,
// notification and Telegram clients): what failed, at which stage, and what
// to do. The timeout hint differs by caller ("is the device powered and on
// the network?"), the rest does not.
#pragma once

#include <boost/system/error_code.hpp>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch::net {

// kTimeout for a deadline (Asio's or Beast's), kUnavailable for refused /
// reset / unreachable, kProtocol for oversized or malformed responses.
// "<where>: <stage>: …", e.g. "127.0.0.1:80: connect: connection refused — …".
Error NetError(const boost::system::error_code& ec, std::string_view stage, std::string_view where,
               Duration timeout, std::string_view timeout_hint);

}  // namespace plugwatch::net
