// What a plug (or anything answering on its address) sends back to a poll,
// read by the client: the fast path (ReadPollAnswer) and the general one
// (ParseEnvelopeRaw, ParseMultipleResults and the typed parsers).
// Property (poll_answer.h): whenever the fast path gives an answer, the
// general way reads the same text to the same values.
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/devices/tapo/messages.h"
#include "plugwatch/devices/tapo/poll_answer.h"

using namespace plugwatch::tapo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto fast = ReadPollAnswer(text);

  auto envelope = ParseEnvelopeRaw(text);
  if (!envelope) {
    PW_FUZZ_CHECK(!fast, "the fast path read text the general way rejects as an envelope");
    return 0;
  }
  std::optional<DeviceInfo> info;
  std::optional<EnergyUsage> usage;
  if (envelope->error_code == 0) {
    if (auto results = ParseMultipleResults(envelope->result)) {
      for (const auto& r : *results) {
        if (!r.result) continue;
        // Every typed parser must cope with whatever shape the entry has.
        (void)ParseCurrentPowerW(*r.result);
        (void)ParseEmeterData(*r.result);
        (void)ParseDeviceTime(*r.result);
        (void)ParseComponents(*r.result);
      }
      const MethodResult* i = FindResult(*results, "get_device_info");
      const MethodResult* u = FindResult(*results, "get_energy_usage");
      if (i != nullptr && i->result) {
        if (auto d = ParseDeviceInfo(*i->result)) info = std::move(*d);
      }
      if (u != nullptr && u->result) {
        if (auto e = ParseEnergyUsage(*u->result)) usage = std::move(*e);
      }
    }
  }
  if (fast) {
    PW_FUZZ_CHECK(envelope->error_code == 0, "fast path accepted a failed envelope");
    PW_FUZZ_CHECK(info && usage, "fast path read what the general way cannot");
    PW_FUZZ_CHECK(info->device_on == fast->device_on, "device_on differs");
    PW_FUZZ_CHECK(usage->current_power_mw == fast->current_power_mw, "current_power differs");
    PW_FUZZ_CHECK(usage->today_energy_wh == fast->today_energy_wh, "today_energy differs");
    PW_FUZZ_CHECK(usage->month_energy_wh == fast->month_energy_wh, "month_energy differs");
  }
  return 0;
}
