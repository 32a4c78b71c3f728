#include "plugwatch/devices/tapo/crypto_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "plugwatch/devices/tapo/openssl_util.h"

namespace plugwatch::tapo {

Bytes Hash(HashAlg alg, std::initializer_list<std::span<const std::uint8_t>> parts) {
  const EVP_MD* md = alg == HashAlg::kMd5    ? internal::Md5()
                     : alg == HashAlg::kSha1 ? internal::Sha1()
                                             : internal::Sha256();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  internal::Check(ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1, "digest init");
  for (auto part : parts)
    internal::Check(EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1, "digest update");
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  internal::Check(EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1, "digest final");
  return out;
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool StripPkcs7Padding(std::string& text) {
  if (text.empty()) return false;
  const auto pad = static_cast<std::uint8_t>(text.back());
  if (pad < 1 || pad > 16 || pad > text.size()) return false;
  for (std::size_t i = 1; i <= pad; ++i)
    if (static_cast<std::uint8_t>(text[text.size() - i]) != pad) return false;
  text.resize(text.size() - pad);
  return true;
}

Bytes RandomBytes(std::size_t n) {
  Bytes out(n);
  internal::Check(RAND_bytes(out.data(), static_cast<int>(n)) == 1, "RAND_bytes");
  return out;
}

}  // namespace plugwatch::tapo
