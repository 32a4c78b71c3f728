#include "plugwatch/devices/tapo/passthrough_session.h"

#include <fmt/format.h>

#include "plugwatch/devices/tapo/messages.h"

namespace plugwatch::tapo {
namespace {

constexpr std::int64_t kLoginError = -1501;
constexpr std::int64_t kKlapOnly = 1003;

void AddJsonHeaders(net::Headers& h) {
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("Accept", "application/json");
  h.emplace_back("requestByApp", "true");
}

}  // namespace

Result<const RsaKeyPair*> SharedRsaKeyPair() {
  static const Result<RsaKeyPair> key = RsaKeyPair::Generate(1024);
  if (!key) return Fail(key.error());
  return &*key;
}

PassthroughSession::PassthroughSession(net::HttpClient& client, SessionConfig config,
                                       std::string terminal_uuid)
    : client_(client), config_(std::move(config)), terminal_uuid_(std::move(terminal_uuid)) {
  request_.method = "POST";
}

void PassthroughSession::Invalidate() {
  aes_.reset();
  cookie_.clear();
  token_.clear();
}

boost::asio::awaitable<Result<void>> PassthroughSession::Handshake() {
  Invalidate();
  ++handshakes_;
  auto key = SharedRsaKeyPair();
  if (!key) co_return Fail(key.error());
  net::HttpRequest req{.method = "POST", .target = "/app"};
  AddJsonHeaders(req.headers);
  req.body = BuildHandshakeRequest((*key)->public_key_pem());
  auto res = co_await client_.Send(req, config_.request_timeout);
  if (!res) co_return Fail(res.error());
  if (res->status != 200)
    co_return Fail(Errc::kProtocol, fmt::format("handshake: HTTP {}", res->status));
  auto envelope = ParseEnvelopeRaw(res->body);
  if (!envelope) co_return Fail(Wrap(envelope.error(), "handshake"));
  if (envelope->error_code == kKlapOnly)
    co_return Fail(Errc::kNotSupported, "handshake: " + ErrorFromCode(kKlapOnly).context +
                                            " (set protocol to \"klap\" or \"auto\")");
  if (envelope->error_code != 0)
    co_return Fail(Wrap(ErrorFromCode(envelope->error_code), "handshake"));
  auto key_b64 = ParseHandshakeResult(envelope->result);
  if (!key_b64) co_return Fail(key_b64.error());
  auto encrypted = Base64Decode(*key_b64);
  if (!encrypted) co_return Fail(Wrap(encrypted.error(), "handshake key"));
  auto key_iv = (*key)->Decrypt(*encrypted);
  if (!key_iv) co_return Fail(key_iv.error());
  auto aes = AesCbc::FromKeyIv(*key_iv);
  if (!aes) co_return Fail(aes.error());
  auto cookie = ParseSessionCookie(res->headers);
  if (!cookie) co_return Fail(Errc::kProtocol, "handshake: the answer has no TP_SESSIONID cookie");
  aes_.emplace(std::move(*aes));
  cookie_ = cookie->Header();
  renew_at_ = config_.clock->Now() + RenewAfter(cookie->timeout.value_or(std::chrono::hours(24)));
  co_return Result<void>();
}

boost::asio::awaitable<Result<void>> PassthroughSession::Establish() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool v2 = attempt == 0 ? login_v2_ : !login_v2_;
    auto h = co_await Handshake();
    if (!h) co_return h;
    const tapo::Request login{"login_device", LoginParams(config_.username, config_.password, v2)};
    const std::string json = BuildRequest(login, config_.clock->Now(), terminal_uuid_);
    auto inner = co_await Passthrough(json, /*with_token=*/false);
    if (!inner) co_return Fail(Wrap(inner.error(), "login_device"));
    auto envelope = ParseEnvelopeRaw(*inner);
    if (!envelope) co_return Fail(Wrap(envelope.error(), "login_device"));
    // A failed login kills the session: the other version needs a new handshake.
    if (envelope->error_code == kLoginError && attempt == 0) continue;
    if (envelope->error_code != 0) {
      Invalidate();
      co_return Fail(Wrap(ErrorFromCode(envelope->error_code), "login_device"));
    }
    auto token = ParseLoginResult(envelope->result);
    if (!token) co_return Fail(token.error());
    token_ = std::move(*token);
    login_v2_ = v2;
    co_return Result<void>();
  }
  Invalidate();
  co_return Fail(Wrap(ErrorFromCode(kLoginError), "login_device"));
}

boost::asio::awaitable<Result<std::string>> PassthroughSession::Passthrough(std::string_view json,
                                                                            bool with_token) {
  if (with_token)
    request_.target.assign("/app?token=").append(token_);
  else
    request_.target.assign("/app");
  if (request_.headers.empty()) {
    AddJsonHeaders(request_.headers);
    request_.headers.emplace_back("Cookie", std::string());
  }
  request_.headers.back().second.assign(cookie_);
  request_.body = BuildSecurePassthrough(aes_->EncryptB64(json));
  auto res = co_await client_.Send(request_, config_.request_timeout, net::ResponseHeaders::kNone);
  if (!res) co_return Fail(res.error());
  if (res->status != 200)
    co_return Fail(Errc::kProtocol, fmt::format("securePassthrough: HTTP {}", res->status));
  auto envelope = ParseEnvelopeRaw(res->body);
  if (!envelope) co_return Fail(Wrap(envelope.error(), "securePassthrough"));
  if (envelope->error_code != 0)
    co_return Fail(Wrap(ErrorFromCode(envelope->error_code), "securePassthrough"));
  auto b64 = ParseSecurePassthroughResult(envelope->result);
  if (!b64) co_return Fail(b64.error());
  auto text = aes_->DecryptB64(*b64);
  if (!text) co_return Fail(Wrap(text.error(), "securePassthrough"));
  co_return std::move(*text);
}

boost::asio::awaitable<Result<std::string>> PassthroughSession::Request(std::string_view json) {
  if (established() && config_.clock->Now() >= renew_at_) Invalidate();
  for (int attempt = 0;; ++attempt) {
    if (!established()) {
      auto e = co_await Establish();
      if (!e) co_return Fail(e.error());
    }
    auto inner = co_await Passthrough(json, /*with_token=*/true);
    if (!inner && inner.error().Is(Errc::kSessionExpired)) {
      Invalidate();
      if (attempt == 0) continue;
    } else if (!inner && inner.error().Is(Errc::kProtocol)) {
      Invalidate();  // a frame we cannot read: start afresh next time
    }
    co_return inner;
  }
}

}  // namespace plugwatch::tapo
