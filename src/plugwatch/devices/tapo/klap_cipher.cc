#include "plugwatch/devices/tapo/klap_cipher.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace plugwatch::tapo {
namespace {

void PutBe32(std::int32_t v, std::uint8_t* out) {
  const auto u = static_cast<std::uint32_t>(v);
  out[0] = static_cast<std::uint8_t>(u >> 24);
  out[1] = static_cast<std::uint8_t>(u >> 16);
  out[2] = static_cast<std::uint8_t>(u >> 8);
  out[3] = static_cast<std::uint8_t>(u);
}

std::int32_t GetBe32(const std::uint8_t* in) {
  const std::uint32_t u = (std::uint32_t{in[0]} << 24) | (std::uint32_t{in[1]} << 16) |
                          (std::uint32_t{in[2]} << 8) | std::uint32_t{in[3]};
  return static_cast<std::int32_t>(u);  // modular since C++20
}

int CheckedInt(std::size_t n) {
  // Callers bound inputs far below this; a larger one is a bug.
  if (n > static_cast<std::size_t>(INT_MAX) - 32)
    throw std::length_error("KLAP: message too large");
  return static_cast<int>(n);
}

}  // namespace

Bytes AuthHash(KlapVersion version, std::string_view user, std::string_view pass) {
  if (version == KlapVersion::kV1) {
    return Hash(HashAlg::kMd5,
                {Hash(HashAlg::kMd5, {AsBytes(user)}), Hash(HashAlg::kMd5, {AsBytes(pass)})});
  }
  return Hash(HashAlg::kSha256,
              {Hash(HashAlg::kSha1, {AsBytes(user)}), Hash(HashAlg::kSha1, {AsBytes(pass)})});
}

Bytes Handshake1ServerHash(KlapVersion version, std::span<const std::uint8_t> local_seed,
                           std::span<const std::uint8_t> remote_seed,
                           std::span<const std::uint8_t> auth_hash) {
  if (version == KlapVersion::kV1) return Hash(HashAlg::kSha256, {local_seed, auth_hash});
  return Hash(HashAlg::kSha256, {local_seed, remote_seed, auth_hash});
}

Bytes Handshake2ClientHash(KlapVersion version, std::span<const std::uint8_t> local_seed,
                           std::span<const std::uint8_t> remote_seed,
                           std::span<const std::uint8_t> auth_hash) {
  if (version == KlapVersion::kV1) return Hash(HashAlg::kSha256, {remote_seed, auth_hash});
  return Hash(HashAlg::kSha256, {remote_seed, local_seed, auth_hash});
}

KlapCipher::KlapCipher(std::span<const std::uint8_t> local_seed,
                       std::span<const std::uint8_t> remote_seed,
                       std::span<const std::uint8_t> auth_hash) {
  const Bytes lsk = Hash(HashAlg::kSha256, {AsBytes("lsk"), local_seed, remote_seed, auth_hash});
  const Bytes iv = Hash(HashAlg::kSha256, {AsBytes("iv"), local_seed, remote_seed, auth_hash});
  const Bytes ldk = Hash(HashAlg::kSha256, {AsBytes("ldk"), local_seed, remote_seed, auth_hash});
  std::copy_n(lsk.begin(), key_.size(), key_.begin());
  std::copy_n(iv.begin(), iv_prefix_.size(), iv_prefix_.begin());
  seq_ = GetBe32(iv.data() + 28);
  std::copy_n(ldk.begin(), sig_.size(), sig_.begin());
}

void KlapCipher::MakeIv(std::int32_t seq, std::uint8_t* iv16) const {
  std::memcpy(iv16, iv_prefix_.data(), iv_prefix_.size());
  PutBe32(seq, iv16 + 12);
}

void KlapCipher::Sign(std::int32_t seq, std::span<const std::uint8_t> ciphertext,
                      std::uint8_t* out32) const {
  std::uint8_t seq_be[4];
  PutBe32(seq, seq_be);
  EVP_MD_CTX* ctx = internal::ThreadMdCtx();
  unsigned int len = 0;
  internal::Check(EVP_DigestInit_ex2(ctx, internal::Sha256(), nullptr) == 1 &&
                      EVP_DigestUpdate(ctx, sig_.data(), sig_.size()) == 1 &&
                      EVP_DigestUpdate(ctx, seq_be, sizeof seq_be) == 1 &&
                      EVP_DigestUpdate(ctx, ciphertext.data(), ciphertext.size()) == 1 &&
                      EVP_DigestFinal_ex(ctx, out32, &len) == 1,
                  "KLAP signature");
}

std::pair<std::int32_t, Bytes> KlapCipher::EncryptRequest(std::string_view json) {
  seq_ = static_cast<std::int32_t>(static_cast<std::uint32_t>(seq_) + 1u);
  return {seq_, EncryptAt(seq_, json)};
}

Bytes KlapCipher::EncryptAt(std::int32_t seq, std::string_view json) const {
  const int in_len = CheckedInt(json.size());
  const std::size_t padded = (json.size() / 16 + 1) * 16;
  Bytes out(kKlapSignatureSize + padded);
  std::uint8_t iv[16];
  MakeIv(seq, iv);
  // PKCS#7 padding by OpenSSL.
  EVP_CIPHER_CTX* ctx = internal::ThreadAesCtx(key_.data(), iv, /*encrypt=*/true, /*padding=*/true);
  std::uint8_t* ct = out.data() + kKlapSignatureSize;
  int n1 = 0, n2 = 0;
  internal::Check(
      EVP_EncryptUpdate(ctx, ct, &n1, reinterpret_cast<const unsigned char*>(json.data()),
                        in_len) == 1 &&
          EVP_EncryptFinal_ex(ctx, ct + n1, &n2) == 1 &&
          static_cast<std::size_t>(n1 + n2) == padded,
      "KLAP encrypt");
  Sign(seq, {ct, padded}, out.data());
  return out;
}

Result<std::string> KlapCipher::DecryptAt(std::int32_t seq, std::span<const std::uint8_t> body,
                                          bool verify_signature) const {
  if (body.size() < kKlapSignatureSize)
    return Fail(Errc::kProtocol, "KLAP: body shorter than 32-byte signature");
  if (body.size() > kMaxKlapBodySize)
    return Fail(Errc::kProtocol, fmt::format("KLAP: body of {} bytes exceeds the {}-byte limit",
                                             body.size(), kMaxKlapBodySize));
  const auto ct = body.subspan(kKlapSignatureSize);
  if (verify_signature) {
    std::uint8_t expected[kKlapSignatureSize];
    Sign(seq, ct, expected);
    if (!ConstantTimeEquals(expected, body.first(kKlapSignatureSize)))
      return Fail(Errc::kProtocol, "KLAP: signature mismatch");
  }
  if (ct.empty()) return Fail(Errc::kProtocol, "KLAP: empty ciphertext");
  if (ct.size() % 16 != 0)
    return Fail(Errc::kProtocol,
                fmt::format("KLAP: ciphertext of {} bytes is not a whole number of 16-byte blocks",
                            ct.size()));

  std::string plain(ct.size(), '\0');
  std::uint8_t iv[16];
  MakeIv(seq, iv);
  // No padding: StripPkcs7Padding checks it, to name the error.
  EVP_CIPHER_CTX* ctx =
      internal::ThreadAesCtx(key_.data(), iv, /*encrypt=*/false, /*padding=*/false);
  int n = 0;
  internal::Check(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(plain.data()), &n,
                                    ct.data(), CheckedInt(ct.size())) == 1 &&
                      static_cast<std::size_t>(n) == ct.size(),
                  "KLAP decrypt");
  if (!StripPkcs7Padding(plain)) return Fail(Errc::kProtocol, "KLAP: bad padding");
  return plain;
}

}  // namespace plugwatch::tapo
