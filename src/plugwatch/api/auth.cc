#include "plugwatch/api/auth.h"

#include <openssl/crypto.h>

#include <string>

namespace plugwatch::api {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret (tokens are generated with a fixed length);
  // the content is compared without an early exit.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool Authorized(const net::HttpRequest& req, std::string_view token) {
  return Authorized(req.Header("Authorization"), token);
}

bool Authorized(std::optional<std::string_view> h, std::string_view token) {
  if (token.empty()) return true;
  constexpr std::string_view kBearer = "Bearer ";
  if (!h || h->size() < kBearer.size()) return false;
  std::string scheme(h->substr(0, kBearer.size()));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return false;
  return ConstantTimeEquals(h->substr(kBearer.size()), token);
}

}  // namespace plugwatch::api
