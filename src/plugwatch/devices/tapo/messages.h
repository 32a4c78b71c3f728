// The Tapo JSON API carried inside KLAP or securePassthrough (PROTOCOLS.md §2):
// request envelopes, multipleRequest batches, the passthrough framing, the
// response envelope with its error codes (§1.6) mapped to Errc, and typed
// views of the results a P110 returns. Pure functions over text and
// boost::json values; thread-safe.
//
// Every parser rejects text over kMaxMessageSize before parsing it, and
// tolerates unknown fields (firmware adds them); a field it needs that is
// missing or of the wrong type fails with kProtocol naming method and field.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch::tapo {

inline constexpr std::size_t kMaxMessageSize = 64 * 1024;

// ---- Requests (client side) ----

struct Request {
  std::string method;
  boost::json::object params;  // left out of the envelope when empty
};

// {"method":m,"request_time_milis":<unix ms>,"terminal_uuid":u,"params":{…}},
// the python-kasa form.
std::string BuildRequest(const Request& request, TimePoint now, std::string_view terminal_uuid);

// One multipleRequest envelope whose params are
// {"requests":[{"method":m1},{"method":m2,"params":{…}},…]}.
std::string BuildMultipleRequest(std::span<const Request> requests, TimePoint now,
                                 std::string_view terminal_uuid);

// base64(md5(16 random bytes)): a fresh terminal_uuid, made once per client.
std::string NewTerminalUuid();

// ---- securePassthrough framing (§1.7) ----

// {"method":"handshake","params":{"key":"<pem>"}}; 314 bytes for an RSA-1024 PEM
// from RsaKeyPair.
std::string BuildHandshakeRequest(std::string_view public_key_pem);
// {"method":"securePassthrough","params":{"request":"<b64>"}}.
std::string BuildSecurePassthrough(std::string_view request_b64);
// The base64 "key" of a handshake result.
Result<std::string> ParseHandshakeResult(const boost::json::value& result);
// The base64 "response" of a securePassthrough result.
Result<std::string> ParseSecurePassthroughResult(const boost::json::value& result);
// The "token" of a login_device result.
Result<std::string> ParseLoginResult(const boost::json::value& result);

// ---- Responses ----

struct Envelope {
  std::int64_t error_code = 0;
  boost::json::value result;  // null when the response has no "result"
};

// {"error_code":N[,"result":…]} without interpreting N. For callers that
// branch on a code, e.g. 1003 to component_nego meaning "speak KLAP".
// Fails with kProtocol ("Tapo: response of <n> bytes exceeds the 65536-byte
// limit", "Tapo: response is not a JSON object", "Tapo: response has no
// integer error_code") or kParse ("Tapo: response is not JSON (<why>)").
// The parsed values live in `sp` (e.g. a per-poll monotonic_resource, which
// must outlive them); the default is the heap.
Result<Envelope> ParseEnvelopeRaw(std::string_view json, boost::json::storage_ptr sp = {});

// The result of a successful response (null for set_* methods that return
// only {"error_code":0}). A non-zero error_code fails with ErrorFromCode.
Result<boost::json::value> ParseEnvelope(std::string_view json);

// What plugwatch knows about a device error code.
struct ErrorCodeInfo {
  std::int64_t code;
  std::string_view name;     // python-kasa's name, e.g. "LOGIN_ERROR"
  std::string_view meaning;  // "wrong credentials"
  std::string_view hint;     // what to do; may be empty
  Errc errc;
  bool retryable;  // python-kasa retries after resetting the transport
};
// nullptr for codes not in §1.6.
const ErrorCodeInfo* FindErrorCode(std::int64_t code);

// The Error for a device error code:
//   9999, -1301, -1005      → kSessionExpired (re-handshake, then retry)
//   -1501, 1003, 1111, 1100 → kUnauthorized
//   -1003 (batch rejected), -1002 (unknown method) → kNotSupported
//   anything else            → kProtocol
// with context "error <code> (<NAME>): <meaning>[ — <hint>]", e.g.
// "error -1501 (LOGIN_ERROR): wrong credentials — check the Tapo account e-mail and password".
Error ErrorFromCode(std::int64_t code);

// One entry of a multipleRequest answer. A failed entry carries
// ErrorFromCode prefixed with its method ("get_emeter_data: error -1002 …").
struct MethodResult {
  std::string method;
  Result<boost::json::value> result;
};
// The entries of a multipleRequest result ({"responses":[…]}), in order.
// Devices stop at the first failing sub-request, so later methods may be
// missing: callers send those again on their own.
Result<std::vector<MethodResult>> ParseMultipleResults(const boost::json::value& result);
// The entry for `method`, or nullptr.
const MethodResult* FindResult(std::span<const MethodResult> results, std::string_view method);

// ---- Typed results ----

struct DeviceInfo {
  std::string device_id;  // 40 hex characters
  std::string model;      // "P110"
  std::string type;       // "SMART.TAPOPLUG"
  std::string mac;        // "AA-BB-CC-DD-EE-FF"
  std::string nickname;   // decoded from base64 (kept as sent when not base64)
  std::string ssid;       // decoded likewise
  std::string fw_ver;
  std::string hw_ver;
  std::string ip;
  std::string region;              // time zone name, e.g. "Europe/Berlin"
  bool device_on = false;          // the relay
  std::int64_t on_time = 0;        // seconds since the relay last switched on; 0 when off
  int rssi = 0;                    // dBm
  int signal_level = 0;            // 0–3
  int time_diff = 0;               // minutes east of UTC
  std::optional<bool> overheated;  // older firmware; newer reports overheat_status
  std::string overheat_status;     // "normal" on newer firmware, else empty
};
// Needs device_on; every other field defaults when absent.
Result<DeviceInfo> ParseDeviceInfo(const boost::json::value& result);

struct EnergyUsage {
  std::int64_t today_runtime_min = 0;
  std::int64_t month_runtime_min = 0;
  std::int64_t today_energy_wh = 0;
  std::int64_t month_energy_wh = 0;
  std::int64_t current_power_mw = 0;  // milliwatts, unlike get_current_power
  std::string local_time;             // device local time "YYYY-MM-DD HH:MM:SS"; may be empty

  double current_power_w() const { return static_cast<double>(current_power_mw) / 1000.0; }
};
// Needs current_power, today_energy and month_energy.
Result<EnergyUsage> ParseEnergyUsage(const boost::json::value& result);

// get_current_power: integer watts.
Result<std::int64_t> ParseCurrentPowerW(const boost::json::value& result);

struct EmeterData {
  std::int64_t power_mw = 0;
  std::int64_t voltage_mv = 0;
  std::int64_t current_ma = 0;
  std::int64_t energy_wh = 0;
};
// Needs power_mw; the rest default to 0.
Result<EmeterData> ParseEmeterData(const boost::json::value& result);

struct DeviceTime {
  std::int64_t timestamp = 0;  // Unix seconds
  int time_diff = 0;           // minutes east of UTC
  std::string region;
};
// Needs timestamp.
Result<DeviceTime> ParseDeviceTime(const boost::json::value& result);

struct Component {
  std::string id;
  int ver_code = 0;
};
// component_nego: {"component_list":[{"id":…,"ver_code":…},…]}.
Result<std::vector<Component>> ParseComponents(const boost::json::value& result);

// ---- Server side (the emulator) ----

struct IncomingRequest {
  std::string method;
  boost::json::value params;  // null when absent or sent as null
};
// Any of the envelope variants of §2 (python-kasa, Rust, plugp100); extra
// top-level keys are ignored. Fails with kProtocol/kParse like ParseEnvelopeRaw.
Result<IncomingRequest> ParseRequest(std::string_view json);

// {"error_code":N}.
std::string BuildErrorResponse(std::int64_t error_code);
// {"error_code":0,"result":…}.
std::string BuildResultResponse(boost::json::value result);

}  // namespace plugwatch::tapo
