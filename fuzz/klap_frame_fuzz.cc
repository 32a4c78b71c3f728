// A KLAP response body as the client receives it (PROTOCOLS.md §1.4): a
// 32-byte signature and AES-128-CBC ciphertext, at the sequence number the
// client sent. The first 4 input bytes pick the seq, the rest is the body.
// Properties: DecryptAt never crashes on any body; a frame the cipher built
// itself decrypts to its plaintext at its seq and fails at another.
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/klap_cipher.h"

using namespace plugwatch::tapo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const KlapCipher cipher = [] {
    Bytes local(kKlapSeedSize, 0x11), remote(kKlapSeedSize, 0x22);
    return KlapCipher(local, remote, AuthHash(KlapVersion::kV2, "user@example.com", "secret"));
  }();
  if (size < 4) return 0;
  std::int32_t seq = 0;
  std::memcpy(&seq, data, 4);
  const std::span<const std::uint8_t> body(data + 4, size - 4);
  (void)cipher.DecryptAt(seq, body, true);
  (void)cipher.DecryptAt(seq, body, false);

  // The body as plaintext, framed and read back.
  if (body.size() <= kMaxKlapPlaintextSize) {
    const std::string_view plain = AsText(body);
    const Bytes frame = cipher.EncryptAt(seq, plain);
    auto back = cipher.DecryptAt(seq, frame, true);
    PW_FUZZ_CHECK(back && *back == plain, "a frame does not decrypt to its plaintext");
    PW_FUZZ_CHECK(!cipher.DecryptAt(seq ^ 1, frame, true), "a frame verified at another seq");
  }
  return 0;
}
