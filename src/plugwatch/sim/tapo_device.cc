#include "plugwatch/sim/tapo_device.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/messages.h"
#include "plugwatch/devices/tapo/passthrough_crypto.h"

namespace plugwatch::sim {
namespace json = boost::json;
namespace {

constexpr std::string_view kKlapFirmware = "1.3.1 Build 240621 Rel.162048";
constexpr std::string_view kAesFirmware = "1.0.7 Build 210629 Rel.174901";
constexpr std::size_t kMaxHistory = 4096;
constexpr Duration kHistoryAge = std::chrono::hours(24 * 40);

// Error codes the emulator answers with (PROTOCOLS.md §1.6).
constexpr std::int64_t kUnknownMethod = -1002;
constexpr std::int64_t kJsonDecodeFail = -1003;
constexpr std::int64_t kAesDecodeFail = -1005;
constexpr std::int64_t kParamsError = -1008;
constexpr std::int64_t kInvalidPublicKey = -1010;
constexpr std::int64_t kLoginError = -1501;
constexpr std::int64_t kTransportUnknownCredentials = 1003;
constexpr std::int64_t kSessionTimeout = 9999;

// fw 1.3.1 of a P110 (python-kasa fixture).
constexpr std::pair<std::string_view, int> kComponents[] = {
    {"device", 2},
    {"firmware", 2},
    {"quick_setup", 3},
    {"time", 1},
    {"wireless", 1},
    {"schedule", 2},
    {"countdown", 2},
    {"antitheft", 1},
    {"account", 1},
    {"synchronize", 1},
    {"sunrise_sunset", 1},
    {"led", 1},
    {"cloud_connect", 1},
    {"iot_cloud", 1},
    {"device_local_time", 1},
    {"default_states", 1},
    {"auto_off", 2},
    {"localSmart", 1},
    {"energy_monitoring", 2},
    {"power_protection", 1},
    {"charging_protection", 2},
    {"current_protection", 1},
};

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

std::string HexId(std::string_view salt, std::string_view mac, std::size_t chars) {
  const auto digest = tapo::Hash(tapo::HashAlg::kSha256, {tapo::AsBytes(salt), tapo::AsBytes(mac)});
  return Upper(tapo::ToHex(digest).substr(0, chars));
}

std::optional<std::string_view> QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view item = header.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

bool IsMac(std::string_view mac) {
  if (mac.size() != 17) return false;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const char c = mac[i];
    if (i % 3 == 2 ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

HttpResponse Status(int status) { return HttpResponse{status, {}, {}, false}; }

HttpResponse JsonResponse(std::string body,
                          std::vector<std::pair<std::string, std::string>> extra = {}) {
  HttpResponse r{200, std::move(extra), std::move(body), false};
  r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  return r;
}

json::object ErrorObject(std::int64_t code) { return json::object{{"error_code", code}}; }

json::object ResultObject(json::value result) {
  json::object o;
  o["error_code"] = 0;
  o["result"] = std::move(result);
  return o;
}

long long Ms(Duration d) { return d.count(); }

}  // namespace

struct TapoDevice::Session {
  std::string id;
  TimePoint expires;
  std::uint64_t requests = 0;
  // KLAP: seeds from handshake1, the cipher once handshake2 verified.
  tapo::Bytes local_seed, remote_seed;
  std::optional<tapo::KlapCipher> cipher;
  // Passthrough.
  std::optional<tapo::AesCbc> aes;
  std::string token;  // empty until login_device succeeds
  bool dead = false;  // a failed login: only a new handshake helps
};

std::string MacForIndex(std::uint32_t index) {
  return fmt::format("9C-53-22-{:02X}-{:02X}-{:02X}", (index >> 16) & 0xff, (index >> 8) & 0xff,
                     index & 0xff);
}

Result<void> TapoDevice::Validate(const TapoDeviceOptions& o) {
  if (!(o.speed > 0) || !std::isfinite(o.speed))
    return Fail(Errc::kInvalidArgument, fmt::format("speed must be > 0 (got {})", o.speed));
  const auto rate_ok = [](double r) { return r >= 0 && r <= 1; };
  if (!rate_ok(o.faults.timeout) || !rate_ok(o.faults.garbage) || !rate_ok(o.faults.http500) ||
      o.faults.timeout + o.faults.garbage + o.faults.http500 > 1)
    return Fail(Errc::kInvalidArgument, "fault rates must each be within 0..1 and sum to ≤ 1");
  if (o.session_timeout <= std::chrono::seconds::zero())
    return Fail(Errc::kInvalidArgument, "session_timeout must be > 0");
  if (o.max_sessions < 1) return Fail(Errc::kInvalidArgument, "max_sessions must be ≥ 1");
  if (!o.mac.empty() && !IsMac(o.mac))
    return Fail(Errc::kInvalidArgument,
                fmt::format("mac '{}' is not like AA-BB-CC-DD-EE-FF", o.mac));
  return {};
}

TapoDevice::TapoDevice(TapoDeviceOptions options, TimePoint start)
    : options_(std::move(options)),
      start_(start),
      relay_on_(options_.relay_on),
      last_change_(start) {
  if (auto ok = Validate(options_); !ok) throw std::invalid_argument(ok.error().context);
  mac_ = options_.mac.empty() ? MacForIndex(options_.index) : options_.mac;
  device_id_ = HexId("device", mac_, 40);
  hw_id_ = HexId("hw", options_.model, 32);
  fw_id_ = HexId("fw", options_.model, 32);
  oem_id_ = HexId("oem", options_.model, 32);
  auth_hash_ = tapo::AuthHash(options_.klap_version, options_.username, options_.password);
  login_username_b64_ = tapo::Base64Encode(tapo::Sha1Hex(options_.username));
  login_password_b64_ = tapo::Base64Encode(options_.password);
  login_password2_b64_ = tapo::Base64Encode(tapo::Sha1Hex(options_.password));
  const std::uint64_t seed =
      options_.seed != 0 ? options_.seed : 0x9E3779B97F4A7C15ull ^ options_.index;
  rng_.seed(seed);
  fault_rng_.seed(seed ^ 0xFA017FA017ull);
}

TapoDevice::TapoDevice(TapoDevice&&) noexcept = default;
TapoDevice& TapoDevice::operator=(TapoDevice&&) noexcept = default;
TapoDevice::~TapoDevice() = default;

// ---- HTTP ----

HttpResponse TapoDevice::Handle(const HttpRequest& request, TimePoint now) {
  ++stats_.http_requests;
  if (auto fault = MaybeInjectFault()) return *std::move(fault);
  const std::string_view target = request.target;
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  if (request.method != "POST") return Status(405);

  if (options_.protocol == TapoProtocol::kKlap) {
    if (path == "/app/handshake1") return KlapHandshake1(request, now);
    if (path == "/app/handshake2") return KlapHandshake2(request, now);
    if (path == "/app/request") return KlapRequest(request, query, now);
    // KLAP-only firmware answers any plain JSON (component_nego, the AES
    // handshake) with 1003; clients take that as "speak KLAP".
    if (path == "/app") return JsonResponse(tapo::BuildErrorResponse(kTransportUnknownCredentials));
    return Status(404);
  }
  if (path == "/app") return PassthroughApp(request, query, now);
  return Status(404);  // includes /app/handshake1: "KLAP not supported"
}

std::optional<HttpResponse> TapoDevice::MaybeInjectFault() {
  const TapoFaultRates& f = options_.faults;
  if (f.timeout + f.garbage + f.http500 <= 0) return std::nullopt;
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(fault_rng_);
  if (u >= f.timeout + f.garbage + f.http500) return std::nullopt;
  ++stats_.faults_injected;
  if (u < f.timeout) {
    HttpResponse r;
    r.hang = true;
    return r;
  }
  if (u < f.timeout + f.garbage) {
    HttpResponse r{200, {{"Content-Type", "application/octet-stream"}}, {}, false};
    const std::size_t n = std::uniform_int_distribution<std::size_t>(16, 512)(fault_rng_);
    for (std::size_t i = 0; i < n; ++i) r.body.push_back(static_cast<char>(fault_rng_() & 0xff));
    return r;
  }
  return Status(500);
}

HttpResponse TapoDevice::KlapHandshake1(const HttpRequest& request, TimePoint now) {
  if (request.body.size() != tapo::kKlapSeedSize) return Status(400);
  ++stats_.handshakes;
  Session& s = NewSession(now);
  const auto local = tapo::AsBytes(request.body);
  s.local_seed.assign(local.begin(), local.end());
  s.remote_seed = RandomBytes(tapo::kKlapSeedSize);
  const tapo::Bytes server_hash =
      tapo::Handshake1ServerHash(options_.klap_version, s.local_seed, s.remote_seed, auth_hash_);
  HttpResponse r{200, {}, {}, false};
  r.body.append(tapo::AsText(s.remote_seed)).append(tapo::AsText(server_hash));
  // One header carrying both, as devices send it (python-kasa PR #697).
  r.headers.emplace_back("Set-Cookie", fmt::format("TP_SESSIONID={};TIMEOUT={}", s.id,
                                                   options_.session_timeout.count()));
  r.headers.emplace_back("Content-Type", "text/html");
  r.headers.emplace_back("Server", "SHIP 2.0");
  return r;
}

HttpResponse TapoDevice::KlapHandshake2(const HttpRequest& request, TimePoint now) {
  Session* s = FindSession(request.cookie, now);
  if (s == nullptr || s->local_seed.empty()) return Forbidden();
  const tapo::Bytes expected =
      tapo::Handshake2ClientHash(options_.klap_version, s->local_seed, s->remote_seed, auth_hash_);
  if (!tapo::ConstantTimeEquals(expected, tapo::AsBytes(request.body))) {
    // [unverified] which status real firmware sends; 400 as seen in
    // tp-link-tapo-connect #58. The half-made session is useless: drop it.
    ++stats_.auth_failures;
    DropSession(*s);
    return Status(400);
  }
  s->cipher.emplace(s->local_seed, s->remote_seed, auth_hash_);
  ++stats_.sessions_established;
  HttpResponse r{200, {{"Content-Type", "text/html"}}, {}, false};
  return r;
}

HttpResponse TapoDevice::KlapRequest(const HttpRequest& request, std::string_view query,
                                     TimePoint now) {
  Session* s = FindSession(request.cookie, now);
  if (s == nullptr || !s->cipher) return Forbidden();
  const auto seq_text = QueryParam(query, "seq");
  std::int32_t seq = 0;
  if (!seq_text) return Status(400);
  const auto [end, ec] =
      std::from_chars(seq_text->data(), seq_text->data() + seq_text->size(), seq);
  if (ec != std::errc() || end != seq_text->data() + seq_text->size()) return Status(400);
  if (options_.expire_after_requests != 0 && s->requests >= options_.expire_after_requests) {
    DropSession(*s);
    return Forbidden();
  }
  ++s->requests;
  auto json_text =
      s->cipher->DecryptAt(seq, tapo::AsBytes(request.body), /*verify_signature=*/true);
  if (!json_text) return Status(400);  // [unverified]: what firmware does with a bad frame
  ++stats_.requests;
  const std::string answer = Dispatch(*json_text, now);
  const tapo::Bytes body = s->cipher->EncryptAt(seq, answer);
  return HttpResponse{
      200, {{"Content-Type", "application/octet-stream"}}, std::string(tapo::AsText(body)), false};
}

HttpResponse TapoDevice::PassthroughApp(const HttpRequest& request, std::string_view query,
                                        TimePoint now) {
  auto parsed = tapo::ParseRequest(request.body);
  if (!parsed) return JsonResponse(tapo::BuildErrorResponse(kJsonDecodeFail));
  if (parsed->method == "handshake") return PassthroughHandshake(parsed->params, now);
  if (parsed->method == "securePassthrough")
    return SecurePassthrough(request, parsed->params, query, now);
  // [unverified]: AES firmware's answer to unencrypted API calls. Anything but
  // 1003 tells clients (tapo, Rust) to use securePassthrough.
  return JsonResponse(tapo::BuildErrorResponse(kUnknownMethod));
}

HttpResponse TapoDevice::PassthroughHandshake(const json::value& params, TimePoint now) {
  const json::value* key = params.is_object() ? params.as_object().if_contains("key") : nullptr;
  if (key == nullptr || !key->is_string())
    return JsonResponse(tapo::BuildErrorResponse(kInvalidPublicKey));
  const tapo::Bytes key_iv = RandomBytes(tapo::kPassthroughKeyIvSize);
  auto encrypted = tapo::RsaEncrypt(key->get_string(), key_iv);
  if (!encrypted) return JsonResponse(tapo::BuildErrorResponse(kInvalidPublicKey));
  ++stats_.handshakes;
  Session& s = NewSession(now);
  s.aes.emplace(*tapo::AesCbc::FromKeyIv(key_iv));
  return JsonResponse(
      tapo::BuildResultResponse(json::object{{"key", tapo::Base64Encode(*encrypted)}}),
      {{"Set-Cookie",
        fmt::format("TP_SESSIONID={};TIMEOUT={}", s.id, options_.session_timeout.count())}});
}

HttpResponse TapoDevice::SecurePassthrough(const HttpRequest& request, const json::value& params,
                                           std::string_view query, TimePoint now) {
  Session* s = FindSession(request.cookie, now);
  if (s == nullptr || !s->aes || s->dead) return SessionError();
  const json::value* inner_b64 =
      params.is_object() ? params.as_object().if_contains("request") : nullptr;
  if (inner_b64 == nullptr || !inner_b64->is_string())
    return JsonResponse(tapo::BuildErrorResponse(kParamsError));
  auto inner_text = s->aes->DecryptB64(inner_b64->get_string());
  if (!inner_text) return JsonResponse(tapo::BuildErrorResponse(kAesDecodeFail));
  auto inner = tapo::ParseRequest(*inner_text);

  std::string answer;
  if (inner && inner->method == "login_device") {
    const json::object* p = inner->params.is_object() ? &inner->params.as_object() : nullptr;
    const auto field = [p](std::string_view k) -> std::string_view {
      const json::value* v = p != nullptr ? p->if_contains(k) : nullptr;
      return v != nullptr && v->is_string() ? std::string_view(v->get_string())
                                            : std::string_view();
    };
    const bool v2 = p != nullptr && p->contains("password2");
    const bool ok =
        field("username") == login_username_b64_ && (v2 ? field("password2") == login_password2_b64_
                                                        : field("password") == login_password_b64_);
    if (ok) {
      s->token = RandomHex(16);
      ++stats_.sessions_established;
      answer = tapo::BuildResultResponse(json::object{{"token", s->token}});
    } else {
      ++stats_.auth_failures;
      s->dead = true;
      answer = tapo::BuildErrorResponse(kLoginError);
    }
  } else {
    const auto token = QueryParam(query, "token");
    if (s->token.empty() || !token || *token != s->token) return SessionError();
    if (options_.expire_after_requests != 0 && s->requests >= options_.expire_after_requests) {
      DropSession(*s);
      return SessionError();
    }
    ++s->requests;
    ++stats_.requests;
    answer = inner ? Dispatch(*inner_text, now) : tapo::BuildErrorResponse(kJsonDecodeFail);
  }
  return JsonResponse(
      tapo::BuildResultResponse(json::object{{"response", s->aes->EncryptB64(answer)}}));
}

// ---- Sessions ----

TapoDevice::Session* TapoDevice::FindSession(std::string_view cookie_header, TimePoint now) {
  const auto id = CookieValue(cookie_header, "TP_SESSIONID");
  if (!id) return nullptr;
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if ((*it)->id != *id) continue;
    if (now >= (*it)->expires) {
      sessions_.erase(it);
      return nullptr;
    }
    return it->get();
  }
  return nullptr;
}

TapoDevice::Session& TapoDevice::NewSession(TimePoint now) {
  std::erase_if(sessions_, [now](const auto& s) { return now >= s->expires; });
  while (sessions_.size() >= options_.max_sessions) sessions_.erase(sessions_.begin());
  auto s = std::make_unique<Session>();
  s->id = RandomHex(16);
  s->expires = now + options_.session_timeout;
  sessions_.push_back(std::move(s));
  return *sessions_.back();
}

void TapoDevice::DropSession(const Session& session) {
  std::erase_if(sessions_, [&session](const auto& s) { return s.get() == &session; });
}

HttpResponse TapoDevice::Forbidden() {
  ++stats_.forbidden;
  return Status(403);
}

HttpResponse TapoDevice::SessionError() {
  ++stats_.session_errors;
  return JsonResponse(tapo::BuildErrorResponse(kSessionTimeout));
}

std::string TapoDevice::RandomHex(std::size_t bytes) {
  return Upper(tapo::ToHex(RandomBytes(bytes)));
}

tapo::Bytes TapoDevice::RandomBytes(std::size_t n) {
  tapo::Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng_() >> 56);
  return out;
}

// ---- JSON API ----

std::string TapoDevice::Dispatch(std::string_view request_json, TimePoint now) {
  auto request = tapo::ParseRequest(request_json);
  if (!request) return tapo::BuildErrorResponse(kJsonDecodeFail);
  return json::serialize(CallMethod(request->method, request->params, now, /*allow_batch=*/true));
}

json::object TapoDevice::CallMethod(std::string_view method, const json::value& params,
                                    TimePoint now, bool allow_batch) {
  if (method == "get_device_info") return ResultObject(DeviceInfo(now));
  if (method == "get_energy_usage") return ResultObject(EnergyUsage(now));
  if (method == "get_current_power") {
    // Integer watts, truncated like firmware's mW / 1000.
    return ResultObject(json::object{{"current_power", std::llround(PowerW(now) * 1000) / 1000}});
  }
  if (method == "get_emeter_data") {
    const long long power_mw = std::llround(PowerW(now) * 1000);
    // Mains wobbles a little around 230 V.
    const long long voltage_mv = 229'500 + (UnixMillis(now) / 1000 % 11) * 100;
    return ResultObject(json::object{{"power_mw", power_mw},
                                     {"voltage_mv", voltage_mv},
                                     {"current_ma", power_mw * 1000 / voltage_mv},
                                     // [unverified] what the counter spans; here since power-up.
                                     {"energy_wh", std::llround(EnergyWh(now))}});
  }
  if (method == "get_device_time") {
    return ResultObject(json::object{{"timestamp", UnixMillis(now) / 1000},
                                     {"time_diff", options_.utc_offset_min},
                                     {"region", options_.region}});
  }
  if (method == "get_device_usage") return ResultObject(DeviceUsage(now));
  if (method == "component_nego") {
    json::array list;
    for (const auto& [id, ver] : kComponents)
      list.push_back(json::object{{"id", id}, {"ver_code", ver}});
    return ResultObject(json::object{{"component_list", std::move(list)}});
  }
  if (method == "set_device_info") {
    if (!params.is_object()) return ErrorObject(kParamsError);
    // Check everything before changing anything.
    const json::object& p = params.as_object();
    const json::value* on = p.if_contains("device_on");
    if (on != nullptr && !on->is_bool()) return ErrorObject(kParamsError);
    std::optional<std::string> nickname;
    if (const json::value* v = p.if_contains("nickname")) {
      auto text = v->is_string() ? tapo::Base64DecodeText(v->get_string()) : Result<std::string>();
      if (!v->is_string() || !text) return ErrorObject(kParamsError);
      nickname = *std::move(text);
    }
    if (on != nullptr) SetRelay(on->get_bool(), now);
    if (nickname) options_.nickname = *std::move(nickname);
    return ErrorObject(0);
  }
  if (method == "multipleRequest" && allow_batch) {
    const json::value* requests =
        params.is_object() ? params.as_object().if_contains("requests") : nullptr;
    if (requests == nullptr || !requests->is_array()) return ErrorObject(kParamsError);
    json::array responses;
    for (const json::value& entry : requests->as_array()) {
      const json::value* m = entry.is_object() ? entry.as_object().if_contains("method") : nullptr;
      if (m == nullptr || !m->is_string()) {
        responses.push_back(json::object{{"method", ""}, {"error_code", kParamsError}});
        break;
      }
      const json::value* sub_params = entry.as_object().if_contains("params");
      json::object answer =
          CallMethod(m->get_string(), sub_params ? *sub_params : json::value(), now,
                     /*allow_batch=*/false);
      json::object response{{"method", m->get_string()}};
      if (json::value* result = answer.if_contains("result"))
        response["result"] = std::move(*result);
      const std::int64_t code = answer.at("error_code").to_number<std::int64_t>();
      response["error_code"] = code;
      responses.push_back(std::move(response));
      if (code != 0) break;  // like devices: no sub-request runs after a failure
    }
    return ResultObject(json::object{{"responses", std::move(responses)}});
  }
  return ErrorObject(kUnknownMethod);
}

json::object TapoDevice::DeviceInfo(TimePoint now) const {
  const bool aes = options_.protocol == TapoProtocol::kPassthrough;
  // A steady but plausible signal per device.
  const int rssi = -42 - static_cast<int>(options_.index % 31);
  const int signal_level = rssi >= -50 ? 3 : rssi >= -60 ? 2 : rssi >= -70 ? 1 : 0;
  json::object o;
  o["device_id"] = device_id_;
  o["fw_ver"] = aes ? kAesFirmware : kKlapFirmware;
  o["hw_ver"] = "1.0";
  o["type"] = "SMART.TAPOPLUG";
  o["model"] = options_.model;
  o["mac"] = mac_;
  o["hw_id"] = hw_id_;
  o["fw_id"] = fw_id_;
  o["oem_id"] = oem_id_;
  o["ip"] = options_.ip;
  o["time_diff"] = options_.utc_offset_min;
  o["ssid"] = tapo::Base64Encode(std::string_view("plugwatch-sim"));
  o["rssi"] = rssi;
  o["signal_level"] = signal_level;
  o["latitude"] = 0;
  o["longitude"] = 0;
  o["lang"] = "en_US";
  o["avatar"] = "plug";
  o["region"] = options_.region;
  o["specs"] = "";
  o["nickname"] = tapo::Base64Encode(options_.nickname);
  o["has_set_location_info"] = true;
  o["device_on"] = relay_on_;
  o["on_time"] = relay_on_ ? Ms(now - last_change_) / 1000 : 0;
  o["default_states"] = json::object{{"type", "last_states"}, {"state", json::object()}};
  if (aes) {
    o["overheated"] = false;  // fw 1.0.x shape
  } else {
    o["overheat_status"] = "normal";
    o["overcurrent_status"] = "normal";
    o["power_protection_status"] = "normal";
    o["charging_status"] = "normal";
    o["auto_off_status"] = "off";
    o["auto_off_remain_time"] = 0;
  }
  return o;
}

json::object TapoDevice::EnergyUsage(TimePoint now) const {
  const TimePoint day = DayStart(now), month = MonthStart(now);
  const auto local = now + std::chrono::minutes(options_.utc_offset_min);
  const auto days = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(local - days)};
  const std::string local_time =
      fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  hms.hours().count(), hms.minutes().count(), hms.seconds().count());
  const double e_now = EnergyWh(now);
  const Duration on_now = OnTimeUntil(now);
  json::object o;
  o["today_runtime"] = Ms(on_now - OnTimeUntil(day)) / 60'000;
  o["month_runtime"] = Ms(on_now - OnTimeUntil(month)) / 60'000;
  o["today_energy"] = std::llround(e_now - EnergyWh(day));
  o["month_energy"] = std::llround(e_now - EnergyWh(month));
  o["local_time"] = local_time;
  o["electricity_charge"] = json::array{0, 0, 0};
  o["current_power"] = std::llround(PowerW(now) * 1000);
  return o;
}

json::object TapoDevice::DeviceUsage(TimePoint now) const {
  const TimePoint day = DayStart(now);
  const TimePoint week = day - std::chrono::days(6), month = day - std::chrono::days(29);
  const double e_now = EnergyWh(now);
  const Duration on_now = OnTimeUntil(now);
  const auto minutes = [&](TimePoint from) { return Ms(on_now - OnTimeUntil(from)) / 60'000; };
  const auto wh = [&](TimePoint from) { return std::llround(e_now - EnergyWh(from)); };
  json::object o;
  o["time_usage"] =
      json::object{{"today", minutes(day)}, {"past7", minutes(week)}, {"past30", minutes(month)}};
  o["power_usage"] = json::object{{"today", wh(day)}, {"past7", wh(week)}, {"past30", wh(month)}};
  o["saved_power"] = json::object{{"today", 0}, {"past7", 0}, {"past30", 0}};
  return o;
}

// ---- Relay and energy ----

void TapoDevice::SetRelay(bool on, TimePoint now) {
  now = std::max(now, last_change_);
  if (on == relay_on_) return;  // on_time keeps counting, as on a real plug
  if (relay_on_) {
    const double wh_before = on_history_.empty() ? folded_wh_ : on_history_.back().wh_at_end;
    const Duration on_before = on_history_.empty() ? folded_on_ : on_history_.back().on_at_end;
    on_history_.push_back(OnInterval{last_change_, now,
                                     wh_before + EnergyWhWhileOn(last_change_, now),
                                     on_before + (now - last_change_)});
    while (on_history_.size() > kMaxHistory || on_history_.front().to < now - kHistoryAge) {
      folded_wh_ = on_history_.front().wh_at_end;
      folded_on_ = on_history_.front().on_at_end;
      on_history_.pop_front();
      if (on_history_.empty()) break;
    }
  }
  relay_on_ = on;
  last_change_ = now;
}

double TapoDevice::PowerW(TimePoint now) const {
  return relay_on_ ? options_.profile.PowerAt(ProfileTime(now)) : 0.0;
}

Duration TapoDevice::ProfileTime(TimePoint t) const {
  return Duration(std::llround(static_cast<double>(Ms(t - start_)) * options_.speed));
}

double TapoDevice::EnergyWhWhileOn(TimePoint a, TimePoint b) const {
  if (b <= a) return 0;
  // ∫ P(speed·(t − start)) dt = (1/speed) ∫ P(u) du over profile time.
  return options_.profile.EnergyWhBetween(ProfileTime(a), ProfileTime(b)) / options_.speed;
}

double TapoDevice::EnergyWh(TimePoint t) const {
  const double closed = on_history_.empty() ? folded_wh_ : on_history_.back().wh_at_end;
  if (relay_on_ && t > last_change_) return closed + EnergyWhWhileOn(last_change_, t);
  // The last closed interval that began before t.
  auto it = std::upper_bound(on_history_.begin(), on_history_.end(), t,
                             [](TimePoint v, const OnInterval& i) { return v <= i.from; });
  if (it == on_history_.begin()) return folded_wh_;
  const OnInterval& k = *std::prev(it);
  if (t >= k.to) return k.wh_at_end;
  return k.wh_at_end - EnergyWhWhileOn(t, k.to);
}

Duration TapoDevice::OnTimeUntil(TimePoint t) const {
  const Duration closed = on_history_.empty() ? folded_on_ : on_history_.back().on_at_end;
  if (relay_on_ && t > last_change_) return closed + (t - last_change_);
  auto it = std::upper_bound(on_history_.begin(), on_history_.end(), t,
                             [](TimePoint v, const OnInterval& i) { return v <= i.from; });
  if (it == on_history_.begin()) return folded_on_;
  const OnInterval& k = *std::prev(it);
  if (t >= k.to) return k.on_at_end;
  return k.on_at_end - (k.to - t);
}

TimePoint TapoDevice::DayStart(TimePoint now) const {
  const std::chrono::minutes offset(options_.utc_offset_min);
  return std::chrono::time_point_cast<Duration>(
             std::chrono::floor<std::chrono::days>(now + offset)) -
         offset;
}

TimePoint TapoDevice::MonthStart(TimePoint now) const {
  const std::chrono::minutes offset(options_.utc_offset_min);
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now + offset)};
  return std::chrono::time_point_cast<Duration>(
             std::chrono::sys_days(ymd.year() / ymd.month() / 1)) -
         offset;
}

}  // namespace plugwatch::sim
