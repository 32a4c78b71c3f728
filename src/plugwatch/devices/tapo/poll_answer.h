// PollAnswer: what a poll needs from the answer to its multipleRequest of
// get_device_info + get_energy_usage (the relay state and the energy
// counters), read with Boost.JSON's event parser (basic_parser) without
// building a tree. A P110 answers a poll with about 1.1 KB of JSON and 40
// fields, of which a poll reads 4; building and walking the tree was a third
// of the instructions of a poll (docs/adr/0007-poll-path-performance.md).
//
// This is a fast path for one shape, not a second reading of the protocol.
// ReadPollAnswer returns a PollAnswer only for the regular answer:
//   {"error_code":0, "result":{"responses":[
//     {"method":"get_device_info","result":{… "device_on":<bool> …},"error_code":0},
//     {"method":"get_energy_usage","result":{… "current_power":<int>,
//      "today_energy":<int>, "month_energy":<int> …},"error_code":0}]}}
// with the two entries in any order and keys in any order, unknown keys
// ignored, and the optional energy fields ParseEnergyUsage checks
// (today_runtime, month_runtime: integers; local_time: a string) either
// absent or of their type. Integers must be JSON integers that fit int64.
// For anything else — another error_code, a missing, failed, repeated or
// unknown entry, a field missing, of another type or given twice, text that
// is not JSON or over kMaxMessageSize — it returns nullopt, and the caller
// reads the same text the general way (ParseEnvelopeRaw and the checks of
// p110_driver.cc), which gives every error, fallback and message. So an
// answer is read either by both ways with the same outcome, or by the
// general way only; poll_answer_test.cc checks the two against each other.
//
// Pure function, no allocation; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace plugwatch::tapo {

struct PollAnswer {
  bool device_on = false;             // get_device_info.device_on
  std::int64_t current_power_mw = 0;  // get_energy_usage.current_power (milliwatts)
  std::int64_t today_energy_wh = 0;   // get_energy_usage.today_energy
  std::int64_t month_energy_wh = 0;   // get_energy_usage.month_energy

  double current_power_w() const { return static_cast<double>(current_power_mw) / 1000.0; }
};

std::optional<PollAnswer> ReadPollAnswer(std::string_view text);

}  // namespace plugwatch::tapo
