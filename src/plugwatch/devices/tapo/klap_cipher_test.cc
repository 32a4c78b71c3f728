// Known vectors computed independently with Python (hashlib and the
// `cryptography` package; the AES part cross-checked with `openssl enc`), see
// testdata/gen_klap_vectors.py. Seeds: local = 00..0f, remote = a0..af;
// credentials user@example.com / s3cret!.
#include "plugwatch/devices/tapo/klap_cipher.h"

#include <gtest/gtest.h>

#include <climits>
#include <thread>

namespace plugwatch::tapo {
namespace {

Bytes LocalSeed() {
  Bytes b(16);
  for (int i = 0; i < 16; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}
Bytes RemoteSeed() {
  Bytes b(16);
  for (int i = 0; i < 16; ++i) b[i] = static_cast<std::uint8_t>(0xA0 + i);
  return b;
}

constexpr std::string_view kUser = "user@example.com";
constexpr std::string_view kPass = "s3cret!";
constexpr std::string_view kPlain = R"({"method":"get_device_info"})";

TEST(KlapAuthHash, V1IsMd5OfMd5s) {
  EXPECT_EQ(ToHex(AuthHash(KlapVersion::kV1, kUser, kPass)), "bbe181331d084460a358d8be96ef2b10");
  EXPECT_EQ(ToHex(AuthHash(KlapVersion::kV1, "", "")), "5873dd45edd01f09c1ef2e7819369e8e");
}

TEST(KlapAuthHash, V2IsSha256OfSha1s) {
  EXPECT_EQ(ToHex(AuthHash(KlapVersion::kV2, kUser, kPass)),
            "d39e0f111bcff0460e044b2b15539e6d0592f748e636ef6bdb9fe61175e0515e");
  EXPECT_EQ(ToHex(AuthHash(KlapVersion::kV2, "", "")),
            "b8628ab91c74f531603f6d5b45e730e54c123a7247b8978272c03f1e13560cea");
}

TEST(KlapHandshake, V1Hashes) {
  const Bytes auth = AuthHash(KlapVersion::kV1, kUser, kPass);
  EXPECT_EQ(ToHex(Handshake1ServerHash(KlapVersion::kV1, LocalSeed(), RemoteSeed(), auth)),
            "2fefd35462dd4689f3b8a43314ea5f2d028bbd072e9155c811ec086a6776159b");
  EXPECT_EQ(ToHex(Handshake2ClientHash(KlapVersion::kV1, LocalSeed(), RemoteSeed(), auth)),
            "a92435e19f1d7538deee79080e4b6fd9b167df1aff8d224dd38a197f4c4add49");
}

TEST(KlapHandshake, V2Hashes) {
  const Bytes auth = AuthHash(KlapVersion::kV2, kUser, kPass);
  EXPECT_EQ(ToHex(Handshake1ServerHash(KlapVersion::kV2, LocalSeed(), RemoteSeed(), auth)),
            "2f04f613e59ee5488a271605088749df1787a4db8598e28ddeb0568469c1bb24");
  EXPECT_EQ(ToHex(Handshake2ClientHash(KlapVersion::kV2, LocalSeed(), RemoteSeed(), auth)),
            "64ed426395b938150b5a1e91e6978cc7569359140551b4319cf20ab15821c0c7");
}

TEST(KlapDefaultCredentials, MatchPythonKasaOrder) {
  ASSERT_EQ(kDefaultCredentials.size(), 3u);
  EXPECT_EQ(kDefaultCredentials[0].username, "kasa@tp-link.net");
  EXPECT_EQ(kDefaultCredentials[0].password, "kasaSetup");
  EXPECT_EQ(kDefaultCredentials[1].username, "test@tp-link.net");
  EXPECT_EQ(kDefaultCredentials[1].password, "test");
  EXPECT_EQ(kDefaultCredentials[2].username, "");
  EXPECT_EQ(kDefaultCredentials[2].password, "");
}

TEST(KlapCipher, DerivesV1SessionMaterial) {
  KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV1, kUser, kPass));
  EXPECT_EQ(ToHex(c.key()), "95fb507dfd9a47a7ddd91113b048957e");
  EXPECT_EQ(ToHex(c.iv_prefix()), "112a331ded7fab742dc76431");
  EXPECT_EQ(c.seq(), -1252420641);
  EXPECT_EQ(ToHex(c.sig()), "ad4e0f2b006d7c4d930ab52130b179249edcab640e3825140d0843fb");
}

TEST(KlapCipher, DerivesV2SessionMaterial) {
  KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  EXPECT_EQ(ToHex(c.key()), "2af91555d26ae6b5d7cf7e066b77e2bf");
  EXPECT_EQ(ToHex(c.iv_prefix()), "ccd2404e9f77ebb252fd433a");
  EXPECT_EQ(c.seq(), -516639196);  // negative initial seq: the last 4 bytes are signed
  EXPECT_EQ(ToHex(c.sig()), "98b412e08f40567dc9a5fc05d4d0630a8707913f3d903d2741348a0f");
}

TEST(KlapCipher, EncryptRequestIncrementsSeqFirst) {
  KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  auto [seq, body] = c.EncryptRequest(kPlain);
  EXPECT_EQ(seq, -516639195);
  EXPECT_EQ(c.seq(), -516639195);
  EXPECT_EQ(ToHex(body),
            "ec9356f1cda022a78182df5400cc34dab58508193f9d130aecf836764a87b39c"
            "ea6c2407f9a881c865ff382982ccdc3166edbc2827bb57b43cfee635d9b13f65");
}

TEST(KlapCipher, V1RequestBody) {
  KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV1, kUser, kPass));
  auto [seq, body] = c.EncryptRequest(kPlain);
  EXPECT_EQ(seq, -1252420640);
  EXPECT_EQ(ToHex(body),
            "9d7495dbae8cc6fe66f37982811b0f5f7aa22960b043d0cf2edfe0568f62ba2d"
            "5bba2787f73d4a6fa06763958f6be149ce03211920947b7e943db1d01308561a");
}

TEST(KlapCipher, EncryptAtNegativeSeq) {
  const KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  EXPECT_EQ(ToHex(c.EncryptAt(-5, kPlain)),
            "e38927feb8e8abac42fe23bd440e7e685e4c47263c3edf557042fcdabc05e73c"
            "eac2c9e32ab49534d4dd00c04c8bd47dba77dfe8788fb6d0516cec84ee0c5894");
  EXPECT_EQ(c.seq(), -516639196);  // EncryptAt leaves the request counter alone
}

TEST(KlapCipher, SeqWrapsFromInt32MaxToInt32Min) {
  KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  c.SetSeqForTesting(INT32_MAX - 1);
  auto [max_seq, max_body] = c.EncryptRequest(kPlain);
  EXPECT_EQ(max_seq, INT32_MAX);
  EXPECT_EQ(ToHex(max_body),
            "2e2d58aacdf341d3a8e4f3688693a9331137e92dabfc92eea8ed4b21c48d5736"
            "d0db5b178c979b76fd5c7ca0e833a703f32198e12bbc255bed90bc4185dfb458");
  auto [min_seq, min_body] = c.EncryptRequest(kPlain);
  EXPECT_EQ(min_seq, INT32_MIN);
  EXPECT_EQ(ToHex(min_body),
            "82405377bac6a7e5110e947f6de74a440b4f626594059c016ac69753796e403f"
            "4b94cef6f511d6478d7906ec610b608289582732df2d154add9ff4fa1d76bc92");
  EXPECT_EQ(c.EncryptRequest(kPlain).first, INT32_MIN + 1);
}

TEST(KlapCipher, RoundTripsAtManySeqsAndSizes) {
  KlapCipher client(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  const KlapCipher server(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 1000u}) {
    const std::string text(len, 'x');
    auto [seq, body] = client.EncryptRequest(text);
    auto opened = server.DecryptAt(seq, body, /*verify_signature=*/true);
    ASSERT_TRUE(opened) << opened.error().context;
    EXPECT_EQ(*opened, text);
    EXPECT_EQ(body.size(), 32 + (len / 16 + 1) * 16);
    // The answer travels with the same seq; the client does not check its signature.
    auto answer = client.DecryptAt(seq, server.EncryptAt(seq, "ok " + text), false);
    ASSERT_TRUE(answer);
    EXPECT_EQ(*answer, "ok " + text);
  }
}

// Table test for DecryptAt: valid, truncated, oversized, bad padding, garbage.
TEST(KlapCipher, DecryptAtTable) {
  const KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  const Bytes valid = c.EncryptAt(7, kPlain);
  // A block that decrypts to text ending in 0x00, which no PKCS#7 padding
  // does: encrypt 16 bytes ending in 0x00 and drop the padding block after them.
  Bytes bad_padding = c.EncryptAt(7, std::string(15, 'a') + '\0');
  bad_padding.resize(32 + 16);
  Bytes garbage(32 + 48);
  for (std::size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
  Bytes flipped = valid;
  flipped.back() ^= 0x01;

  struct Case {
    const char* name;
    Bytes body;
    std::int32_t seq;
    bool verify;
    const char* want;  // nullptr: succeeds with kPlain
  };
  const Case cases[] = {
      {"valid", valid, 7, true, nullptr},
      {"valid unverified", valid, 7, false, nullptr},
      {"empty", {}, 7, false, "KLAP: body shorter than 32-byte signature"},
      {"truncated signature", Bytes(valid.begin(), valid.begin() + 31), 7, false,
       "KLAP: body shorter than 32-byte signature"},
      {"signature only", Bytes(valid.begin(), valid.begin() + 32), 7, false,
       "KLAP: empty ciphertext"},
      {"truncated ciphertext", Bytes(valid.begin(), valid.end() - 1), 7, false,
       "KLAP: ciphertext of 31 bytes is not a whole number of 16-byte blocks"},
      {"truncated ciphertext, verified", Bytes(valid.begin(), valid.end() - 1), 7, true,
       "KLAP: signature mismatch"},
      {"oversized", Bytes(kMaxKlapBodySize + 1), 7, false,
       "KLAP: body of 65585 bytes exceeds the 65584-byte limit"},
      {"bad padding", bad_padding, 7, false, "KLAP: bad padding"},
      {"wrong seq, verified", valid, 8, true, "KLAP: signature mismatch"},
      {"garbage, verified", garbage, 7, true, "KLAP: signature mismatch"},
      {"garbage, unverified", garbage, 7, false, "KLAP: bad padding"},
      {"flipped last byte", flipped, 7, false, "KLAP: bad padding"},
  };
  for (const Case& t : cases) {
    auto r = c.DecryptAt(t.seq, t.body, t.verify);
    if (t.want == nullptr) {
      ASSERT_TRUE(r) << t.name << ": " << r.error().context;
      EXPECT_EQ(*r, kPlain) << t.name;
    } else {
      ASSERT_FALSE(r) << t.name;
      EXPECT_TRUE(r.error().Is(Errc::kProtocol)) << t.name;
      EXPECT_EQ(r.error().context, t.want) << t.name;
    }
  }
}

TEST(KlapCipher, WrongSeqWithoutVerificationGarblesOnlyTheFirstBlock) {
  // CBC: the IV (hence seq) only feeds the first block, so the padding in the
  // last block still checks out. Servers therefore verify the signature.
  const KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  auto r = c.DecryptAt(8, c.EncryptAt(7, kPlain), false);
  ASSERT_TRUE(r);
  EXPECT_NE(*r, kPlain);
  EXPECT_EQ(r->substr(16), kPlain.substr(16));
}

TEST(KlapCipher, LargestPlaintextFitsTheLimit) {
  const KlapCipher c(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  const std::string big(kMaxKlapPlaintextSize, 'z');
  const Bytes body = c.EncryptAt(1, big);
  EXPECT_EQ(body.size(), kMaxKlapBodySize);
  auto r = c.DecryptAt(1, body, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), big.size());
}

TEST(KlapCipher, MovedCipherKeepsWorking) {
  KlapCipher a(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  KlapCipher b = std::move(a);
  auto [seq, body] = b.EncryptRequest(kPlain);
  EXPECT_EQ(seq, -516639195);
  EXPECT_EQ(*b.DecryptAt(seq, body, true), kPlain);
}

// Sessions share the thread's OpenSSL contexts: interleaving two sessions'
// messages, and using a session from another thread, must not mix up keys.
TEST(KlapCipher, InterleavedSessionsAndThreadsKeepTheirOwnKeys) {
  const KlapCipher v1(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV1, kUser, kPass));
  const KlapCipher v2(LocalSeed(), RemoteSeed(), AuthHash(KlapVersion::kV2, kUser, kPass));
  const Bytes a = v1.EncryptAt(7, kPlain);
  const Bytes b = v2.EncryptAt(7, kPlain);
  EXPECT_NE(a, b);
  EXPECT_EQ(*v1.DecryptAt(7, a, true), kPlain);
  EXPECT_EQ(*v2.DecryptAt(7, b, true), kPlain);
  EXPECT_FALSE(v1.DecryptAt(7, b, true));  // v2's frame is not v1's
  EXPECT_EQ(v1.EncryptAt(7, kPlain), a);   // still v1's key after v2 used the contexts
  Bytes from_thread;
  std::thread([&] { from_thread = v2.EncryptAt(7, kPlain); }).join();
  EXPECT_EQ(from_thread, b);
}

}  // namespace
}  // namespace plugwatch::tapo
