#include "plugwatch/devices/tapo/transport_probe.h"

#include <fmt/format.h>

#include "plugwatch/devices/tapo/messages.h"

namespace plugwatch::tapo {

boost::asio::awaitable<Result<TransportKind>> ProbeTransport(net::HttpClient& client,
                                                             Duration timeout) {
  net::HttpRequest req{.method = "POST", .target = "/app"};
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = R"({"method":"component_nego","params":null})";
  auto res = co_await client.Send(req, timeout);
  if (!res) co_return Fail(res.error());
  // A 404 on /app is no statement about the transport; only KLAP's own
  // handshake1 404 is (the session reports that).
  if (res->status != 200)
    co_return Fail(Errc::kProtocol, fmt::format("probe: HTTP {}", res->status));
  auto envelope = ParseEnvelopeRaw(res->body);
  if (!envelope) co_return Fail(Wrap(envelope.error(), "probe"));
  co_return envelope->error_code == 1003 ? TransportKind::kKlap : TransportKind::kPassthrough;
}

}  // namespace plugwatch::tapo
