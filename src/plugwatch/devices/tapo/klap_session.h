// KlapSession: the KLAP transport of Tapo (v2) and newer Kasa (v1) plugs,
// PROTOCOLS.md §1.2–§1.5, over a borrowed keep-alive net::HttpClient.
//
// Handshake: handshake1 with 16 random bytes; the server hash is checked
// against the user's credentials with v2 hashes, then v1, then the built-in
// credential sets (kDefaultCredentials, both versions); the first match fixes
// the version and credentials (credentials() says which) and is tried first
// next time. handshake2 proves the same. Only TP_SESSIONID is sent back.
// The session renews itself RenewAfter(TIMEOUT) after the handshake; an HTTP
// 403 on /app/request means the device dropped it: one new handshake, one
// retry. A response that does not decrypt invalidates the session.
//
// Steady state: one POST /app/request per Request, sent as a view of the
// session's cookie and the encrypted frame (the session keeps no request
// buffers: docs/adr/0007-poll-path-performance.md); only the status and the
// body of the answer are read.
// Threading and lifetime: see session.h.
#pragma once

#include <string>
#include <vector>

#include "plugwatch/devices/tapo/klap_cipher.h"
#include "plugwatch/devices/tapo/session.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::tapo {

class KlapSession final : public Session {
 public:
  KlapSession(net::HttpClient& client, SessionConfig config);

  boost::asio::awaitable<Result<std::string>> Request(std::string_view json) override;
  void Invalidate() override;
  bool established() const override { return cipher_.has_value(); }
  std::string_view protocol() const override;
  long long handshakes() const override { return handshakes_; }

  // Which credentials the device accepted: "user", or the name of a
  // kDefaultCredentials set ("kasa", "tapo", "blank"); "" before a handshake.
  std::string_view credentials() const;

  // Handshakes now. Fails with (contexts as the driver prefixes them):
  //   kUnauthorized "handshake1: HTTP 403 — enable Third-Party Compatibility in
  //     the Tapo app (Me → Third-Party Compatibility), and toggle it off and on
  //     after a firmware update"
  //   kUnauthorized "handshake1: the plug's answer does not match these
  //     credentials — check the Tapo account e-mail and password
  //     (case-sensitive); after a password change the plug needs a moment
  //     online to sync"
  //   kNotSupported "handshake1: HTTP 404 — …" (no KLAP: passthrough firmware)
  //   kProtocol for other statuses or malformed answers; net errors as they are.
  boost::asio::awaitable<Result<void>> Handshake();

 private:
  struct Candidate {
    KlapVersion version;
    std::string_view credentials;  // "user" or a default set's name
    Bytes auth_hash;
  };

  net::HttpClient& client_;
  SessionConfig config_;
  // In the order they are tried. Only the user's v2 hash until a handshake
  // needs the others (most plugs match it: no memory for the 7 fallbacks).
  std::vector<Candidate> candidates_;
  int matched_ = -1;  // index into candidates_
  std::optional<KlapCipher> cipher_;
  TimePoint renew_at_{};
  long long handshakes_ = 0;
  // "Cookie: TP_SESSIONID=…", sent with every /app/request (empty between
  // sessions).
  std::pair<std::string, std::string> cookie_header_;

  void AddFallbackCandidates();
  // The JSON text of an /app/request answer other than 403 (a plain
  // function: its temporaries stay out of Request's coroutine frame).
  Result<std::string> Open(std::int32_t seq, const net::HttpResponse& res);
};

}  // namespace plugwatch::tapo
