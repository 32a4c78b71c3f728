// Rollups: the 1-minute and 1-hour aggregates of readings that charts use
// beyond raw retention (rollup_1m, rollup_1h).
//
// RollupBatch accumulates the buckets that one write batch touches. The writer
// upserts them before each COMMIT, merging with the row already stored, so
// rollups commit atomically with their raw readings and a restart simply
// continues a bucket. Not thread-safe: owned by the writer thread.
#pragma once

#include <map>
#include <optional>
#include <utility>

namespace plugwatch::store::sqlite {

inline constexpr long long kMinuteMs = 60'000;
inline constexpr long long kHourMs = 3'600'000;

// Rounds towards minus infinity, so that buckets before 1970 stay aligned.
inline long long FloorDiv(long long a, long long b) {
  long long q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// One bucket's aggregate. n counts the readings that had a power value.
struct Bucket {
  long long n = 0;
  long long power_sum_mw = 0;
  std::optional<long long> power_max_mw;
  long long energy_mwh = 0;  // used within the bucket
  std::optional<bool> on_last;

  void Add(std::optional<long long> power_mw, std::optional<long long> energy_mwh,
           std::optional<bool> on);
};

class RollupBatch {
 public:
  // (series, bucket start in minutes or hours since the epoch) → aggregate.
  using Buckets = std::map<std::pair<long long, long long>, Bucket>;

  // A reading with neither power, energy nor relay state (a reachability
  // probe) has nothing to aggregate and is ignored.
  void Add(long long series, long long ts_ms, std::optional<long long> power_mw,
           std::optional<long long> energy_mwh, std::optional<bool> on);

  const Buckets& minutes() const { return minutes_; }
  const Buckets& hours() const { return hours_; }
  bool empty() const { return minutes_.empty(); }
  void Clear();

 private:
  Buckets minutes_;
  Buckets hours_;
};

}  // namespace plugwatch::store::sqlite
