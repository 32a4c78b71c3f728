// Small crypto building blocks shared by the Tapo codecs: digests over
// concatenated parts, hex, constant-time comparison and random bytes, all on
// OpenSSL 3. Algorithms are fetched once per process and shared (OpenSSL
// algorithm objects are immutable), so every function here is thread-safe.
// Failures of OpenSSL itself (out of memory, a provider missing at start-up)
// are bugs or start-up failures and throw std::runtime_error.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plugwatch::tapo {

using Bytes = std::vector<std::uint8_t>;

enum class HashAlg { kMd5, kSha1, kSha256 };

// The digest of parts[0] ‖ parts[1] ‖ …: 16, 20 or 32 bytes.
Bytes Hash(HashAlg alg, std::initializer_list<std::span<const std::uint8_t>> parts);

inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsText(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lowercase hex, two characters per byte.
std::string ToHex(std::span<const std::uint8_t> bytes);

// True when a and b have the same length and content; the time taken does not
// depend on where they differ.
bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Removes PKCS#7 padding for 16-byte blocks in place: the last byte n (1..16)
// and the n bytes ending the text, all equal to n. False, and text unchanged,
// when the padding is malformed.
bool StripPkcs7Padding(std::string& text);

// n bytes from OpenSSL's CSPRNG.
Bytes RandomBytes(std::size_t n);

}  // namespace plugwatch::tapo
