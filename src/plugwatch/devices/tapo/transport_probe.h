// Picking the transport of a plug that does not say (PROTOCOLS.md §1.1, the
// tapo Rust client's rule): POST plain {"method":"component_nego"} to /app.
// KLAP-only firmware answers error_code 1003; any other JSON answer means the
// legacy securePassthrough. The driver caches the result and also switches
// when a handshake proves it wrong (KLAP handshake1 → 404, passthrough
// handshake → 1003). One request on the borrowed keep-alive client; same
// threading rules as the client.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::tapo {

enum class TransportKind { kKlap, kPassthrough };

// Fails with the net errors, or kProtocol "probe: HTTP <n>" / "probe: …" when
// the answer is not a JSON envelope (then nothing is learnt: try again later).
boost::asio::awaitable<Result<TransportKind>> ProbeTransport(net::HttpClient& client,
                                                             Duration timeout);

}  // namespace plugwatch::tapo
