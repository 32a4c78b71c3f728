#include "plugwatch/devices/tapo/passthrough_crypto.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

namespace plugwatch::tapo {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPemEnd = "-----END PUBLIC KEY-----";
// Same bound as KLAP: no Tapo message comes near it.
constexpr std::size_t kMaxMessageSize = 64 * 1024;

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    const std::uint32_t v = (bytes[i] << 16) | (rest == 2 ? bytes[i + 1] << 8 : 0);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  std::string_view body = text;
  if (text.size() % 4 == 0 && !text.empty()) {
    if (body.ends_with('=')) body.remove_suffix(1);
    if (body.ends_with('=')) body.remove_suffix(1);
  }
  if (body.size() % 4 == 1) return Fail(Errc::kParse, "invalid base64 (bad length)");
  Bytes out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    const int d = DecodeChar(c);
    if (d < 0) return Fail(Errc::kParse, "invalid base64 (unexpected character)");
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

Result<std::string> Base64DecodeText(std::string_view text) {
  auto bytes = Base64Decode(text);
  if (!bytes) return Fail(bytes.error());
  return std::string(AsText(*bytes));
}

std::string Sha1Hex(std::string_view text) { return ToHex(Hash(HashAlg::kSha1, {AsBytes(text)})); }

boost::json::object LoginParams(std::string_view user, std::string_view pass, bool v2) {
  boost::json::object params;
  params["username"] = Base64Encode(Sha1Hex(user));
  if (v2) {
    params["password2"] = Base64Encode(Sha1Hex(pass));
  } else {
    params["password"] = Base64Encode(pass);
  }
  return params;
}

RsaKeyPair::RsaKeyPair(internal::PkeyPtr key, std::string pem)
    : key_(std::move(key)), public_key_pem_(std::move(pem)) {}

Result<RsaKeyPair> RsaKeyPair::Generate(unsigned bits) {
  internal::PkeyPtr key(EVP_RSA_gen(bits));
  if (!key)
    return Fail(Errc::kInternal, fmt::format("passthrough: cannot generate an RSA-{} key", bits));
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key.get(), &der);
  if (len <= 0) return Fail(Errc::kInternal, "passthrough: cannot encode the RSA public key");
  std::string b64 = Base64Encode(std::span<const std::uint8_t>(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  std::string pem;
  pem.reserve(b64.size() + kPemBegin.size() + kPemEnd.size() + 3);
  pem.append(kPemBegin).append("\n").append(b64).append("\n").append(kPemEnd).append("\n");
  return RsaKeyPair(std::move(key), std::move(pem));
}

Result<Bytes> RsaKeyPair::Decrypt(std::span<const std::uint8_t> ciphertext) const {
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ciphertext.data(), ciphertext.size()) != 1)
    return Fail(Errc::kProtocol, "passthrough: cannot decrypt the handshake key with our RSA key");
  Bytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) != 1)
    return Fail(Errc::kProtocol, "passthrough: cannot decrypt the handshake key with our RSA key");
  out.resize(len);
  return out;
}

Result<Bytes> RsaEncrypt(std::string_view public_key_pem, std::span<const std::uint8_t> plaintext) {
  const auto not_a_key = [] {
    return Fail(Errc::kInvalidArgument,
                "passthrough: the handshake key is not a PEM RSA public key");
  };
  const auto begin = public_key_pem.find(kPemBegin);
  const auto end = public_key_pem.find(kPemEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
    return not_a_key();
  std::string b64;
  for (char c : public_key_pem.substr(begin + kPemBegin.size(), end - begin - kPemBegin.size()))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64.push_back(c);
  auto der = Base64Decode(b64);
  if (!der || der->size() > 16 * 1024) return not_a_key();
  const unsigned char* p = der->data();
  internal::PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
  if (!key || !EVP_PKEY_is_a(key.get(), "RSA")) return not_a_key();

  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1)
    return not_a_key();
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1)
    return Fail(Errc::kProtocol, fmt::format("passthrough: RSA-{} key too small for {} bytes",
                                             EVP_PKEY_get_bits(key.get()), plaintext.size()));
  out.resize(len);
  return out;
}

AesCbc::AesCbc(std::span<const std::uint8_t, 16> key, std::span<const std::uint8_t, 16> iv) {
  std::copy(key.begin(), key.end(), key_.begin());
  std::copy(iv.begin(), iv.end(), iv_.begin());
}

Result<AesCbc> AesCbc::FromKeyIv(std::span<const std::uint8_t> key_iv) {
  if (key_iv.size() != kPassthroughKeyIvSize)
    return Fail(Errc::kProtocol,
                fmt::format("passthrough: handshake key is {} bytes, expected 32", key_iv.size()));
  return AesCbc(key_iv.subspan<0, 16>(), key_iv.subspan<16, 16>());
}

std::string AesCbc::EncryptB64(std::string_view json) const {
  if (json.size() > static_cast<std::size_t>(INT_MAX) - 32)
    throw std::length_error("passthrough: message too large");
  Bytes ct((json.size() / 16 + 1) * 16);
  EVP_CIPHER_CTX* ctx =
      internal::ThreadAesCtx(key_.data(), iv_.data(), /*encrypt=*/true, /*padding=*/true);
  int n1 = 0, n2 = 0;
  internal::Check(
      EVP_EncryptUpdate(ctx, ct.data(), &n1, reinterpret_cast<const unsigned char*>(json.data()),
                        static_cast<int>(json.size())) == 1 &&
          EVP_EncryptFinal_ex(ctx, ct.data() + n1, &n2) == 1 &&
          static_cast<std::size_t>(n1 + n2) == ct.size(),
      "passthrough encrypt");
  return Base64Encode(ct);
}

Result<std::string> AesCbc::DecryptB64(std::string_view b64) const {
  // base64 of the padded largest message; checked before decoding allocates.
  constexpr std::size_t kMaxB64 = (kMaxMessageSize + 16 + 2) / 3 * 4;
  if (b64.size() > kMaxB64)
    return Fail(
        Errc::kProtocol,
        fmt::format("passthrough: message of {} base64 characters exceeds the {}-character limit",
                    b64.size(), kMaxB64));
  auto ct = Base64Decode(b64);
  if (!ct) return Fail(Wrap(ct.error(), "passthrough"));
  if (ct->empty() || ct->size() % 16 != 0)
    return Fail(
        Errc::kProtocol,
        fmt::format("passthrough: ciphertext of {} bytes is not a whole number of 16-byte blocks",
                    ct->size()));
  std::string plain(ct->size(), '\0');
  EVP_CIPHER_CTX* ctx =
      internal::ThreadAesCtx(key_.data(), iv_.data(), /*encrypt=*/false, /*padding=*/false);
  int n = 0;
  internal::Check(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &n,
                                    ct->data(), static_cast<int>(ct->size())) == 1 &&
                      static_cast<std::size_t>(n) == ct->size(),
                  "passthrough decrypt");
  if (!StripPkcs7Padding(plain)) return Fail(Errc::kProtocol, "passthrough: bad padding");
  return plain;
}

}  // namespace plugwatch::tapo
