#include "plugwatch/store/sqlite/rollup.h"

#include <algorithm>

namespace plugwatch::store::sqlite {

void Bucket::Add(std::optional<long long> power_mw, std::optional<long long> energy,
                 std::optional<bool> on) {
  if (power_mw) {
    ++n;
    power_sum_mw += *power_mw;
    power_max_mw = std::max(power_max_mw.value_or(*power_mw), *power_mw);
  }
  energy_mwh += energy.value_or(0);
  if (on) on_last = on;
}

void RollupBatch::Add(long long series, long long ts_ms, std::optional<long long> power_mw,
                      std::optional<long long> energy_mwh, std::optional<bool> on) {
  if (!power_mw && !energy_mwh && !on) return;
  minutes_[{series, FloorDiv(ts_ms, kMinuteMs)}].Add(power_mw, energy_mwh, on);
  hours_[{series, FloorDiv(ts_ms, kHourMs)}].Add(power_mw, energy_mwh, on);
}

void RollupBatch::Clear() {
  minutes_.clear();
  hours_.clear();
}

}  // namespace plugwatch::store::sqlite
