// TapoDevice driven in-process by the devices/tapo codec acting as a client.
#include "plugwatch/sim/tapo_device.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <climits>
#include <regex>

#include "plugwatch/devices/tapo/klap_cipher.h"
#include "plugwatch/devices/tapo/messages.h"
#include "plugwatch/devices/tapo/passthrough_crypto.h"

namespace plugwatch::sim {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using tapo::Bytes;
using tapo::KlapVersion;

const TimePoint kStart = FromUnixMillis(1'773'568'800'000);  // 2026-03-15 10:00:00 UTC

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

// "TP_SESSIONID=ABC;TIMEOUT=86400" → "TP_SESSIONID=ABC", what clients send back.
std::string SessionCookie(const HttpResponse& r) {
  const std::string set_cookie = Header(r, "Set-Cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

TapoDeviceOptions Options(std::string_view profile = "constant", double watts = 1000) {
  TapoDeviceOptions o;
  o.username = "user@example.com";
  o.password = "s3cret!";
  o.nickname = "Küche Waschmaschine";
  o.index = 7;
  o.profile = *Profile::Make(profile, watts);
  return o;
}

// A KLAP client made of the codec, the way the real client session uses it.
class KlapClient {
 public:
  KlapClient(TapoDevice& device, TimePoint& now, std::string user = "user@example.com",
             std::string pass = "s3cret!", KlapVersion version = KlapVersion::kV2)
      : device_(device),
        now_(now),
        user_(std::move(user)),
        pass_(std::move(pass)),
        version_(version) {}

  // Both handshake steps; returns the handshake2 status (0 if handshake1 failed).
  int Handshake() {
    Bytes local(16);
    for (int i = 0; i < 16; ++i) local[i] = static_cast<std::uint8_t>(i * 7 + seed_counter_);
    ++seed_counter_;
    HttpResponse h1 = Post("/app/handshake1", std::string(tapo::AsText(local)), "");
    if (h1.status != 200 || h1.body.size() != 48) return 0;
    cookie = SessionCookie(h1);
    const auto body = tapo::AsBytes(h1.body);
    const Bytes remote(body.begin(), body.begin() + 16);
    const Bytes auth = tapo::AuthHash(version_, user_, pass_);
    server_hash_matched = tapo::ConstantTimeEquals(
        tapo::Handshake1ServerHash(version_, local, remote, auth), body.subspan(16));
    HttpResponse h2 =
        Post("/app/handshake2",
             std::string(tapo::AsText(tapo::Handshake2ClientHash(version_, local, remote, auth))),
             cookie);
    if (h2.status == 200) cipher.emplace(local, remote, auth);
    return h2.status;
  }

  HttpResponse Post(std::string target, std::string body, std::string cookie_value) {
    return device_.Handle({"POST", std::move(target), std::move(cookie_value), std::move(body)},
                          now_);
  }

  // One encrypted request; the HTTP status when it is not 200.
  Result<std::string> CallRaw(std::string_view request_json, int* status = nullptr) {
    auto [seq, body] = cipher->EncryptRequest(request_json);
    HttpResponse r =
        Post("/app/request?seq=" + std::to_string(seq), std::string(tapo::AsText(body)), cookie);
    if (status != nullptr) *status = r.status;
    if (r.status != 200) return Fail(Errc::kSessionExpired, "HTTP " + std::to_string(r.status));
    return cipher->DecryptAt(seq, tapo::AsBytes(r.body), /*verify_signature=*/true);
  }

  Result<json::value> Call(std::string method, json::object params = {}, int* status = nullptr) {
    auto text =
        CallRaw(tapo::BuildRequest({std::move(method), std::move(params)}, now_, "uuid"), status);
    if (!text) return Fail(text.error());
    return tapo::ParseEnvelope(*text);
  }

  std::string cookie;
  std::optional<tapo::KlapCipher> cipher;
  bool server_hash_matched = false;

 private:
  TapoDevice& device_;
  TimePoint& now_;
  std::string user_, pass_;
  KlapVersion version_;
  int seed_counter_ = 0;
};

// A securePassthrough client made of the codec.
class PassthroughClient {
 public:
  PassthroughClient(TapoDevice& device, TimePoint& now) : device_(device), now_(now) {}

  void Handshake() {
    keys_ = std::make_unique<tapo::RsaKeyPair>(*tapo::RsaKeyPair::Generate());
    HttpResponse r = Post("/app", tapo::BuildHandshakeRequest(keys_->public_key_pem()));
    ASSERT_EQ(r.status, 200);
    cookie = SessionCookie(r);
    auto result = tapo::ParseEnvelope(r.body);
    ASSERT_TRUE(result) << result.error().context;
    auto key_b64 = tapo::ParseHandshakeResult(*result);
    ASSERT_TRUE(key_b64);
    auto key_iv = keys_->Decrypt(*tapo::Base64Decode(*key_b64));
    ASSERT_TRUE(key_iv) << key_iv.error().context;
    auto aes = tapo::AesCbc::FromKeyIv(*key_iv);
    ASSERT_TRUE(aes) << aes.error().context;
    aes_.emplace(*std::move(aes));
  }

  Result<json::value> Login(std::string_view user, std::string_view pass, bool v2) {
    auto r = Call("login_device", tapo::LoginParams(user, pass, v2));
    if (r) token = *tapo::ParseLoginResult(*r);
    return r;
  }

  Result<json::value> Call(std::string method, json::object params = {}) {
    const std::string inner =
        tapo::BuildRequest({std::move(method), std::move(params)}, now_, "uuid");
    HttpResponse r = Post(token.empty() ? "/app" : "/app?token=" + token,
                          tapo::BuildSecurePassthrough(aes_->EncryptB64(inner)));
    if (r.status != 200) return Fail(Errc::kProtocol, "HTTP " + std::to_string(r.status));
    auto outer = tapo::ParseEnvelope(r.body);
    if (!outer) return Fail(outer.error());
    auto response_b64 = tapo::ParseSecurePassthroughResult(*outer);
    if (!response_b64) return Fail(response_b64.error());
    auto text = aes_->DecryptB64(*response_b64);
    if (!text) return Fail(text.error());
    return tapo::ParseEnvelope(*text);
  }

  HttpResponse Post(std::string target, std::string body) {
    return device_.Handle({"POST", std::move(target), cookie, std::move(body)}, now_);
  }

  std::string cookie;
  std::string token;

 private:
  TapoDevice& device_;
  TimePoint& now_;
  std::unique_ptr<tapo::RsaKeyPair> keys_;
  std::optional<tapo::AesCbc> aes_;
};

// ---- KLAP ----

TEST(TapoDeviceKlap, FullSession) {
  TimePoint now = kStart;
  TapoDevice device(Options("constant", 1000), kStart);
  KlapClient client(device, now);

  HttpResponse h1 = client.Post("/app/handshake1", std::string(16, 'x'), "");
  EXPECT_EQ(h1.status, 200);
  EXPECT_EQ(h1.body.size(), 48u);
  EXPECT_TRUE(std::regex_match(Header(h1, "Set-Cookie"),
                               std::regex("TP_SESSIONID=[0-9A-F]{32};TIMEOUT=86400")))
      << Header(h1, "Set-Cookie");

  ASSERT_EQ(client.Handshake(), 200);
  EXPECT_TRUE(client.server_hash_matched);

  auto info = client.Call("get_device_info");
  ASSERT_TRUE(info) << info.error().context;
  auto parsed = tapo::ParseDeviceInfo(*info);
  ASSERT_TRUE(parsed) << parsed.error().context;
  EXPECT_TRUE(parsed->device_on);
  EXPECT_EQ(parsed->nickname, "Küche Waschmaschine");
  EXPECT_EQ(parsed->model, "P110");
  EXPECT_EQ(parsed->type, "SMART.TAPOPLUG");
  EXPECT_EQ(parsed->mac, "9C-53-22-00-00-07");
  EXPECT_EQ(parsed->device_id.size(), 40u);
  EXPECT_EQ(parsed->fw_ver, "1.3.1 Build 240621 Rel.162048");
  EXPECT_EQ(parsed->overheat_status, "normal");
  EXPECT_LT(parsed->rssi, -40);
  EXPECT_EQ(info->as_object().at("hw_id").as_string().size(), 32u);

  now += 30min;
  auto usage = tapo::ParseEnergyUsage(*client.Call("get_energy_usage"));
  ASSERT_TRUE(usage) << usage.error().context;
  EXPECT_EQ(usage->today_energy_wh, 500);
  EXPECT_EQ(usage->month_energy_wh, 500);
  EXPECT_EQ(usage->today_runtime_min, 30);
  EXPECT_EQ(usage->current_power_mw, 1'000'000);
  EXPECT_EQ(usage->local_time, "2026-03-15 10:30:00");

  auto set = client.Call("set_device_info", {{"device_on", false}});
  ASSERT_TRUE(set) << set.error().context;
  EXPECT_FALSE(device.relay_on());
  now += 30min;
  parsed = tapo::ParseDeviceInfo(*client.Call("get_device_info"));
  EXPECT_FALSE(parsed->device_on);
  EXPECT_EQ(parsed->on_time, 0);
  usage = tapo::ParseEnergyUsage(*client.Call("get_energy_usage"));
  EXPECT_EQ(usage->current_power_mw, 0);
  EXPECT_EQ(usage->today_energy_wh, 500);  // nothing drawn while off
  EXPECT_EQ(usage->today_runtime_min, 30);

  EXPECT_EQ(device.stats().handshakes, 2u);
  EXPECT_EQ(device.stats().sessions_established, 1u);
  EXPECT_EQ(device.stats().requests, 5u);
  EXPECT_EQ(device.stats().forbidden, 0u);
}

TEST(TapoDeviceKlap, V1DeviceForKasaClients) {
  TimePoint now = kStart;
  TapoDeviceOptions o = Options();
  o.klap_version = KlapVersion::kV1;
  TapoDevice device(o, kStart);
  KlapClient v2_client(device, now);
  EXPECT_EQ(v2_client.Handshake(), 400);
  KlapClient v1_client(device, now, "user@example.com", "s3cret!", KlapVersion::kV1);
  ASSERT_EQ(v1_client.Handshake(), 200);
  EXPECT_TRUE(v1_client.Call("get_device_info"));
}

TEST(TapoDeviceKlap, WrongPasswordIsRejectedAtHandshake2) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now, "user@example.com", "wrong");
  EXPECT_EQ(client.Handshake(), 400);
  EXPECT_FALSE(client.server_hash_matched);  // the client could have told from handshake1
  EXPECT_EQ(device.stats().auth_failures, 1u);
  // The half-made session is gone.
  EXPECT_EQ(client.Post("/app/request?seq=1", std::string(48, 'x'), client.cookie).status, 403);
}

TEST(TapoDeviceKlap, OnlyConfiguredCredentialsAreAccepted) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  for (const tapo::KlapCredentials& c : tapo::kDefaultCredentials) {
    KlapClient client(device, now, std::string(c.username), std::string(c.password));
    EXPECT_EQ(client.Handshake(), 400) << c.name;
  }
  // Configure the device with a default set to test a client's fallback.
  TapoDeviceOptions o = Options();
  o.username = "test@tp-link.net";
  o.password = "test";
  TapoDevice fallback(o, kStart);
  KlapClient client(fallback, now, "test@tp-link.net", "test");
  EXPECT_EQ(client.Handshake(), 200);
}

TEST(TapoDeviceKlap, UnknownOrMissingCookieIs403) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  auto [seq, body] = client.cipher->EncryptRequest(R"({"method":"get_device_info"})");
  const std::string target = "/app/request?seq=" + std::to_string(seq);
  const std::string bytes(tapo::AsText(body));
  EXPECT_EQ(client.Post(target, bytes, "TP_SESSIONID=00000000000000000000000000000000").status,
            403);
  EXPECT_EQ(client.Post(target, bytes, "").status, 403);
  EXPECT_EQ(client.Post("/app/handshake2", std::string(32, 'x'), "TP_SESSIONID=nope").status, 403);
  // Sending the TIMEOUT cookie back too is tolerated.
  EXPECT_EQ(client.Post(target, bytes, client.cookie + "; TIMEOUT=86400").status, 200);
  EXPECT_EQ(device.stats().forbidden, 3u);
}

TEST(TapoDeviceKlap, HandshakeOnlySessionCannotRequest) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now);
  HttpResponse h1 = client.Post("/app/handshake1", std::string(16, 'a'), "");
  EXPECT_EQ(client.Post("/app/request?seq=1", std::string(48, 'x'), SessionCookie(h1)).status, 403);
  EXPECT_EQ(client.Post("/app/handshake1", std::string(15, 'a'), "").status, 400);
}

TEST(TapoDeviceKlap, ExpireAfterRequestsForcesRehandshake) {
  TimePoint now = kStart;
  TapoDeviceOptions o = Options();
  o.expire_after_requests = 5;
  TapoDevice device(o, kStart);
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(client.Call("get_device_info")) << i;
  int status = 0;
  EXPECT_FALSE(client.Call("get_device_info", {}, &status));
  EXPECT_EQ(status, 403);
  EXPECT_FALSE(client.Call("get_device_info", {}, &status));
  EXPECT_EQ(status, 403);
  ASSERT_EQ(client.Handshake(), 200);
  EXPECT_TRUE(client.Call("get_device_info"));
  EXPECT_EQ(device.stats().forbidden, 2u);
}

TEST(TapoDeviceKlap, SessionTimesOut) {
  TimePoint now = kStart;
  TapoDeviceOptions o = Options();
  o.session_timeout = 3600s;
  TapoDevice device(o, kStart);
  KlapClient client(device, now);
  HttpResponse h1 = client.Post("/app/handshake1", std::string(16, 'a'), "");
  EXPECT_TRUE(Header(h1, "Set-Cookie").ends_with(";TIMEOUT=3600"));
  ASSERT_EQ(client.Handshake(), 200);
  now += 3599s;
  EXPECT_TRUE(client.Call("get_device_info"));
  now += 1s;
  int status = 0;
  EXPECT_FALSE(client.Call("get_device_info", {}, &status));
  EXPECT_EQ(status, 403);
}

TEST(TapoDeviceKlap, NegativeAndWrappingSeq) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  client.cipher->SetSeqForTesting(-10);
  auto r = client.Call("get_current_power");
  ASSERT_TRUE(r) << r.error().context;
  EXPECT_EQ(client.cipher->seq(), -9);
  client.cipher->SetSeqForTesting(INT32_MAX);
  EXPECT_TRUE(client.Call("get_current_power"));
  EXPECT_EQ(client.cipher->seq(), INT32_MIN);
}

TEST(TapoDeviceKlap, BadFramesAre400) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  auto [seq, body] = client.cipher->EncryptRequest(R"({"method":"get_device_info"})");
  const std::string bytes(tapo::AsText(body));
  EXPECT_EQ(client.Post("/app/request?seq=" + std::to_string(seq + 1), bytes, client.cookie).status,
            400);
  EXPECT_EQ(client.Post("/app/request", bytes, client.cookie).status, 400);
  EXPECT_EQ(client.Post("/app/request?seq=abc", bytes, client.cookie).status, 400);
  EXPECT_EQ(client.Post("/app/request?seq=99999999999", bytes, client.cookie).status, 400);
  EXPECT_EQ(
      client.Post("/app/request?seq=" + std::to_string(seq), bytes.substr(0, 20), client.cookie)
          .status,
      400);
  EXPECT_EQ(client.Post("/app/request?seq=" + std::to_string(seq), bytes, client.cookie).status,
            200);
}

TEST(TapoDeviceKlap, PlainJsonGets1003AndOtherPaths404) {
  TimePoint now = kStart;
  TapoDevice device(Options(), kStart);
  KlapClient client(device, now);
  HttpResponse r = client.Post("/app", R"({"method":"component_nego","params":null})", "");
  EXPECT_EQ(r.status, 200);
  auto raw = tapo::ParseEnvelopeRaw(r.body);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->error_code, 1003);
  EXPECT_TRUE(tapo::ParseEnvelope(r.body).error().Is(Errc::kUnauthorized));
  EXPECT_EQ(client.Post("/other", "", "").status, 404);
  EXPECT_EQ(device.Handle({"GET", "/app/handshake1", "", ""}, now).status, 405);
}

TEST(TapoDeviceKlap, NewHandshakesEvictTheOldestSession) {
  TimePoint now = kStart;
  TapoDeviceOptions o = Options();
  o.max_sessions = 2;
  TapoDevice device(o, kStart);
  KlapClient a(device, now), b(device, now), c(device, now);
  ASSERT_EQ(a.Handshake(), 200);
  ASSERT_EQ(b.Handshake(), 200);
  ASSERT_EQ(c.Handshake(), 200);
  EXPECT_EQ(device.session_count(), 2u);
  int status = 0;
  EXPECT_FALSE(a.Call("get_device_info", {}, &status));
  EXPECT_EQ(status, 403);
  EXPECT_TRUE(b.Call("get_device_info"));
  EXPECT_TRUE(c.Call("get_device_info"));
}

// ---- JSON API ----

class TapoDeviceApi : public ::testing::Test {
 protected:
  void Start(TapoDeviceOptions o) {
    device_ = std::make_unique<TapoDevice>(std::move(o), kStart);
    client_ = std::make_unique<KlapClient>(*device_, now_);
    ASSERT_EQ(client_->Handshake(), 200);
  }
  TimePoint now_ = kStart;
  std::unique_ptr<TapoDevice> device_;
  std::unique_ptr<KlapClient> client_;
};

TEST_F(TapoDeviceApi, CurrentPowerUnits) {
  Start(Options("constant", 1000));
  const auto usage = tapo::ParseEnergyUsage(*client_->Call("get_energy_usage"));
  const auto watts = tapo::ParseCurrentPowerW(*client_->Call("get_current_power"));
  ASSERT_TRUE(usage);
  ASSERT_TRUE(watts);
  EXPECT_EQ(*watts, 1000);
  EXPECT_EQ(usage->current_power_mw, 1000 * *watts);
  const auto emeter = tapo::ParseEmeterData(*client_->Call("get_emeter_data"));
  ASSERT_TRUE(emeter);
  EXPECT_EQ(emeter->power_mw, 1'000'000);
  EXPECT_NEAR(static_cast<double>(emeter->current_ma), 1000.0 / 230 * 1000, 30);
  EXPECT_GT(emeter->voltage_mv, 229'000);
}

TEST_F(TapoDeviceApi, FractionalWattsTruncateInGetCurrentPower) {
  Start(Options("constant", 74.116));  // P110M fixture: 74116 mW ↔ 74 W
  EXPECT_EQ(tapo::ParseEnergyUsage(*client_->Call("get_energy_usage"))->current_power_mw, 74116);
  EXPECT_EQ(*tapo::ParseCurrentPowerW(*client_->Call("get_current_power")), 74);
}

TEST_F(TapoDeviceApi, MultipleRequestStopsAtFirstFailure) {
  Start(Options("constant", 1000));
  const tapo::Request requests[] = {{"get_device_info", {}},
                                    {"get_energy_usage", {}},
                                    {"no_such_method", {}},
                                    {"get_current_power", {}}};
  auto text = client_->CallRaw(tapo::BuildMultipleRequest(requests, now_, "uuid"));
  ASSERT_TRUE(text) << text.error().context;
  auto outer = tapo::ParseEnvelope(*text);
  ASSERT_TRUE(outer) << outer.error().context;
  auto results = tapo::ParseMultipleResults(*outer);
  ASSERT_TRUE(results) << results.error().context;
  ASSERT_EQ(results->size(), 3u);
  EXPECT_TRUE(tapo::ParseDeviceInfo(*(*results)[0].result)->device_on);
  EXPECT_EQ(tapo::ParseEnergyUsage(*(*results)[1].result)->current_power_mw, 1'000'000);
  ASSERT_FALSE((*results)[2].result);
  EXPECT_EQ((*results)[2].result.error().context,
            "no_such_method: error -1002 (UNKNOWN_METHOD): method not supported by this device");
  EXPECT_EQ(tapo::FindResult(*results, "get_current_power"), nullptr);
}

TEST_F(TapoDeviceApi, MultipleRequestCanSwitchTheRelay) {
  Start(Options());
  const tapo::Request requests[] = {{"set_device_info", {{"device_on", false}}},
                                    {"get_device_info", {}}};
  auto results = tapo::ParseMultipleResults(
      *tapo::ParseEnvelope(*client_->CallRaw(tapo::BuildMultipleRequest(requests, now_, "u"))));
  ASSERT_TRUE(results);
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE((*results)[0].result->is_null());
  EXPECT_FALSE(tapo::ParseDeviceInfo(*(*results)[1].result)->device_on);
}

TEST_F(TapoDeviceApi, OtherMethods) {
  Start(Options());
  auto components = tapo::ParseComponents(*client_->Call("component_nego"));
  ASSERT_TRUE(components);
  EXPECT_EQ(components->size(), 22u);
  const tapo::Component* energy = nullptr;
  for (const auto& c : *components)
    if (c.id == "energy_monitoring") energy = &c;
  ASSERT_NE(energy, nullptr);
  EXPECT_EQ(energy->ver_code, 2);

  auto time = tapo::ParseDeviceTime(*client_->Call("get_device_time"));
  ASSERT_TRUE(time);
  EXPECT_EQ(time->timestamp, UnixMillis(kStart) / 1000);
  EXPECT_EQ(time->region, "UTC");

  now_ += 2h;
  auto usage = client_->Call("get_device_usage");
  ASSERT_TRUE(usage);
  EXPECT_EQ(json::serialize(*usage), R"({"time_usage":{"today":120,"past7":120,"past30":120},)"
                                     R"("power_usage":{"today":2000,"past7":2000,"past30":2000},)"
                                     R"("saved_power":{"today":0,"past7":0,"past30":0}})");

  auto unknown = client_->Call("get_wifi_secrets");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error().Is(Errc::kNotSupported));
  auto bad = client_->Call("set_device_info", {{"device_on", "yes"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().context, "error -1008 (PARAMS_ERROR): bad or unsupported params");
  EXPECT_TRUE(device_->relay_on());

  ASSERT_TRUE(client_->Call("set_device_info",
                            {{"nickname", tapo::Base64Encode(std::string_view("Trockner"))}}));
  EXPECT_EQ(tapo::ParseDeviceInfo(*client_->Call("get_device_info"))->nickname, "Trockner");
  auto garbage = client_->CallRaw("not json");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(*garbage, R"({"error_code":-1003})");
}

TEST_F(TapoDeviceApi, OnTimeCountsSinceTheLastRelayChange) {
  Start(Options());
  now_ += 90s;
  EXPECT_EQ(tapo::ParseDeviceInfo(*client_->Call("get_device_info"))->on_time, 90);
  device_->SetRelay(false, now_);
  device_->SetRelay(true, now_ + 10s);
  now_ += 25s;
  EXPECT_EQ(tapo::ParseDeviceInfo(*client_->Call("get_device_info"))->on_time, 15);
  // Switching on an already-on relay does not restart the count.
  ASSERT_TRUE(client_->Call("set_device_info", {{"device_on", true}}));
  now_ += 5s;
  EXPECT_EQ(tapo::ParseDeviceInfo(*client_->Call("get_device_info"))->on_time, 20);
}

// ---- Energy ----

TEST(TapoDeviceEnergy, SimulatedHourMatchesTheProfileExactly) {
  const Profile washer = *Profile::Make("washer");
  TapoDeviceOptions o = Options();
  o.profile = washer;
  TapoDevice device(o, kStart);
  TimePoint now = kStart;
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  for (int minute = 1; minute <= 60; ++minute) {
    now = kStart + std::chrono::minutes(minute);
    auto usage = tapo::ParseEnergyUsage(*client.Call("get_energy_usage"));
    ASSERT_TRUE(usage);
    const double expected = washer.EnergyWhBetween(Duration(0), std::chrono::minutes(minute));
    EXPECT_EQ(usage->today_energy_wh, std::llround(expected)) << minute;
    EXPECT_EQ(usage->current_power_mw,
              std::llround(washer.PowerAt(std::chrono::minutes(minute)) * 1000));
  }
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 1h), washer.EnergyWhBetween(Duration(0), 1h));
}

TEST(TapoDeviceEnergy, RelayOffIntervalsDrawNothing) {
  TapoDeviceOptions o = Options("kettle");
  TapoDevice device(o, kStart);
  device.SetRelay(false, kStart + 30s);
  EXPECT_EQ(device.PowerW(kStart + 45s), 0);
  device.SetRelay(true, kStart + 60s);
  EXPECT_EQ(device.PowerW(kStart + 61s), 2000);
  // 90 s of boiling minus the 30 s off.
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 20min), 2000.0 * 60 / 3600);
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 45s), 2000.0 * 30 / 3600);  // inside the off interval
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 75s), 2000.0 * 45 / 3600);
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 10s), 2000.0 * 10 / 3600);
  EXPECT_EQ(device.EnergyWh(kStart - 10s), 0);
}

TEST(TapoDeviceEnergy, SpeedCompressesTheProfileAndKeepsEnergyEqualToPowerTimesTime) {
  const Profile kettle = *Profile::Make("kettle");
  TapoDeviceOptions o = Options();
  o.profile = kettle;
  o.speed = 10;
  TapoDevice device(o, kStart);
  EXPECT_EQ(device.PowerW(kStart + 8s), 2000);  // profile time 80 s
  EXPECT_EQ(device.PowerW(kStart + 10s), 0);    // profile time 100 s
  // 9 real seconds of 2000 W.
  EXPECT_DOUBLE_EQ(device.EnergyWh(kStart + 1min), 2000.0 * 9 / 3600);
}

TEST(TapoDeviceEnergy, TodayResetsAtLocalMidnightAndMonthAtTheFirst) {
  TimePoint now = FromUnixMillis(1'774'999'800'000);  // 2026-03-31 23:30 UTC
  TapoDeviceOptions o = Options("constant", 1000);
  o.utc_offset_min = 60;  // 2026-04-01 00:30 local: today began 30 min ago, so did April
  TapoDevice device(o, now - 2h);
  KlapClient client(device, now);
  ASSERT_EQ(client.Handshake(), 200);
  auto usage = tapo::ParseEnergyUsage(*client.Call("get_energy_usage"));
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->local_time, "2026-04-01 00:30:00");
  EXPECT_EQ(usage->today_energy_wh, 500);
  EXPECT_EQ(usage->month_energy_wh, 500);
  EXPECT_EQ(usage->today_runtime_min, 30);
  o.utc_offset_min = 0;  // 23:30 on the 31st: the whole 2 h are today's and March's
  TapoDevice utc(o, now - 2h);
  KlapClient utc_client(utc, now);
  ASSERT_EQ(utc_client.Handshake(), 200);
  usage = tapo::ParseEnergyUsage(*utc_client.Call("get_energy_usage"));
  EXPECT_EQ(usage->today_energy_wh, 2000);
  EXPECT_EQ(usage->month_energy_wh, 2000);
}

TEST(TapoDeviceEnergy, ManyRelaySwitchesStayExactForRecentCounters) {
  TapoDevice device(Options("constant", 3600), kStart);  // 1 Wh per second while on
  TimePoint t = kStart;
  for (int i = 0; i < 10'000; ++i) {  // beyond the 4096 kept intervals
    device.SetRelay(false, t + 1s);
    device.SetRelay(true, t + 2s);
    t += 2s;
  }
  EXPECT_NEAR(device.EnergyWh(t), 10'000, 1e-6);
  EXPECT_NEAR(device.EnergyWh(t) - device.EnergyWh(t - 200s), 100, 1e-6);
}

// ---- Passthrough ----

TapoDeviceOptions PassthroughOptions() {
  TapoDeviceOptions o = Options("constant", 500);
  o.protocol = TapoProtocol::kPassthrough;
  return o;
}

TEST(TapoDevicePassthrough, FullFlowWithLoginV1) {
  TimePoint now = kStart;
  TapoDevice device(PassthroughOptions(), kStart);
  PassthroughClient client(device, now);
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  EXPECT_TRUE(std::regex_match(client.cookie, std::regex("TP_SESSIONID=[0-9A-F]{32}")));
  auto login = client.Login("user@example.com", "s3cret!", /*v2=*/false);
  ASSERT_TRUE(login) << login.error().context;
  EXPECT_EQ(client.token.size(), 32u);

  auto info = tapo::ParseDeviceInfo(*client.Call("get_device_info"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->nickname, "Küche Waschmaschine");
  EXPECT_EQ(info->fw_ver, "1.0.7 Build 210629 Rel.174901");
  EXPECT_EQ(info->overheated, false);  // the older firmware's shape
  now += 1h;
  auto usage = tapo::ParseEnergyUsage(*client.Call("get_energy_usage"));
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->today_energy_wh, 500);
  ASSERT_TRUE(client.Call("set_device_info", {{"device_on", false}}));
  EXPECT_FALSE(device.relay_on());
  EXPECT_EQ(device.stats().sessions_established, 1u);
}

TEST(TapoDevicePassthrough, LoginV2WithPassword2) {
  TimePoint now = kStart;
  TapoDevice device(PassthroughOptions(), kStart);
  PassthroughClient client(device, now);
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  ASSERT_TRUE(client.Login("user@example.com", "s3cret!", /*v2=*/true));
  EXPECT_TRUE(client.Call("get_current_power"));
}

TEST(TapoDevicePassthrough, WrongLoginIs1501AndKillsTheSession) {
  TimePoint now = kStart;
  TapoDevice device(PassthroughOptions(), kStart);
  PassthroughClient client(device, now);
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  auto bad = client.Login("user@example.com", "nope", false);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(Errc::kUnauthorized));
  EXPECT_EQ(
      bad.error().context,
      "error -1501 (LOGIN_ERROR): wrong credentials — check the Tapo account e-mail and password");
  auto retry = client.Login("user@example.com", "s3cret!", false);
  ASSERT_FALSE(retry);
  EXPECT_TRUE(retry.error().Is(Errc::kSessionExpired));  // 9999 until a new handshake
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  EXPECT_TRUE(client.Login("user@example.com", "s3cret!", false));
  EXPECT_EQ(device.stats().auth_failures, 1u);
}

TEST(TapoDevicePassthrough, TokenAndCookieAreRequired) {
  TimePoint now = kStart;
  TapoDevice device(PassthroughOptions(), kStart);
  PassthroughClient client(device, now);
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  // Before login, API calls are refused.
  auto early = client.Call("get_device_info");
  ASSERT_FALSE(early);
  EXPECT_TRUE(early.error().Is(Errc::kSessionExpired));
  ASSERT_TRUE(client.Login("user@example.com", "s3cret!", false));
  const std::string token = client.token;
  client.token = "0123456789ABCDEF0123456789ABCDEF";
  EXPECT_TRUE(client.Call("get_device_info").error().Is(Errc::kSessionExpired));
  client.token = token;
  const std::string cookie = client.cookie;
  client.cookie = "TP_SESSIONID=FFFF";
  EXPECT_TRUE(client.Call("get_device_info").error().Is(Errc::kSessionExpired));
  client.cookie = cookie;
  EXPECT_TRUE(client.Call("get_device_info"));
  EXPECT_EQ(device.stats().session_errors, 3u);
}

TEST(TapoDevicePassthrough, NoKlapEndpointsAndBadHandshakeKeys) {
  TimePoint now = kStart;
  TapoDevice device(PassthroughOptions(), kStart);
  EXPECT_EQ(device.Handle({"POST", "/app/handshake1", "", std::string(16, 'a')}, now).status, 404);
  HttpResponse bad_key =
      device.Handle({"POST", "/app", "", R"({"method":"handshake","params":{"key":"x"}})"}, now);
  EXPECT_EQ(bad_key.body, R"({"error_code":-1010})");
  HttpResponse plain =
      device.Handle({"POST", "/app", "", R"({"method":"component_nego","params":null})"}, now);
  EXPECT_NE(tapo::ParseEnvelopeRaw(plain.body)->error_code, 1003);  // so clients pick AES
  EXPECT_EQ(device.Handle({"POST", "/app", "", "{"}, now).body, R"({"error_code":-1003})");
}

TEST(TapoDevicePassthrough, ExpireAfterRequestsAnswers9999) {
  TimePoint now = kStart;
  TapoDeviceOptions o = PassthroughOptions();
  o.expire_after_requests = 2;
  TapoDevice device(o, kStart);
  PassthroughClient client(device, now);
  ASSERT_NO_FATAL_FAILURE(client.Handshake());
  ASSERT_TRUE(client.Login("user@example.com", "s3cret!", false));
  EXPECT_TRUE(client.Call("get_device_info"));
  EXPECT_TRUE(client.Call("get_device_info"));
  auto third = client.Call("get_device_info");
  ASSERT_FALSE(third);
  EXPECT_EQ(
      third.error().context,
      "error 9999 (SESSION_TIMEOUT): the device ended the session — a new handshake is needed");
}

// ---- Faults and options ----

TEST(TapoDeviceFaults, EachKindAtRateOne) {
  TimePoint now = kStart;
  const HttpRequest request{"POST", "/app/handshake1", "", std::string(16, 'a')};
  TapoDeviceOptions o = Options();
  o.faults.timeout = 1;
  EXPECT_TRUE(TapoDevice(o, kStart).Handle(request, now).hang);
  o.faults = {0, 1, 0};
  HttpResponse garbage = TapoDevice(o, kStart).Handle(request, now);
  EXPECT_EQ(garbage.status, 200);
  EXPECT_FALSE(garbage.hang);
  EXPECT_GE(garbage.body.size(), 16u);
  o.faults = {0, 0, 1};
  EXPECT_EQ(TapoDevice(o, kStart).Handle(request, now).status, 500);
}

TEST(TapoDeviceFaults, RatesAreRoughlyHonouredAndReproducible) {
  TimePoint now = kStart;
  TapoDeviceOptions o = Options();
  o.faults = {0.1, 0.1, 0.1};
  o.seed = 42;
  const auto run = [&] {
    TapoDevice device(o, kStart);
    int hangs = 0, errors = 0, ok = 0;
    for (int i = 0; i < 3000; ++i) {
      HttpResponse r = device.Handle({"POST", "/app/handshake1", "", std::string(16, 'a')}, now);
      if (r.hang) {
        ++hangs;
      } else if (r.status == 500) {
        ++errors;
      } else if (!Header(r, "Set-Cookie").empty()) {  // not garbage
        ++ok;
      }
    }
    EXPECT_EQ(device.stats().faults_injected, static_cast<std::uint64_t>(3000 - ok));
    return std::tuple(hangs, errors, ok);
  };
  const auto [hangs, errors, ok] = run();
  EXPECT_NEAR(hangs, 300, 75);
  EXPECT_NEAR(errors, 300, 75);
  EXPECT_NEAR(ok, 2100, 120);
  EXPECT_EQ(run(), std::tuple(hangs, errors, ok));
}

TEST(TapoDeviceOptionsTest, ValidateNamesTheOption) {
  TapoDeviceOptions o = Options();
  o.speed = 0;
  EXPECT_EQ(TapoDevice::Validate(o).error().context, "speed must be > 0 (got 0)");
  EXPECT_THROW(TapoDevice(o, kStart), std::invalid_argument);
  o = Options();
  o.faults = {0.5, 0.4, 0.2};
  EXPECT_EQ(TapoDevice::Validate(o).error().context,
            "fault rates must each be within 0..1 and sum to ≤ 1");
  o = Options();
  o.mac = "aa:bb";
  EXPECT_EQ(TapoDevice::Validate(o).error().context, "mac 'aa:bb' is not like AA-BB-CC-DD-EE-FF");
  o = Options();
  o.max_sessions = 0;
  EXPECT_FALSE(TapoDevice::Validate(o));
  EXPECT_TRUE(TapoDevice::Validate(Options()));
}

TEST(MacForIndex, IsUniquePerIndex) {
  EXPECT_EQ(MacForIndex(0), "9C-53-22-00-00-00");
  EXPECT_EQ(MacForIndex(70000), "9C-53-22-01-11-70");
  EXPECT_NE(MacForIndex(1), MacForIndex(2));
}

}  // namespace
}  // namespace plugwatch::sim
