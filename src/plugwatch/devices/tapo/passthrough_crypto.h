// Crypto of the legacy "securePassthrough" transport (PROTOCOLS.md §1.7): the
// client's RSA-1024 key pair and its PEM form, RSA PKCS#1 v1.5 for the 32-byte
// session key‖iv the device sends back, AES-128-CBC with that fixed key and IV
// for every later message, base64, and the login_device params. Pure; no I/O.
//
// Free functions are thread-safe. RsaKeyPair is immutable after Generate and
// may be shared. AesCbc reuses cached OpenSSL contexts even in const methods:
// one thread at a time per object. Both are movable, not copyable.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "plugwatch/core/error.h"
#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/openssl_util.h"

namespace plugwatch::tapo {

// Standard alphabet with '=' padding.
std::string Base64Encode(std::span<const std::uint8_t> bytes);
inline std::string Base64Encode(std::string_view text) { return Base64Encode(AsBytes(text)); }
// Accepts the standard alphabet, with or without the trailing '=' padding; no
// whitespace. Fails with kParse "invalid base64 (<reason>)".
Result<Bytes> Base64Decode(std::string_view text);
// Base64Decode as text (the nickname and ssid of get_device_info).
Result<std::string> Base64DecodeText(std::string_view text);

// The 40-character lowercase hex SHA-1 of text.
std::string Sha1Hex(std::string_view text);

// login_device params: {"username": B64(sha1_hex(user)), "password": B64(pass)}
// for login version 1; version 2 (lv=2) sends "password2": B64(sha1_hex(pass))
// instead of "password".
boost::json::object LoginParams(std::string_view user, std::string_view pass, bool v2);

class RsaKeyPair {
 public:
  // A fresh key pair (the protocol uses 1024 bits). Fails with kInternal if
  // OpenSSL cannot generate one.
  static Result<RsaKeyPair> Generate(unsigned bits = 1024);

  // "-----BEGIN PUBLIC KEY-----\n" + base64(DER SubjectPublicKeyInfo) on ONE
  // line + "\n-----END PUBLIC KEY-----\n", exactly what python-kasa sends
  // (its handshake body then has the Content-Length 314 devices expect).
  const std::string& public_key_pem() const { return public_key_pem_; }

  // RSA PKCS#1 v1.5 decryption with the private key. Fails with kProtocol
  // "passthrough: cannot decrypt the handshake key with our RSA key".
  Result<Bytes> Decrypt(std::span<const std::uint8_t> ciphertext) const;

 private:
  RsaKeyPair(internal::PkeyPtr key, std::string pem);
  internal::PkeyPtr key_;
  std::string public_key_pem_;
};

// RSA PKCS#1 v1.5 encryption with a peer's public key, given as PEM
// SubjectPublicKeyInfo (one line or wrapped at any width). The emulator uses it
// to send key‖iv. Fails with kInvalidArgument "passthrough: the handshake key
// is not a PEM RSA public key" or kProtocol when the key is too small.
Result<Bytes> RsaEncrypt(std::string_view public_key_pem, std::span<const std::uint8_t> plaintext);

inline constexpr std::size_t kPassthroughKeyIvSize = 32;

class AesCbc {
 public:
  AesCbc(std::span<const std::uint8_t, 16> key, std::span<const std::uint8_t, 16> iv);
  // From the 32 bytes of the handshake: key = [0:16], iv = [16:32]. Fails with
  // kProtocol "passthrough: handshake key is <n> bytes, expected 32".
  static Result<AesCbc> FromKeyIv(std::span<const std::uint8_t> key_iv);

  // base64(AES-128-CBC(key, iv, PKCS7(json))).
  std::string EncryptB64(std::string_view json) const;
  // Inverse of EncryptB64. Fails with kParse (bad base64) or kProtocol
  // "passthrough: ciphertext of <n> bytes is not a whole number of 16-byte
  // blocks", "passthrough: bad padding", or "passthrough: message of <n> base64
  // characters exceeds the 87404-character limit" (64 KiB of JSON).
  Result<std::string> DecryptB64(std::string_view b64) const;

  const std::array<std::uint8_t, 16>& key() const { return key_; }
  const std::array<std::uint8_t, 16>& iv() const { return iv_; }

 private:
  std::array<std::uint8_t, 16> key_{};
  std::array<std::uint8_t, 16> iv_{};
  // No OpenSSL contexts of its own: each message uses the thread's
  // (openssl_util.h ThreadAesCtx), as KlapCipher does.
};

}  // namespace plugwatch::tapo
