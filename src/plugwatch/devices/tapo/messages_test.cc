#include "plugwatch/devices/tapo/messages.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "plugwatch/devices/tapo/passthrough_crypto.h"

namespace plugwatch::tapo {
namespace {

namespace json = boost::json;
const TimePoint kNow = FromUnixMillis(1'739'230'299'123);

// get_device_info of the python-kasa fixture P110(AU) fw 1.3.1 (PROTOCOLS.md §2).
constexpr std::string_view kFixtureDeviceInfo =
    R"({"auto_off_remain_time":0,"auto_off_status":"off",
 "avatar":"plug","charging_status":"normal","default_states":{"state":{},"type":"last_states"},
 "device_id":"0000000000000000000000000000000000000000","device_on":false,
 "fw_id":"00000000000000000000000000000000","fw_ver":"1.3.1 Build 240621 Rel.162048",
 "has_set_location_info":true,"hw_id":"00000000000000000000000000000000","hw_ver":"1.0",
 "ip":"127.0.0.123","lang":"en_US","latitude":0,"longitude":0,"mac":"9C-53-22-00-00-00",
 "model":"P110","nickname":"I01BU0tFRF9OQU1FIw==","oem_id":"00000000000000000000000000000000",
 "on_time":0,"overcurrent_status":"normal","overheat_status":"normal",
 "power_protection_status":"normal","region":"Pacific/Auckland","rssi":-53,"signal_level":2,
 "specs":"","ssid":"I01BU0tFRF9TU0lEIw==","time_diff":720,"type":"SMART.TAPOPLUG"})";

json::value Parse(std::string_view text) { return json::parse(text); }

TEST(BuildRequest, PythonKasaEnvelopeWithoutEmptyParams) {
  EXPECT_EQ(
      BuildRequest({"get_device_info", {}}, kNow, "uuid=="),
      R"({"method":"get_device_info","request_time_milis":1739230299123,"terminal_uuid":"uuid=="})");
}

TEST(BuildRequest, KeepsParamsWhenPresent) {
  Request r{"set_device_info", {{"device_on", true}}};
  EXPECT_EQ(BuildRequest(r, kNow, "u"),
            R"({"method":"set_device_info","request_time_milis":1739230299123,"terminal_uuid":"u",)"
            R"("params":{"device_on":true}})");
}

TEST(BuildMultipleRequest, ListsSubRequests) {
  const Request requests[] = {{"get_device_info", {}}, {"set_device_info", {{"device_on", false}}}};
  EXPECT_EQ(BuildMultipleRequest(requests, kNow, "u"),
            R"({"method":"multipleRequest","request_time_milis":1739230299123,"terminal_uuid":"u",)"
            R"("params":{"requests":[{"method":"get_device_info"},)"
            R"({"method":"set_device_info","params":{"device_on":false}}]}})");
}

TEST(NewTerminalUuid, IsBase64OfAnMd5) {
  const std::string a = NewTerminalUuid();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(Base64Decode(a)->size(), 16u);
  EXPECT_NE(a, NewTerminalUuid());
}

TEST(Passthrough, HandshakeBodyHasTheLengthDevicesExpect) {
  auto keys = RsaKeyPair::Generate();
  ASSERT_TRUE(keys);
  const std::string body = BuildHandshakeRequest(keys->public_key_pem());
  // python-kasa forces Content-Length: 314 because devices need it; that is this body.
  EXPECT_EQ(body.size(), 314u);
  EXPECT_TRUE(
      body.starts_with(R"({"method":"handshake","params":{"key":"-----BEGIN PUBLIC KEY-----\n)"));
  EXPECT_TRUE(body.ends_with(R"(\n-----END PUBLIC KEY-----\n"}})"));
}

TEST(Passthrough, FramingRoundTrip) {
  EXPECT_EQ(BuildSecurePassthrough("QUJD"),
            R"({"method":"securePassthrough","params":{"request":"QUJD"}})");
  EXPECT_EQ(*ParseHandshakeResult(Parse(R"({"key":"a2V5"})")), "a2V5");
  EXPECT_EQ(*ParseSecurePassthroughResult(Parse(R"({"response":"cmVz"})")), "cmVz");
  EXPECT_EQ(*ParseLoginResult(Parse(R"({"token":"ABC123"})")), "ABC123");
  auto missing = ParseLoginResult(Parse("{}"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().context, "login_device: field 'token' is missing");
}

TEST(ParseEnvelope, ReturnsResult) {
  auto r = ParseEnvelope(R"({"error_code":0,"result":{"current_power":74}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::serialize(*r), R"({"current_power":74})");
}

TEST(ParseEnvelope, SetMethodsMayOmitResult) {
  auto r = ParseEnvelope(R"({"error_code":0})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->is_null());
}

TEST(ParseEnvelope, MapsErrorCodes) {
  struct Case {
    int code;
    Errc errc;
    std::string_view message;
  };
  const Case cases[] = {
      {-1501, Errc::kUnauthorized,
       "error -1501 (LOGIN_ERROR): wrong credentials — check the Tapo account e-mail and password"},
      {9999, Errc::kSessionExpired,
       "error 9999 (SESSION_TIMEOUT): the device ended the session — a new handshake is needed"},
      {-1301, Errc::kSessionExpired,
       "error -1301 (DEVICE_ERROR): the device is rate limiting requests — a new login is needed; "
       "poll this device less often"},
      {-1005, Errc::kSessionExpired,
       "error -1005 (AES_DECODE_FAIL): the device could not decrypt the request — a new handshake "
       "is needed"},
      {1003, Errc::kUnauthorized,
       "error 1003 (TRANSPORT_UNKNOWN_CREDENTIALS): the device refused this transport — its "
       "firmware speaks KLAP: use the KLAP transport"},
      {1111, Errc::kUnauthorized,
       "error 1111 (LOGIN_FAILED): login failed — check the Tapo account e-mail and password"},
      {1100, Errc::kUnauthorized,
       "error 1100 (HAND_SHAKE_FAILED): handshake failed — check the credentials and that "
       "Third-Party Compatibility is on in the Tapo app"},
      {-1003, Errc::kNotSupported,
       "error -1003 (JSON_DECODE_FAIL): the device rejected the request (P100 firmware rejects "
       "batches) — send requests one at a time"},
      {-1002, Errc::kNotSupported,
       "error -1002 (UNKNOWN_METHOD): method not supported by this device"},
      {-1008, Errc::kProtocol, "error -1008 (PARAMS_ERROR): bad or unsupported params"},
      {-1012, Errc::kProtocol,
       "error -1012 (INVALID_TERMINAL_UUID): invalid terminal UUID — this firmware needs a "
       "terminal UUID in the request"},
      {1200, Errc::kProtocol, "error 1200 (MULTI_REQUEST_FAILED): a batched request failed"},
      {12345, Errc::kProtocol, "error 12345 (UNKNOWN): not a documented Tapo error code"},
  };
  for (const Case& c : cases) {
    auto r = ParseEnvelope(R"({"error_code":)" + std::to_string(c.code) + R"(,"result":{}})");
    ASSERT_FALSE(r) << c.code;
    EXPECT_TRUE(r.error().Is(c.errc)) << c.code;
    EXPECT_EQ(r.error().context, c.message);
  }
  EXPECT_TRUE(FindErrorCode(9999)->retryable);
  EXPECT_TRUE(FindErrorCode(-1001)->retryable);
  EXPECT_FALSE(FindErrorCode(-1501)->retryable);
  EXPECT_EQ(FindErrorCode(0), nullptr);
}

TEST(ParseEnvelopeRaw, KeepsTheCodeForCallersThatBranchOnIt) {
  auto r = ParseEnvelopeRaw(R"({"error_code":1003})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error_code, 1003);
  EXPECT_TRUE(r->result.is_null());
}

TEST(ParseEnvelopeRaw, RejectsBadInputTable) {
  const std::string oversized =
      R"({"error_code":0,"result":")" + std::string(kMaxMessageSize, 'x') + "\"}";
  const std::pair<std::string, std::string_view> cases[] = {
      {"", "Tapo: response is not JSON (incomplete JSON)"},
      {"{\"error_code\":0", "Tapo: response is not JSON (incomplete JSON)"},
      {"\x01\x02garbage", "Tapo: response is not JSON (syntax error)"},
      {"[1,2]", "Tapo: response is not a JSON object"},
      {R"({"result":{}})", "Tapo: response has no integer error_code"},
      {R"({"error_code":"0"})", "Tapo: response has no integer error_code"},
      {oversized, "Tapo: response of 65564 bytes exceeds the 65536-byte limit"},
  };
  for (const auto& [input, want] : cases) {
    auto r = ParseEnvelopeRaw(input);
    ASSERT_FALSE(r) << input.substr(0, 40);
    EXPECT_EQ(r.error().context, want);
  }
  EXPECT_TRUE(ParseEnvelopeRaw("[]").error().Is(Errc::kProtocol));
  EXPECT_TRUE(ParseEnvelopeRaw("{").error().Is(Errc::kParse));
}

TEST(ParseDeviceInfo, ReadsTheFixtureAndDecodesBase64) {
  auto info = ParseDeviceInfo(Parse(kFixtureDeviceInfo));
  ASSERT_TRUE(info) << info.error().context;
  EXPECT_EQ(info->nickname, "#MASKED_NAME#");
  EXPECT_EQ(info->ssid, "#MASKED_SSID#");
  EXPECT_EQ(info->model, "P110");
  EXPECT_EQ(info->type, "SMART.TAPOPLUG");
  EXPECT_EQ(info->mac, "9C-53-22-00-00-00");
  EXPECT_EQ(info->device_id.size(), 40u);
  EXPECT_EQ(info->fw_ver, "1.3.1 Build 240621 Rel.162048");
  EXPECT_EQ(info->hw_ver, "1.0");
  EXPECT_FALSE(info->device_on);
  EXPECT_EQ(info->on_time, 0);
  EXPECT_EQ(info->rssi, -53);
  EXPECT_EQ(info->signal_level, 2);
  EXPECT_EQ(info->time_diff, 720);
  EXPECT_EQ(info->region, "Pacific/Auckland");
  EXPECT_EQ(info->overheat_status, "normal");
  EXPECT_FALSE(info->overheated.has_value());
}

TEST(ParseDeviceInfo, Utf8NicknameAndOlderFirmware) {
  auto info = ParseDeviceInfo(Parse(
      R"({"device_on":true,"on_time":3600,"nickname":"S8O8Y2hlIFdhc2NobWFzY2hpbmU=","overheated":false})"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->nickname, "Küche Waschmaschine");
  EXPECT_TRUE(info->device_on);
  EXPECT_EQ(info->on_time, 3600);
  EXPECT_EQ(info->overheated, false);
}

TEST(ParseDeviceInfo, KeepsANicknameThatIsNotBase64) {
  EXPECT_EQ(ParseDeviceInfo(Parse(R"({"device_on":true,"nickname":"my plug!"})"))->nickname,
            "my plug!");
}

TEST(ParseDeviceInfo, NamesTheBadField) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"model":"P110"})", "get_device_info: field 'device_on' is missing"},
      {R"({"device_on":"yes"})", "get_device_info: field 'device_on' is not a boolean"},
      {R"({"device_on":true,"rssi":"-50"})", "get_device_info: field 'rssi' is not an integer"},
      {R"({"device_on":true,"model":5})", "get_device_info: field 'model' is not a string"},
      {R"([])", "get_device_info: result is not a JSON object"},
  };
  for (auto [input, want] : cases) {
    auto r = ParseDeviceInfo(Parse(input));
    ASSERT_FALSE(r) << input;
    EXPECT_TRUE(r.error().Is(Errc::kProtocol));
    EXPECT_EQ(r.error().context, want);
  }
}

TEST(ParseEnergyUsage, CurrentPowerIsMilliwatts) {
  // P110M(AU) fw 1.2.3: get_energy_usage 74116 (mW) vs get_current_power 74 (W).
  auto usage = ParseEnergyUsage(Parse(
      R"({"current_power":74116,"electricity_charge":[0,0,0],"local_time":"2025-02-11 12:31:41",)"
      R"("month_energy":4,"month_runtime":10,"today_energy":1,"today_runtime":2})"));
  ASSERT_TRUE(usage) << usage.error().context;
  EXPECT_EQ(usage->current_power_mw, 74116);
  EXPECT_DOUBLE_EQ(usage->current_power_w(), 74.116);
  EXPECT_EQ(usage->today_energy_wh, 1);
  EXPECT_EQ(usage->month_energy_wh, 4);
  EXPECT_EQ(usage->today_runtime_min, 2);
  EXPECT_EQ(usage->month_runtime_min, 10);
  EXPECT_EQ(usage->local_time, "2025-02-11 12:31:41");
  EXPECT_EQ(*ParseCurrentPowerW(Parse(R"({"current_power":74})")), 74);
}

TEST(ParseEnergyUsage, RequiresTheCounters) {
  auto r = ParseEnergyUsage(Parse(R"({"today_energy":1,"month_energy":2})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().context, "get_energy_usage: field 'current_power' is missing");
}

TEST(ParseEmeterAndTime, ReadFixtureShapes) {
  auto e = ParseEmeterData(
      Parse(R"({"current_ma":0,"energy_wh":0,"power_mw":1003,"voltage_mv":238609})"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->power_mw, 1003);
  EXPECT_EQ(e->voltage_mv, 238609);
  auto t = ParseDeviceTime(
      Parse(R"({"region":"Pacific/Auckland","time_diff":720,"timestamp":1739230299})"));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->timestamp, 1739230299);
  EXPECT_EQ(t->time_diff, 720);
  EXPECT_EQ(t->region, "Pacific/Auckland");
}

TEST(ParseComponents, ReadsTheList) {
  auto c = ParseComponents(Parse(
      R"({"component_list":[{"id":"device","ver_code":2},{"id":"energy_monitoring","ver_code":2}]})"));
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[1].id, "energy_monitoring");
  EXPECT_EQ((*c)[1].ver_code, 2);
  EXPECT_FALSE(ParseComponents(Parse("{}")));
}

TEST(ParseMultipleResults, SplitsPerMethod) {
  auto outer = ParseEnvelope(R"({"error_code":0,"result":{"responses":[
      {"method":"get_device_info","result":{"device_on":true},"error_code":0},
      {"method":"get_energy_usage","result":{"current_power":1000,"today_energy":5,"month_energy":9},"error_code":0},
      {"method":"get_emeter_data","error_code":-1002}]}})");
  ASSERT_TRUE(outer);
  auto results = ParseMultipleResults(*outer);
  ASSERT_TRUE(results) << results.error().context;
  ASSERT_EQ(results->size(), 3u);
  EXPECT_TRUE(ParseDeviceInfo(*(*results)[0].result)->device_on);
  const MethodResult* energy = FindResult(*results, "get_energy_usage");
  ASSERT_NE(energy, nullptr);
  EXPECT_EQ(ParseEnergyUsage(*energy->result)->current_power_mw, 1000);
  const MethodResult* emeter = FindResult(*results, "get_emeter_data");
  ASSERT_NE(emeter, nullptr);
  ASSERT_FALSE(emeter->result);
  EXPECT_TRUE(emeter->result.error().Is(Errc::kNotSupported));
  EXPECT_EQ(emeter->result.error().context,
            "get_emeter_data: error -1002 (UNKNOWN_METHOD): method not supported by this device");
  EXPECT_EQ(FindResult(*results, "get_device_time"), nullptr);
}

TEST(ParseMultipleResults, RejectsMalformedLists) {
  EXPECT_EQ(ParseMultipleResults(Parse("{}")).error().context,
            "multipleRequest: result has no 'responses' array");
  EXPECT_EQ(ParseMultipleResults(Parse(R"({"responses":[{"error_code":0}]})")).error().context,
            "multipleRequest: field 'method' is missing");
}

TEST(ParseRequest, AcceptsEveryClientVariant) {
  auto kasa =
      ParseRequest(R"({"method":"get_device_info","request_time_milis":1,"terminal_uuid":"u"})");
  ASSERT_TRUE(kasa);
  EXPECT_EQ(kasa->method, "get_device_info");
  EXPECT_TRUE(kasa->params.is_null());
  auto rust = ParseRequest(R"({"method":"set_device_info","params":{"device_on":true},)"
                           R"("requestTimeMilis":1,"terminalUUID":"00-00-00-00-00-00"})");
  ASSERT_TRUE(rust);
  EXPECT_TRUE(rust->params.as_object().at("device_on").as_bool());
  EXPECT_TRUE(ParseRequest(R"({"method":"component_nego","params":null})")->params.is_null());
  EXPECT_EQ(ParseRequest(R"({"params":{}})").error().context, "Tapo: request has no method");
  EXPECT_EQ(ParseRequest("nope").error().context, "Tapo: request is not JSON (syntax error)");
}

TEST(BuildResponse, Shapes) {
  EXPECT_EQ(BuildErrorResponse(-1501), R"({"error_code":-1501})");
  EXPECT_EQ(BuildResultResponse(json::object{{"current_power", 5}}),
            R"({"error_code":0,"result":{"current_power":5}})");
}

}  // namespace
}  // namespace plugwatch::tapo
