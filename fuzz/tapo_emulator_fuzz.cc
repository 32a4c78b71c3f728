// What an independent Tapo client may send to `plugwatch sim tapo`
// (sim/tapo_device): the emulator must answer everything with an HTTP status
// and never crash or hang. The first input byte picks what to fuzz:
//   0 (mod 4): an encrypted KLAP request — a real handshake is made first,
//      the rest of the input is the JSON inside the frame, so the fuzzer
//      reaches request parsing and every method (multipleRequest included);
//   1: the body of POST /app/handshake1, then handshake2 with the rest;
//   2: a raw frame on /app/request with a valid session cookie (bad
//      signatures, padding, lengths);
//   3: a plain-JSON POST /app, the passthrough entry point.
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/klap_cipher.h"
#include "plugwatch/sim/tapo_device.h"

using namespace plugwatch;
using namespace plugwatch::sim;

namespace {

constexpr std::string_view kUser = "user@example.com";
constexpr std::string_view kPass = "secret";

std::string Cookie(const HttpResponse& r) {
  for (const auto& [k, v] : r.headers)
    if (k == "Set-Cookie") return v.substr(0, v.find(';'));
  return {};
}

bool ValidStatus(int status) { return status >= 200 && status <= 599; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 4;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);

  TapoDeviceOptions o;
  o.username = std::string(kUser);
  o.password = std::string(kPass);
  o.protocol = mode == 3 ? TapoProtocol::kPassthrough : TapoProtocol::kKlap;
  o.profile = *Profile::Make("washer", 2000);
  TimePoint now = FromUnixMillis(1'773'568'800'000);
  TapoDevice device(o, now);
  auto post = [&](std::string target, std::string body, std::string cookie) {
    HttpResponse r =
        device.Handle({"POST", std::move(target), std::move(cookie), std::move(body)}, now);
    PW_FUZZ_CHECK(ValidStatus(r.status), "an answer without a valid HTTP status");
    now += Duration(1000);
    return r;
  };

  if (mode == 1) {
    HttpResponse h1 = post("/app/handshake1", rest.substr(0, 16), "");
    post("/app/handshake2", rest.size() > 16 ? rest.substr(16) : rest, Cookie(h1));
    return 0;
  }
  if (mode == 3) {
    post("/app", rest, "");
    return 0;
  }
  // A real KLAP v2 handshake, as a client does it.
  const tapo::Bytes local(tapo::kKlapSeedSize, 0x5a);
  HttpResponse h1 = post("/app/handshake1", std::string(tapo::AsText(local)), "");
  PW_FUZZ_CHECK(h1.status == 200 && h1.body.size() == 48, "handshake1 failed");
  const std::string cookie = Cookie(h1);
  const auto answer = tapo::AsBytes(h1.body);
  const tapo::Bytes remote(answer.begin(), answer.begin() + 16);
  const tapo::Bytes auth = tapo::AuthHash(tapo::KlapVersion::kV2, kUser, kPass);
  const tapo::Bytes h2 = tapo::Handshake2ClientHash(tapo::KlapVersion::kV2, local, remote, auth);
  PW_FUZZ_CHECK(post("/app/handshake2", std::string(tapo::AsText(h2)), cookie).status == 200,
                "handshake2 failed");
  tapo::KlapCipher cipher(local, remote, auth);
  if (mode == 2) {
    const auto next = static_cast<std::int32_t>(static_cast<std::uint32_t>(cipher.seq()) + 1u);
    post("/app/request?seq=" + std::to_string(next), rest, cookie);
    return 0;
  }
  if (rest.size() > tapo::kMaxKlapPlaintextSize) return 0;
  auto [seq, frame] = cipher.EncryptRequest(rest);
  HttpResponse r =
      post("/app/request?seq=" + std::to_string(seq), std::string(tapo::AsText(frame)), cookie);
  if (r.status == 200) {
    // Whatever the request was, the answer is a frame the client can read.
    auto text = cipher.DecryptAt(seq, tapo::AsBytes(r.body), true);
    PW_FUZZ_CHECK(text.has_value(), "the emulator answered with a frame that does not decrypt");
  }
  return 0;
}
