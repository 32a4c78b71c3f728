// Known vectors computed independently with Python (hashlib, base64 and the
// `cryptography` package), see testdata/gen_klap_vectors.py.
#include "plugwatch/devices/tapo/passthrough_crypto.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace plugwatch::tapo {
namespace {

// A 1024-bit RSA public key in the usual 64-column PEM, made by Python.
constexpr std::string_view kWrappedRsaPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCz4M6/5soePW82IN6kj6SbYOv6\n"
    "ty51Ox6Sgr5R/q9Qc3JSIaBC7EfomlwwaRYkIY2uXGPhzx1twuJEpDbG+QU2DdZJ\n"
    "A1+CGOpGbMFH/v31YA/UbcaBHpC45BjDuJMxzNMh9AiE9UX+5vEwFo/cDmURjhF0\n"
    "9mItv6gmZ+0PGpPNgwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view kEcPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgXNPmsMW4iOaPMwpzJWDyYylLpq0\n"
    "D797yuROHPJKt2L7yiBCYHnb7uYZWM5ENxdgnBXFHHdcw7y3wbr4ma19RA==\n"
    "-----END PUBLIC KEY-----\n";

Bytes Range(std::uint8_t from, std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(from + i);
  return b;
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64DecodeText(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, DecodesUtf8AndUnpaddedInput) {
  EXPECT_EQ(*Base64DecodeText("S8O8Y2hlIFdhc2NobWFzY2hpbmU="), "Küche Waschmaschine");
  EXPECT_EQ(*Base64DecodeText("Zm9vYg"), "foob");
  EXPECT_EQ(*Base64DecodeText("Zm9vYmE"), "fooba");
}

TEST(Base64, RejectsGarbage) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"Zm9vY", "invalid base64 (bad length)"},
      {"Zm9v!mFy", "invalid base64 (unexpected character)"},
      {"Zm9v Ym=", "invalid base64 (unexpected character)"},
      {"Zm=v", "invalid base64 (unexpected character)"},
      {"====", "invalid base64 (unexpected character)"},
  };
  for (auto [input, want] : cases) {
    auto r = Base64Decode(input);
    ASSERT_FALSE(r) << input;
    EXPECT_TRUE(r.error().Is(Errc::kParse));
    EXPECT_EQ(r.error().context, want) << input;
  }
}

TEST(Sha1Hex, IsLowercaseHex) {
  EXPECT_EQ(Sha1Hex("user@example.com"), "63a710569261a24b3766275b7000ce8d7b32e2f7");
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(LoginParams, V1SendsBase64Password) {
  EXPECT_EQ(boost::json::serialize(LoginParams("user@example.com", "s3cret!", false)),
            R"({"username":"NjNhNzEwNTY5MjYxYTI0YjM3NjYyNzViNzAwMGNlOGQ3YjMyZTJmNw==",)"
            R"("password":"czNjcmV0IQ=="})");
}

TEST(LoginParams, V2SendsBase64OfSha1HexAsPassword2) {
  EXPECT_EQ(boost::json::serialize(LoginParams("user@example.com", "s3cret!", true)),
            R"({"username":"NjNhNzEwNTY5MjYxYTI0YjM3NjYyNzViNzAwMGNlOGQ3YjMyZTJmNw==",)"
            R"("password2":"NjE2NWM4OTAzM2MzN2ViMjdhMjM4Yzk1ZmI0OTJhNGM5NzUzZTUyMQ=="})");
}

TEST(RsaKeyPair, PemIsOneBase64LineOfSpki) {
  auto keys = RsaKeyPair::Generate();
  ASSERT_TRUE(keys) << keys.error().context;
  const std::string& pem = keys->public_key_pem();
  constexpr std::string_view kBegin = "-----BEGIN PUBLIC KEY-----\n";
  constexpr std::string_view kEnd = "\n-----END PUBLIC KEY-----\n";
  ASSERT_TRUE(pem.starts_with(kBegin)) << pem;
  ASSERT_TRUE(pem.ends_with(kEnd)) << pem;
  const std::string body = pem.substr(kBegin.size(), pem.size() - kBegin.size() - kEnd.size());
  EXPECT_EQ(body.find('\n'), std::string::npos);
  // DER SubjectPublicKeyInfo of RSA-1024 with e = 65537 is 162 bytes, 216 in base64.
  EXPECT_EQ(body.size(), 216u);
  auto der = Base64Decode(body);
  ASSERT_TRUE(der);
  EXPECT_EQ(der->size(), 162u);
  EXPECT_TRUE(
      body.starts_with("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ"));  // SEQUENCE, rsaEncryption OID
}

TEST(RsaKeyPair, EncryptWithPemThenDecryptRoundTrips) {
  auto keys = RsaKeyPair::Generate();
  ASSERT_TRUE(keys);
  const Bytes key_iv = Range(0x40, 32);
  auto ct = RsaEncrypt(keys->public_key_pem(), key_iv);
  ASSERT_TRUE(ct) << ct.error().context;
  EXPECT_EQ(ct->size(), 128u);
  auto pt = keys->Decrypt(*ct);
  ASSERT_TRUE(pt) << pt.error().context;
  EXPECT_EQ(*pt, key_iv);
  // PKCS#1 v1.5 is randomised: a second encryption differs but opens the same.
  auto ct2 = RsaEncrypt(keys->public_key_pem(), key_iv);
  EXPECT_NE(*ct2, *ct);
  EXPECT_EQ(*keys->Decrypt(*ct2), key_iv);
}

TEST(RsaKeyPair, DecryptRejectsGarbage) {
  auto keys = RsaKeyPair::Generate();
  ASSERT_TRUE(keys);
  for (const Bytes& garbage : {Bytes{}, Bytes(128, 0x55), Range(1, 50)}) {
    auto r = keys->Decrypt(garbage);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().context, "passthrough: cannot decrypt the handshake key with our RSA key");
  }
}

TEST(RsaEncrypt, AcceptsWrappedPemFromOtherTools) {
  auto ct = RsaEncrypt(kWrappedRsaPem, Range(0, 32));
  ASSERT_TRUE(ct) << ct.error().context;
  EXPECT_EQ(ct->size(), 128u);
}

TEST(RsaEncrypt, RejectsWhatIsNotAnRsaPem) {
  for (std::string_view pem :
       {kEcPem, std::string_view("hello"), std::string_view(""),
        std::string_view("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        std::string_view("-----END PUBLIC KEY----------BEGIN PUBLIC KEY-----")}) {
    auto r = RsaEncrypt(pem, Range(0, 32));
    ASSERT_FALSE(r) << pem;
    EXPECT_TRUE(r.error().Is(Errc::kInvalidArgument));
    EXPECT_EQ(r.error().context, "passthrough: the handshake key is not a PEM RSA public key");
  }
}

TEST(AesCbc, KnownVector) {
  const Bytes key_iv = Range(0x10, 32);  // key 10..1f, iv 20..2f
  auto aes = AesCbc::FromKeyIv(key_iv);
  ASSERT_TRUE(aes);
  constexpr std::string_view kJson = R"({"method":"login_device","params":{"username":"x"}})";
  EXPECT_EQ(
      aes->EncryptB64(kJson),
      "K6dsT55RedLJxCgKUJW7d3pRnS3v7nFgdbtsV62gTDOyJ4ZeiFo6QjfH5x4RL1g1Cq1CA1mnqsXUwb2Naeii3Q==");
  // Fixed IV: the same text always gives the same ciphertext.
  EXPECT_EQ(aes->EncryptB64(kJson), aes->EncryptB64(kJson));
  EXPECT_EQ(*aes->DecryptB64(aes->EncryptB64(kJson)), kJson);
  EXPECT_EQ(*aes->DecryptB64(aes->EncryptB64("")), "");
}

TEST(AesCbc, FromKeyIvNeeds32Bytes) {
  auto r = AesCbc::FromKeyIv(Range(0, 31));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context, "passthrough: handshake key is 31 bytes, expected 32");
}

TEST(AesCbc, DecryptTable) {
  auto aes = AesCbc::FromKeyIv(Range(0x10, 32));
  ASSERT_TRUE(aes);
  const std::string valid = aes->EncryptB64("hello");
  // One block whose plaintext ends in 0x00: the first block of a 2-block text.
  Bytes two_blocks = *Base64Decode(aes->EncryptB64(std::string(15, 'a') + '\0'));
  two_blocks.resize(16);
  const std::string bad_padding = Base64Encode(two_blocks);
  const std::pair<std::string, std::string_view> cases[] = {
      {"", "passthrough: ciphertext of 0 bytes is not a whole number of 16-byte blocks"},
      {valid.substr(0, 20),
       "passthrough: ciphertext of 15 bytes is not a whole number of 16-byte blocks"},
      {"not base64!", "passthrough: invalid base64 (unexpected character)"},
      {bad_padding, "passthrough: bad padding"},
      {std::string(87408, 'A'),
       "passthrough: message of 87408 base64 characters exceeds the 87404-character limit"},
  };
  for (const auto& [input, want] : cases) {
    auto r = aes->DecryptB64(input);
    ASSERT_FALSE(r) << input.substr(0, 40);
    EXPECT_EQ(r.error().context, want);
  }
  EXPECT_EQ(*aes->DecryptB64(valid), "hello");
}

}  // namespace
}  // namespace plugwatch::tapo
