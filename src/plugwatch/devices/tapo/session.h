// Session: one authenticated, encrypted channel to one Tapo/Kasa plug over a
// kept-alive net::HttpClient, as the transports of PROTOCOLS.md §1 define it
// (KlapSession, PassthroughSession). A session handshakes lazily on the first
// Request, renews itself before the device's TIMEOUT runs out, and repairs a
// session the device dropped (KLAP: HTTP 403; passthrough: error 9999) with
// one new handshake and one retry. What the JSON answer means is the caller's
// business (p110_driver): Request returns the decrypted text.
//
// A session borrows the HttpClient and the credentials (owned by the driver,
// which outlives it) and the Clock. Not thread-safe: one coroutine at a time on the client's
// executor. Errors carry no "tapo[id] host:port" prefix; the driver adds it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::tapo {

// The credentials are borrowed: the driver's DeviceSpec holds them and
// outlives its sessions (no second copy per device).
struct SessionConfig {
  std::string_view username;       // the Tapo cloud e-mail
  std::string_view password;       // secret: never logged
  Duration request_timeout{3000};  // deadline of every HTTP request
  const Clock* clock = nullptr;    // never null
};

class Session {
 public:
  virtual ~Session() = default;

  // Sends one Tapo JSON request and returns the device's decrypted JSON
  // answer (any error_code inside is left to the caller). `json` must stay
  // alive until the call completes. Fails with the net errors (kTimeout,
  // kUnavailable, kProtocol), handshake errors (kUnauthorized with a hint,
  // kNotSupported when the device does not speak this transport at all),
  // kSessionExpired when the device rejects a session made a moment ago, or
  // kProtocol for a frame that does not decrypt.
  virtual boost::asio::awaitable<Result<std::string>> Request(std::string_view json) = 0;

  // Forgets the session: the next Request handshakes again.
  virtual void Invalidate() = 0;

  // True between a successful handshake (and login) and Invalidate/expiry.
  virtual bool established() const = 0;
  // "klap-v2", "klap-v1" or "passthrough"; "klap" before KLAP's first
  // handshake found the version.
  virtual std::string_view protocol() const = 0;
  // Handshakes attempted so far (for tests and metrics).
  virtual long long handshakes() const = 0;
};

// The session cookie of a handshake answer: TP_SESSIONID (some passthrough
// firmware says SESSIONID) and the TIMEOUT in seconds, from one
// "TP_SESSIONID=…;TIMEOUT=86400" header or several Set-Cookie headers.
struct SessionCookie {
  std::string name;  // "TP_SESSIONID" or "SESSIONID"
  std::string value;
  std::optional<std::chrono::seconds> timeout;
  // "TP_SESSIONID=<value>": the only cookie sent back (§1.5).
  std::string Header() const { return name + "=" + value; }
};
// nullopt when no Set-Cookie header carries a session id.
std::optional<SessionCookie> ParseSessionCookie(const net::Headers& headers);

// When to renew a session that lives `lifetime`: 20 minutes early like
// python-kasa, or at half its life when it is shorter than 40 minutes.
Duration RenewAfter(std::chrono::seconds lifetime);

}  // namespace plugwatch::tapo
