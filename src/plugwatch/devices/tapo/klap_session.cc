#include "plugwatch/devices/tapo/klap_session.h"

#include <fmt/format.h>

#include <charconv>

namespace plugwatch::tapo {
namespace {

constexpr std::string_view kThirdPartyHint =
    "handshake1: HTTP 403 — enable Third-Party Compatibility in the Tapo app (Me → Third-Party "
    "Compatibility), and toggle it off and on after a firmware update";
constexpr std::string_view kHashMismatch =
    "handshake1: the plug's answer does not match these credentials — check the Tapo account "
    "e-mail and password (case-sensitive); after a password change the plug needs a moment "
    "online to sync";

}  // namespace

KlapSession::KlapSession(net::HttpClient& client, SessionConfig config)
    : client_(client), config_(std::move(config)) {
  candidates_.push_back(
      {KlapVersion::kV2, "user", AuthHash(KlapVersion::kV2, config_.username, config_.password)});
}

void KlapSession::AddFallbackCandidates() {
  if (candidates_.size() > 1) return;
  candidates_.reserve(2 + 2 * kDefaultCredentials.size());
  candidates_.push_back(
      {KlapVersion::kV1, "user", AuthHash(KlapVersion::kV1, config_.username, config_.password)});
  for (const KlapCredentials& c : kDefaultCredentials)
    for (KlapVersion v : {KlapVersion::kV2, KlapVersion::kV1})
      candidates_.push_back({v, c.name, AuthHash(v, c.username, c.password)});
}

std::string_view KlapSession::protocol() const {
  if (matched_ < 0) return "klap";
  return candidates_[matched_].version == KlapVersion::kV2 ? "klap-v2" : "klap-v1";
}

std::string_view KlapSession::credentials() const {
  return matched_ >= 0 ? candidates_[matched_].credentials : std::string_view();
}

void KlapSession::Invalidate() {
  cipher_.reset();
  cookie_header_ = {};
}

boost::asio::awaitable<Result<void>> KlapSession::Handshake() {
  Invalidate();
  ++handshakes_;
  const Bytes local_seed = RandomBytes(kKlapSeedSize);
  // No cookie on handshake1: devices dislike getting their old ones back.
  const net::HttpRequestView h1{
      .method = "POST", .target = "/app/handshake1", .body = AsText(local_seed)};
  auto r1 = co_await client_.Send(h1, config_.request_timeout);
  if (!r1) co_return Fail(r1.error());
  if (r1->status == 403) co_return Fail(Errc::kUnauthorized, std::string(kThirdPartyHint));
  if (r1->status == 404)
    co_return Fail(Errc::kNotSupported,
                   "handshake1: HTTP 404 — this plug does not speak KLAP (older firmware uses "
                   "securePassthrough: set protocol to \"passthrough\" or \"auto\")");
  if (r1->status != 200)
    co_return Fail(Errc::kProtocol, fmt::format("handshake1: HTTP {}", r1->status));
  if (r1->body.size() != kKlapSeedSize + 32)
    co_return Fail(Errc::kProtocol,
                   fmt::format("handshake1: answer of {} bytes, expected 48", r1->body.size()));
  auto cookie = ParseSessionCookie(r1->headers);
  if (!cookie) co_return Fail(Errc::kProtocol, "handshake1: the answer has no TP_SESSIONID cookie");

  const auto body = AsBytes(r1->body);
  const auto remote_seed = body.subspan(0, kKlapSeedSize);
  const auto server_hash = body.subspan(kKlapSeedSize);
  auto matches = [&](const Candidate& c) {
    return ConstantTimeEquals(Handshake1ServerHash(c.version, local_seed, remote_seed, c.auth_hash),
                              server_hash);
  };
  int found = -1;
  // The set that matched last time first: a renewal then costs one hash.
  if (matched_ >= 0 && matches(candidates_[matched_])) found = matched_;
  for (std::size_t i = 0; found < 0 && i < candidates_.size(); ++i)
    if (matches(candidates_[i])) found = static_cast<int>(i);
  if (found < 0 && candidates_.size() == 1) {
    // Not the user's v2 hash: the other candidates, in the same order.
    AddFallbackCandidates();
    for (std::size_t i = 1; found < 0 && i < candidates_.size(); ++i)
      if (matches(candidates_[i])) found = static_cast<int>(i);
  }
  if (found < 0) co_return Fail(Errc::kUnauthorized, std::string(kHashMismatch));
  matched_ = found;
  const Candidate* match = &candidates_[found];

  cookie_header_ = {"Cookie", cookie->Header()};
  const Bytes client_hash =
      Handshake2ClientHash(match->version, local_seed, remote_seed, match->auth_hash);
  const net::HttpRequestView h2{.method = "POST",
                                .target = "/app/handshake2",
                                .headers = {&cookie_header_, 1},
                                .body = AsText(client_hash)};
  auto r2 = co_await client_.Send(h2, config_.request_timeout, net::ResponseHeaders::kNone);
  if (!r2) co_return Fail(r2.error());
  if (r2->status == 403)
    co_return Fail(Errc::kSessionExpired,
                   "handshake2: HTTP 403 — the plug dropped the new session at once (is another "
                   "client handshaking with it at the same moment?)");
  if (r2->status != 200)
    co_return Fail(Errc::kProtocol,
                   fmt::format("handshake2: HTTP {} — the plug refused the handshake", r2->status));

  cipher_.emplace(local_seed, remote_seed, match->auth_hash);
  renew_at_ = config_.clock->Now() + RenewAfter(cookie->timeout.value_or(std::chrono::hours(24)));
  co_return Result<void>();
}

boost::asio::awaitable<Result<std::string>> KlapSession::Request(std::string_view json) {
  if (cipher_ && config_.clock->Now() >= renew_at_) Invalidate();
  for (int attempt = 0;; ++attempt) {
    if (!cipher_) {
      auto h = co_await Handshake();
      if (!h) co_return Fail(h.error());
    }
    auto framed = cipher_->EncryptRequest(json);
    const std::int32_t seq = framed.first;
    constexpr std::string_view kTarget = "/app/request?seq=";
    char target[kTarget.size() + 12];
    kTarget.copy(target, kTarget.size());
    const auto end = std::to_chars(target + kTarget.size(), target + sizeof target, seq).ptr;
    const net::HttpRequestView request{.method = "POST",
                                       .target = std::string_view(target, end),
                                       .headers = {&cookie_header_, 1},
                                       .body = AsText(framed.second)};
    auto res = co_await client_.Send(request, config_.request_timeout, net::ResponseHeaders::kNone);
    if (!res) co_return Fail(res.error());
    if (res->status == 403) {
      Invalidate();
      if (attempt == 0) continue;
      co_return Fail(Errc::kSessionExpired,
                     "request: HTTP 403 right after a new handshake — the plug keeps dropping "
                     "sessions (another client using it?)");
    }
    co_return Open(seq, *res);
  }
}

Result<std::string> KlapSession::Open(std::int32_t seq, const net::HttpResponse& res) {
  if (res.status != 200) return Fail(Errc::kProtocol, fmt::format("request: HTTP {}", res.status));
  auto text = cipher_->DecryptAt(seq, AsBytes(res.body), /*verify_signature=*/false);
  if (!text) {
    Invalidate();
    return Fail(Wrap(text.error(), "request"));
  }
  return text;
}

}  // namespace plugwatch::tapo
