#include "plugwatch/devices/tapo/messages.h"

#include <fmt/format.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>

#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/passthrough_crypto.h"

namespace plugwatch::tapo {
namespace json = boost::json;
namespace {

constexpr std::array<ErrorCodeInfo, 20> kErrorCodes{{
    {-1, "COMMON_FAILED", "the device reported a failure", "", Errc::kProtocol, false},
    {-1001, "UNSPECIFIC", "unspecified device error", "retry", Errc::kProtocol, true},
    {-1002, "UNKNOWN_METHOD", "method not supported by this device", "", Errc::kNotSupported,
     false},
    {-1003, "JSON_DECODE_FAIL", "the device rejected the request (P100 firmware rejects batches)",
     "send requests one at a time", Errc::kNotSupported, false},
    {-1005, "AES_DECODE_FAIL", "the device could not decrypt the request",
     "a new handshake is needed", Errc::kSessionExpired, false},
    {-1008, "PARAMS_ERROR", "bad or unsupported params", "", Errc::kProtocol, false},
    {-1010, "INVALID_PUBLIC_KEY", "the device rejected the handshake's RSA key", "",
     Errc::kProtocol, false},
    {-1012, "INVALID_TERMINAL_UUID", "invalid terminal UUID",
     "this firmware needs a terminal UUID in the request", Errc::kProtocol, false},
    {-1101, "SESSION_PARAM", "bad session parameters", "", Errc::kProtocol, false},
    {-1301, "DEVICE_ERROR", "the device is rate limiting requests",
     "a new login is needed; poll this device less often", Errc::kSessionExpired, false},
    {-1501, "LOGIN_ERROR", "wrong credentials", "check the Tapo account e-mail and password",
     Errc::kUnauthorized, false},
    {1000, "NULL_TRANSPORT", "no transport", "", Errc::kProtocol, false},
    {1001, "CMD_CANCEL", "command cancelled", "", Errc::kProtocol, false},
    {1002, "TRANSPORT_NOT_AVAILABLE", "transport not available", "retry", Errc::kProtocol, true},
    {1003, "TRANSPORT_UNKNOWN_CREDENTIALS", "the device refused this transport",
     "its firmware speaks KLAP: use the KLAP transport", Errc::kUnauthorized, false},
    {1100, "HAND_SHAKE_FAILED", "handshake failed",
     "check the credentials and that Third-Party Compatibility is on in the Tapo app",
     Errc::kUnauthorized, false},
    {1111, "LOGIN_FAILED", "login failed", "check the Tapo account e-mail and password",
     Errc::kUnauthorized, false},
    {1112, "HTTP_TRANSPORT_FAILED", "HTTP transport failed", "retry", Errc::kProtocol, true},
    {1200, "MULTI_REQUEST_FAILED", "a batched request failed", "", Errc::kProtocol, false},
    {9999, "SESSION_TIMEOUT", "the device ended the session", "a new handshake is needed",
     Errc::kSessionExpired, true},
}};

// Parses text that must be a JSON object, within the size limit. `what` names
// it in errors ("response", "request").
Result<json::object> ParseObject(std::string_view text, std::string_view what,
                                 json::storage_ptr sp = {}) {
  if (text.size() > kMaxMessageSize)
    return Fail(Errc::kProtocol, fmt::format("Tapo: {} of {} bytes exceeds the {}-byte limit", what,
                                             text.size(), kMaxMessageSize));
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, std::move(sp));
  if (ec) return Fail(Errc::kParse, fmt::format("Tapo: {} is not JSON ({})", what, ec.message()));
  if (!v.is_object())
    return Fail(Errc::kProtocol, fmt::format("Tapo: {} is not a JSON object", what));
  return std::move(v.as_object());
}

std::optional<std::int64_t> AsInt(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() &&
      v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(v.get_uint64());
  // Some firmware sends integral fields as doubles; accept the nearest integer.
  if (v.is_double() && std::isfinite(v.get_double()) && std::fabs(v.get_double()) < 9.0e18)
    return std::llround(v.get_double());
  return std::nullopt;
}

// Reads typed fields of one result object, keeping the first error.
class FieldReader {
 public:
  FieldReader(const json::value& result, std::string_view method) : method_(method) {
    if (result.is_object()) {
      object_ = &result.as_object();
    } else {
      SetError(fmt::format("{}: result is not a JSON object", method_));
    }
  }

  std::string String(std::string_view key, bool required = false) {
    const json::value* v = Find(key, required);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      SetError(fmt::format("{}: field '{}' is not a string", method_, key));
      return {};
    }
    return std::string(v->get_string());
  }

  std::int64_t Int(std::string_view key, bool required = false) {
    const json::value* v = Find(key, required);
    if (v == nullptr) return 0;
    auto i = AsInt(*v);
    if (!i) {
      SetError(fmt::format("{}: field '{}' is not an integer", method_, key));
      return 0;
    }
    return *i;
  }

  std::optional<bool> Bool(std::string_view key, bool required = false) {
    const json::value* v = Find(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) {
      SetError(fmt::format("{}: field '{}' is not a boolean", method_, key));
      return std::nullopt;
    }
    return v->get_bool();
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  const json::value* Find(std::string_view key, bool required) {
    if (object_ == nullptr) return nullptr;
    const json::value* v = object_->if_contains(key);
    if (v == nullptr && required) SetError(fmt::format("{}: field '{}' is missing", method_, key));
    return v;
  }
  void SetError(std::string context) {
    if (!error_) error_ = MakeError(Errc::kProtocol, std::move(context));
  }

  std::string_view method_;
  const json::object* object_ = nullptr;
  std::optional<Error> error_;
};

// base64 text fields: decoded when they are base64, else kept as sent.
std::string DecodeBase64Field(const std::string& raw) {
  auto decoded = Base64DecodeText(raw);
  return decoded ? std::move(*decoded) : raw;
}

int ClampInt(std::int64_t v) {
  return static_cast<int>(std::clamp<std::int64_t>(v, std::numeric_limits<int>::min(),
                                                   std::numeric_limits<int>::max()));
}

Result<std::string> StringField(const json::value& result, std::string_view method,
                                std::string_view key) {
  FieldReader r(result, method);
  std::string s = r.String(key, /*required=*/true);
  if (r.error()) return Fail(*r.error());
  return s;
}

}  // namespace

std::string BuildRequest(const Request& request, TimePoint now, std::string_view terminal_uuid) {
  json::object envelope;
  envelope["method"] = request.method;
  envelope["request_time_milis"] = UnixMillis(now);
  envelope["terminal_uuid"] = terminal_uuid;
  if (!request.params.empty()) envelope["params"] = request.params;
  return json::serialize(envelope);
}

std::string BuildMultipleRequest(std::span<const Request> requests, TimePoint now,
                                 std::string_view terminal_uuid) {
  json::array list;
  list.reserve(requests.size());
  for (const Request& r : requests) {
    json::object entry;
    entry["method"] = r.method;
    if (!r.params.empty()) entry["params"] = r.params;
    list.emplace_back(std::move(entry));
  }
  Request batch{"multipleRequest", {}};
  batch.params["requests"] = std::move(list);
  return BuildRequest(batch, now, terminal_uuid);
}

std::string NewTerminalUuid() { return Base64Encode(Hash(HashAlg::kMd5, {RandomBytes(16)})); }

std::string BuildHandshakeRequest(std::string_view public_key_pem) {
  json::object envelope;
  envelope["method"] = "handshake";
  envelope["params"] = json::object{{"key", public_key_pem}};
  return json::serialize(envelope);
}

std::string BuildSecurePassthrough(std::string_view request_b64) {
  json::object envelope;
  envelope["method"] = "securePassthrough";
  envelope["params"] = json::object{{"request", request_b64}};
  return json::serialize(envelope);
}

Result<std::string> ParseHandshakeResult(const json::value& result) {
  return StringField(result, "handshake", "key");
}
Result<std::string> ParseSecurePassthroughResult(const json::value& result) {
  return StringField(result, "securePassthrough", "response");
}
Result<std::string> ParseLoginResult(const json::value& result) {
  return StringField(result, "login_device", "token");
}

Result<Envelope> ParseEnvelopeRaw(std::string_view text, json::storage_ptr sp) {
  auto object = ParseObject(text, "response", std::move(sp));
  if (!object) return Fail(object.error());
  const json::value* code = object->if_contains("error_code");
  std::optional<std::int64_t> n = code != nullptr ? AsInt(*code) : std::nullopt;
  if (!n) return Fail(Errc::kProtocol, "Tapo: response has no integer error_code");
  // Moved by construction, so that the result stays in the object's storage
  // (assigning it to a heap value would copy it).
  json::value* result = object->if_contains("result");
  Envelope envelope{*n, result != nullptr ? json::value(std::move(*result)) : json::value()};
  return envelope;
}

Result<json::value> ParseEnvelope(std::string_view text) {
  auto envelope = ParseEnvelopeRaw(text);
  if (!envelope) return Fail(envelope.error());
  if (envelope->error_code != 0) return Fail(ErrorFromCode(envelope->error_code));
  return std::move(envelope->result);
}

const ErrorCodeInfo* FindErrorCode(std::int64_t code) {
  for (const ErrorCodeInfo& info : kErrorCodes)
    if (info.code == code) return &info;
  return nullptr;
}

Error ErrorFromCode(std::int64_t code) {
  const ErrorCodeInfo* info = FindErrorCode(code);
  if (info == nullptr)
    return MakeError(Errc::kProtocol,
                     fmt::format("error {} (UNKNOWN): not a documented Tapo error code", code));
  std::string context = fmt::format("error {} ({}): {}", code, info->name, info->meaning);
  if (!info->hint.empty()) context += fmt::format(" — {}", info->hint);
  return MakeError(info->errc, std::move(context));
}

Result<std::vector<MethodResult>> ParseMultipleResults(const json::value& result) {
  const json::value* responses =
      result.is_object() ? result.as_object().if_contains("responses") : nullptr;
  if (responses == nullptr || !responses->is_array())
    return Fail(Errc::kProtocol, "multipleRequest: result has no 'responses' array");
  std::vector<MethodResult> out;
  out.reserve(responses->as_array().size());
  for (const json::value& entry : responses->as_array()) {
    FieldReader r(entry, "multipleRequest");
    std::string method = r.String("method", /*required=*/true);
    const std::int64_t code = r.Int("error_code", /*required=*/true);
    if (r.error()) return Fail(*r.error());
    if (code != 0) {
      Error error = Wrap(ErrorFromCode(code), method);
      out.push_back({std::move(method), Fail(std::move(error))});
      continue;
    }
    const json::value* value = entry.as_object().if_contains("result");
    out.push_back({std::move(method), value != nullptr ? *value : json::value()});
  }
  return out;
}

const MethodResult* FindResult(std::span<const MethodResult> results, std::string_view method) {
  for (const MethodResult& r : results)
    if (r.method == method) return &r;
  return nullptr;
}

Result<DeviceInfo> ParseDeviceInfo(const json::value& result) {
  FieldReader r(result, "get_device_info");
  DeviceInfo info;
  info.device_on = r.Bool("device_on", /*required=*/true).value_or(false);
  info.device_id = r.String("device_id");
  info.model = r.String("model");
  info.type = r.String("type");
  info.mac = r.String("mac");
  info.nickname = DecodeBase64Field(r.String("nickname"));
  info.ssid = DecodeBase64Field(r.String("ssid"));
  info.fw_ver = r.String("fw_ver");
  info.hw_ver = r.String("hw_ver");
  info.ip = r.String("ip");
  info.region = r.String("region");
  info.on_time = r.Int("on_time");
  info.rssi = ClampInt(r.Int("rssi"));
  info.signal_level = ClampInt(r.Int("signal_level"));
  info.time_diff = ClampInt(r.Int("time_diff"));
  info.overheated = r.Bool("overheated");
  info.overheat_status = r.String("overheat_status");
  if (r.error()) return Fail(*r.error());
  return info;
}

Result<EnergyUsage> ParseEnergyUsage(const json::value& result) {
  FieldReader r(result, "get_energy_usage");
  EnergyUsage usage;
  usage.current_power_mw = r.Int("current_power", /*required=*/true);
  usage.today_energy_wh = r.Int("today_energy", /*required=*/true);
  usage.month_energy_wh = r.Int("month_energy", /*required=*/true);
  usage.today_runtime_min = r.Int("today_runtime");
  usage.month_runtime_min = r.Int("month_runtime");
  usage.local_time = r.String("local_time");
  if (r.error()) return Fail(*r.error());
  return usage;
}

Result<std::int64_t> ParseCurrentPowerW(const json::value& result) {
  FieldReader r(result, "get_current_power");
  const std::int64_t w = r.Int("current_power", /*required=*/true);
  if (r.error()) return Fail(*r.error());
  return w;
}

Result<EmeterData> ParseEmeterData(const json::value& result) {
  FieldReader r(result, "get_emeter_data");
  EmeterData data;
  data.power_mw = r.Int("power_mw", /*required=*/true);
  data.voltage_mv = r.Int("voltage_mv");
  data.current_ma = r.Int("current_ma");
  data.energy_wh = r.Int("energy_wh");
  if (r.error()) return Fail(*r.error());
  return data;
}

Result<DeviceTime> ParseDeviceTime(const json::value& result) {
  FieldReader r(result, "get_device_time");
  DeviceTime t;
  t.timestamp = r.Int("timestamp", /*required=*/true);
  t.time_diff = ClampInt(r.Int("time_diff"));
  t.region = r.String("region");
  if (r.error()) return Fail(*r.error());
  return t;
}

Result<std::vector<Component>> ParseComponents(const json::value& result) {
  const json::value* list =
      result.is_object() ? result.as_object().if_contains("component_list") : nullptr;
  if (list == nullptr || !list->is_array())
    return Fail(Errc::kProtocol, "component_nego: result has no 'component_list' array");
  std::vector<Component> out;
  out.reserve(list->as_array().size());
  for (const json::value& entry : list->as_array()) {
    FieldReader r(entry, "component_nego");
    Component c;
    c.id = r.String("id", /*required=*/true);
    c.ver_code = ClampInt(r.Int("ver_code", /*required=*/true));
    if (r.error()) return Fail(*r.error());
    out.push_back(std::move(c));
  }
  return out;
}

Result<IncomingRequest> ParseRequest(std::string_view text) {
  auto object = ParseObject(text, "request");
  if (!object) return Fail(object.error());
  const json::value* method = object->if_contains("method");
  if (method == nullptr || !method->is_string() || method->get_string().empty())
    return Fail(Errc::kProtocol, "Tapo: request has no method");
  IncomingRequest request{std::string(method->get_string()), {}};
  if (json::value* params = object->if_contains("params")) request.params = std::move(*params);
  return request;
}

std::string BuildErrorResponse(std::int64_t error_code) {
  return json::serialize(json::object{{"error_code", error_code}});
}

std::string BuildResultResponse(json::value result) {
  json::object envelope;
  envelope["error_code"] = 0;
  envelope["result"] = std::move(result);
  return json::serialize(envelope);
}

}  // namespace plugwatch::tapo
