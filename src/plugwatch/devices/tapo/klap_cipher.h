// KLAP: the hashes of the two-step handshake and the per-session cipher that
// frames Tapo/Kasa requests (PROTOCOLS.md §1.2–§1.4). Pure byte work, no I/O:
// the client session and the emulator (sim/tapo_device) both build on it.
//
// Handshake, client view:
//   local_seed = 16 random bytes → POST /app/handshake1
//   ← remote_seed (16) ‖ server_hash (32); check server_hash against
//     Handshake1ServerHash(v, local, remote, AuthHash(v, user, pass)), falling
//     back to kDefaultCredentials when it does not match
//   POST /app/handshake2 with Handshake2ClientHash(v, local, remote, auth)
//   KlapCipher cipher(local, remote, auth); then per request
//   auto [seq, body] = cipher.EncryptRequest(json)  → POST /app/request?seq=<seq>
//   cipher.DecryptAt(seq, response_body, false)     → the JSON answer
//
// A KlapCipher belongs to one session. It keeps only the derived session
// material (60 bytes): each message sets its key and IV on the calling
// thread's OpenSSL contexts (openssl_util.h ThreadAesCtx), so 10,000 sessions
// do not hold 10,000 sets of contexts (docs/adr/0007-poll-path-performance.md).
// Thread-safe for const use; movable and copyable.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "plugwatch/core/error.h"
#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/openssl_util.h"

namespace plugwatch::tapo {

// v1: Kasa IOT devices (md5-based auth hash); v2: Tapo SMART devices.
enum class KlapVersion { kV1, kV2 };

inline constexpr std::size_t kKlapSeedSize = 16;
inline constexpr std::size_t kKlapSignatureSize = 32;
// Largest JSON text either side accepts inside a KLAP frame.
inline constexpr std::size_t kMaxKlapPlaintextSize = 64 * 1024;
// Signature + the PKCS#7-padded largest plaintext.
inline constexpr std::size_t kMaxKlapBodySize = kKlapSignatureSize + kMaxKlapPlaintextSize + 16;

// The built-in credential sets python-kasa tries when the server hash does not
// match the user's own (§1.2), in that order. A device bound to the cloud may
// answer with any of them.
struct KlapCredentials {
  std::string_view name;  // "kasa", "tapo", "blank": safe to log, unlike the rest
  std::string_view username;
  std::string_view password;
};
inline constexpr std::array<KlapCredentials, 3> kDefaultCredentials{{
    {"kasa", "kasa@tp-link.net", "kasaSetup"},
    {"tapo", "test@tp-link.net", "test"},
    {"blank", "", ""},
}};

// v1: md5(md5(user) ‖ md5(pass)), 16 bytes.
// v2: sha256(sha1(user) ‖ sha1(pass)), 32 bytes.
Bytes AuthHash(KlapVersion version, std::string_view user, std::string_view pass);

// The 32-byte hash the device appends to remote_seed in handshake1.
// v1: sha256(local ‖ auth); v2: sha256(local ‖ remote ‖ auth).
Bytes Handshake1ServerHash(KlapVersion version, std::span<const std::uint8_t> local_seed,
                           std::span<const std::uint8_t> remote_seed,
                           std::span<const std::uint8_t> auth_hash);

// The 32-byte body of handshake2.
// v1: sha256(remote ‖ auth); v2: sha256(remote ‖ local ‖ auth).
Bytes Handshake2ClientHash(KlapVersion version, std::span<const std::uint8_t> local_seed,
                           std::span<const std::uint8_t> remote_seed,
                           std::span<const std::uint8_t> auth_hash);

class KlapCipher {
 public:
  // Derives, with H = local ‖ remote ‖ auth_hash (same for v1 and v2):
  //   key = sha256("lsk" ‖ H)[0:16], iv_prefix = sha256("iv" ‖ H)[0:12],
  //   seq = int32 big-endian of sha256("iv" ‖ H)[28:32], sig = sha256("ldk" ‖ H)[0:28].
  // The seeds are 16 bytes in the protocol; callers check that while parsing
  // handshake bodies (any length derives something, but not what a peer has).
  KlapCipher(std::span<const std::uint8_t> local_seed, std::span<const std::uint8_t> remote_seed,
             std::span<const std::uint8_t> auth_hash);

  // The sequence number of the last request (initially the derived one).
  std::int32_t seq() const { return seq_; }

  // Client side: advances seq by one (wrapping from INT32_MAX to INT32_MIN like
  // the int32 counters of real clients), then frames `json` at that seq.
  // Returns {seq, signature ‖ ciphertext}; send it as /app/request?seq=<seq>.
  std::pair<std::int32_t, Bytes> EncryptRequest(std::string_view json);

  // Frames `json` at `seq` without touching seq(): sha256(sig ‖ seq_be ‖ ct) ‖ ct
  // with ct = AES-128-CBC(key, iv_prefix ‖ seq_be, PKCS7(json)). The emulator
  // answers a request with the same seq (hence the same IV) it arrived with.
  Bytes EncryptAt(std::int32_t seq, std::string_view json) const;

  // Opens a frame made at `seq`. Clients do not check the signature of
  // responses (devices are not known to sign them faithfully), servers do.
  // Fails with kProtocol:
  //   "KLAP: body shorter than 32-byte signature"
  //   "KLAP: body of <n> bytes exceeds the 65584-byte limit"
  //   "KLAP: signature mismatch"                     (only when verify_signature)
  //   "KLAP: empty ciphertext"
  //   "KLAP: ciphertext of <n> bytes is not a whole number of 16-byte blocks"
  //   "KLAP: bad padding"
  Result<std::string> DecryptAt(std::int32_t seq, std::span<const std::uint8_t> body,
                                bool verify_signature) const;

  // Derived session material, for tests and debugging (never log key or sig).
  const std::array<std::uint8_t, 16>& key() const { return key_; }
  const std::array<std::uint8_t, 12>& iv_prefix() const { return iv_prefix_; }
  const std::array<std::uint8_t, 28>& sig() const { return sig_; }

  // Lets tests reach the int32 wrap without 2^31 requests.
  void SetSeqForTesting(std::int32_t seq) { seq_ = seq; }

 private:
  void Sign(std::int32_t seq, std::span<const std::uint8_t> ciphertext, std::uint8_t* out32) const;
  void MakeIv(std::int32_t seq, std::uint8_t* iv16) const;

  std::array<std::uint8_t, 16> key_{};
  std::array<std::uint8_t, 12> iv_prefix_{};
  std::array<std::uint8_t, 28> sig_{};
  std::int32_t seq_ = 0;
};

}  // namespace plugwatch::tapo
