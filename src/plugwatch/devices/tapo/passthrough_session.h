// PassthroughSession: the legacy AES "securePassthrough" transport of older
// Tapo firmware, PROTOCOLS.md §1.7, over a borrowed keep-alive HttpClient.
//
// Establishing a session: handshake (our RSA public key → the device's
// RSA-encrypted AES key‖iv and a TP_SESSIONID cookie), then login_device with
// the login version that worked last (v1 "password" first, v2 "password2"
// after -1501; a failed login kills the session on the device, so v2 gets a
// fresh handshake). Afterwards every request is
// POST /app?token=<token> {"method":"securePassthrough",...}. An outer 9999
// (or -1301/-1005) means the session is gone: one new handshake and login,
// one retry. Renewal as in KLAP, from the TIMEOUT cookie.
//
// The RSA-1024 key pair is generated once per process (SharedRsaKeyPair) and
// shared by every session: no RSA key generation per device or per poll; RSA
// decryption happens once per handshake. Threading: see session.h.
#pragma once

#include <optional>
#include <string>

#include "plugwatch/devices/tapo/passthrough_crypto.h"
#include "plugwatch/devices/tapo/session.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::tapo {

// The process-wide key pair, generated on first use (thread-safe). Fails with
// kInternal when OpenSSL cannot generate one; later calls fail the same way.
Result<const RsaKeyPair*> SharedRsaKeyPair();

class PassthroughSession final : public Session {
 public:
  PassthroughSession(net::HttpClient& client, SessionConfig config, std::string terminal_uuid);

  boost::asio::awaitable<Result<std::string>> Request(std::string_view json) override;
  void Invalidate() override;
  bool established() const override { return !token_.empty(); }
  std::string_view protocol() const override { return "passthrough"; }
  long long handshakes() const override { return handshakes_; }

  // 1 or 2: the login_device version the device accepted last.
  int login_version() const { return login_v2_ ? 2 : 1; }

  // Handshake and login now. Fails with:
  //   kNotSupported "handshake: error 1003 (TRANSPORT_UNKNOWN_CREDENTIALS): …"
  //     (KLAP-only firmware)
  //   kUnauthorized "login_device: error -1501 (LOGIN_ERROR): wrong credentials
  //     — check the Tapo account e-mail and password"
  //   kProtocol for malformed answers; net errors as they are.
  boost::asio::awaitable<Result<void>> Establish();

 private:
  boost::asio::awaitable<Result<void>> Handshake();
  // Sends `json` through securePassthrough and returns the inner JSON text.
  // An outer error_code fails with ErrorFromCode.
  boost::asio::awaitable<Result<std::string>> Passthrough(std::string_view json, bool with_token);

  net::HttpClient& client_;
  SessionConfig config_;
  std::string terminal_uuid_;
  std::optional<AesCbc> aes_;
  std::string cookie_;  // "TP_SESSIONID=…"
  std::string token_;
  bool login_v2_ = false;
  TimePoint renew_at_{};
  long long handshakes_ = 0;
  net::HttpRequest request_;  // reused by every securePassthrough
};

}  // namespace plugwatch::tapo
