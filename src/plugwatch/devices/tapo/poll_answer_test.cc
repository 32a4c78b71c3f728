#include "plugwatch/devices/tapo/poll_answer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "plugwatch/devices/tapo/messages.h"

namespace plugwatch::tapo {
namespace {

namespace json = boost::json;

// A poll answer as a P110 (and the emulator) sends it: entries with method,
// result, error_code; get_device_info with nested objects and base64 strings.
constexpr std::string_view kRegular = R"({"error_code":0,"result":{"responses":[
 {"method":"get_device_info","result":{"device_id":"8022A1B2C3D4E5F60718293A4B5C6D7E8F901234",
  "fw_ver":"1.3.1 Build 240621 Rel.162048","hw_ver":"1.0","type":"SMART.TAPOPLUG","model":"P110",
  "mac":"9C-53-22-00-00-00","ip":"192.168.1.50","time_diff":60,"ssid":"cGx1Z3dhdGNoLXNpbQ==",
  "rssi":-42,"signal_level":3,"latitude":0,"longitude":0,"lang":"en_US","region":"Europe/Berlin",
  "nickname":"a2V0dGxl","has_set_location_info":true,"device_on":true,"on_time":1234,
  "default_states":{"type":"last_states","state":{}},"overheat_status":"normal",
  "auto_off_remain_time":0},"error_code":0},
 {"method":"get_energy_usage","result":{"today_runtime":120,"month_runtime":3000,
  "today_energy":1500,"month_energy":42000,"local_time":"2026-11-22 10:00:00",
  "electricity_charge":[0,0,0],"current_power":1234567},"error_code":0}]}})";

// The general way (p110_driver.cc's checks on the tree) for a batch answer
// that gives a reading at once; nullopt when it fails or needs more requests.
std::optional<PollAnswer> GeneralWay(std::string_view text) {
  auto envelope = ParseEnvelopeRaw(text);
  if (!envelope || envelope->error_code != 0) return std::nullopt;
  const json::value* responses = envelope->result.is_object()
                                     ? envelope->result.as_object().if_contains("responses")
                                     : nullptr;
  if (responses == nullptr || !responses->is_array()) return std::nullopt;
  const json::value* info = nullptr;
  const json::value* usage = nullptr;
  for (const json::value& entry : responses->as_array()) {
    const json::object* e = entry.if_object();
    const json::value* m = e != nullptr ? e->if_contains("method") : nullptr;
    const json::value* c = e != nullptr ? e->if_contains("error_code") : nullptr;
    if (m == nullptr || !m->is_string() || c == nullptr || !c->is_int64()) return std::nullopt;
    if (c->get_int64() != 0) return std::nullopt;
    const json::value* result = e->if_contains("result");
    if (result == nullptr) continue;
    if (m->get_string() == "get_device_info") info = result;
    if (m->get_string() == "get_energy_usage") usage = result;
  }
  if (info == nullptr || usage == nullptr) return std::nullopt;
  const json::value* on = info->is_object() ? info->as_object().if_contains("device_on") : nullptr;
  if (on == nullptr || !on->is_bool()) return std::nullopt;
  auto u = ParseEnergyUsage(*usage);
  if (!u) return std::nullopt;
  return PollAnswer{on->get_bool(), u->current_power_mw, u->today_energy_wh, u->month_energy_wh};
}

void ExpectSame(const std::optional<PollAnswer>& a, const std::optional<PollAnswer>& b,
                std::string_view text) {
  ASSERT_EQ(a.has_value(), b.has_value()) << text;
  if (!a) return;
  EXPECT_EQ(a->device_on, b->device_on) << text;
  EXPECT_EQ(a->current_power_mw, b->current_power_mw) << text;
  EXPECT_EQ(a->today_energy_wh, b->today_energy_wh) << text;
  EXPECT_EQ(a->month_energy_wh, b->month_energy_wh) << text;
}

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(ReadPollAnswer, ReadsTheRegularAnswer) {
  auto a = ReadPollAnswer(kRegular);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->device_on);
  EXPECT_EQ(a->current_power_mw, 1234567);
  EXPECT_DOUBLE_EQ(a->current_power_w(), 1234.567);
  EXPECT_EQ(a->today_energy_wh, 1500);
  EXPECT_EQ(a->month_energy_wh, 42000);
  ExpectSame(a, GeneralWay(kRegular), kRegular);
}

TEST(ReadPollAnswer, AnyOrderOfEntriesAndKeysAndEscapedNames) {
  const std::string_view text =
      R"({"result":{"extra":[1,{"responses":7}],"responses":[
        {"error_code":0,"result":{"month_energy":7,"current_power":0,"today_energy":3},
         "method":"get_energy_\u0075sage"},
        {"result":{"device\u005fon":false,"nested":{"device_on":true}},"error_code":0,
         "method":"get_device_info"}]},"error_code":0,"more":null})";
  auto a = ReadPollAnswer(text);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->device_on);
  EXPECT_EQ(a->current_power_mw, 0);
  EXPECT_EQ(a->today_energy_wh, 3);
  EXPECT_EQ(a->month_energy_wh, 7);
  ExpectSame(a, GeneralWay(text), text);
}

// Everything the general way handles differently (or rejects) is left to it.
TEST(ReadPollAnswer, LeavesEveryOtherShapeToTheGeneralWay) {
  const std::pair<std::string_view, std::string_view> edits[] = {
      {R"({"error_code":0,)", R"({"error_code":9999,)"},   // session expired
      {R"({"error_code":0,)", R"({"error_code":-1003,)"},  // batch rejected
      {R"({"error_code":0,)", R"({"error_code":0.0,)"},    // not an integer
      {R"({"error_code":0,)", R"({"error_code":0,"error_code":0,)"},
      {R"({"error_code":0,)", R"({)"},  // no error_code
      {R"("responses":[)", R"("responses":[{"method":"x","result":{},"error_code":0},)"},
      {R"("responses":[)", R"("responses":[1,)"},
      {R"("device_on":true,)", ""},
      {R"("device_on":true,)", R"("device_on":"true",)"},
      {R"("device_on":true,)", R"("device_on":true,"device_on":true,)"},
      {R"("device_on":true,)", R"("device_on":{},)"},
      {R"("current_power":1234567)", R"("current_power":1234567.0)"},
      {R"("current_power":1234567)", R"("current_power":"1234567")"},
      {R"("current_power":1234567)", R"("current_power":18446744073709551615)"},
      {R"("current_power":1234567)", R"("current_power":null)"},
      {R"("current_power":1234567)", R"("x":1)"},
      {R"("today_runtime":120)", R"("today_runtime":"2h")"},
      {R"("local_time":"2026-11-22 10:00:00")", R"("local_time":0)"},
      {R"("auto_off_remain_time":0},"error_code":0})",
       R"("auto_off_remain_time":0},"error_code":-1)"
       R"(})"},
      {R"("auto_off_remain_time":0},"error_code":0})", R"("auto_off_remain_time":0}})"},
      {R"("method":"get_energy_usage")", R"("method":"get_device_info")"},
      {R"("method":"get_energy_usage")", R"("method":"get_current_power")"},
      {R"("method":"get_energy_usage")", R"("method":1)"},
      {R"({"method":"get_energy_usage","result":{)", R"({"method":"get_energy_usage","result":7,)"
                                                     R"("x":{)"},
      {R"("error_code":0}]}})", R"("error_code":0}]}} x)"},  // trailing garbage
      {R"("error_code":0}]}})", R"("error_code":0}]})"},     // truncated
      {R"({"error_code":0,)", R"(/*c*/{"error_code":0,)"},   // comments are not JSON
  };
  for (const auto& [from, to] : edits) {
    const std::string text = Replace(kRegular, from, to);
    EXPECT_FALSE(ReadPollAnswer(text)) << text;
  }
  EXPECT_FALSE(ReadPollAnswer("[]"));
  EXPECT_FALSE(ReadPollAnswer("0"));
  EXPECT_FALSE(ReadPollAnswer(""));
  std::string big(kRegular);
  big.insert(big.size() - 1, R"(,"pad":")" + std::string(kMaxMessageSize, 'x') + "\"");
  EXPECT_TRUE(ParseEnvelopeRaw(big).error().Is(Errc::kProtocol));
  EXPECT_FALSE(ReadPollAnswer(big));
}

// Every value of the regular answer replaced by values of other types, and
// every key removed: whenever the fast path reads an answer, the general way
// reads the same; and it does read the answers whose changes a poll ignores.
TEST(ReadPollAnswer, AgreesWithTheGeneralWayOnEveryVariant) {
  const json::value regular = json::parse(kRegular);
  const std::vector<json::value> replacements = {
      0,
      1,
      -1002,
      1.5,
      "x",
      true,
      false,
      nullptr,
      json::object(),
      json::array(),
      json::value(std::numeric_limits<std::uint64_t>::max())};
  int variants = 0, read_fast = 0, read_general = 0;
  auto check = [&](const json::value& v) {
    const std::string text = json::serialize(v);
    const auto fast = ReadPollAnswer(text);
    const auto general = GeneralWay(text);
    ++variants;
    read_fast += fast.has_value();
    read_general += general.has_value();
    if (fast) ExpectSame(fast, general, text);
  };
  // Visits every value (by a path from the root) of a copy of `regular`.
  std::function<void(json::value&, json::value&)> visit = [&](json::value& root,
                                                              json::value& node) {
    if (json::object* o = node.if_object()) {
      std::vector<std::string> keys;
      for (const auto& kv : *o) keys.emplace_back(kv.key());
      for (const std::string& k : keys) {
        const json::value saved = o->at(k);
        for (const json::value& r : replacements) {
          o->at(k) = r;
          check(root);
        }
        o->erase(k);
        check(root);
        (*o)[k] = saved;
        visit(root, (*o)[k]);
      }
    } else if (json::array* a = node.if_array()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        const json::value saved = (*a)[i];
        for (const json::value& r : replacements) {
          (*a)[i] = r;
          check(root);
        }
        (*a)[i] = saved;
        visit(root, (*a)[i]);
      }
    }
  };
  json::value copy = regular;
  visit(copy, copy);
  EXPECT_EQ(copy, regular);  // the walk restored everything
  EXPECT_GT(variants, 500);
  // Changes to the ~35 fields a poll ignores keep the fast path.
  EXPECT_GT(read_fast, 300);
  EXPECT_GE(read_general, read_fast);
}

}  // namespace
}  // namespace plugwatch::tapo
