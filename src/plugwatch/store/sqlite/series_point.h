// SeriesPoint: one point of a device's power chart as the store reads it from
// raw readings or a rollup table, kept as sums so that points merge exactly;
// Downsample merges them to fit a point budget, ToReadingPoint turns them into
// the Store's ReadingPoint. Pure functions.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "plugwatch/store/store.h"

namespace plugwatch::store::sqlite {

struct SeriesPoint {
  long long ts = 0;  // the reading's time, or the bucket's start
  long long n = 0;   // readings with a power value
  long long power_sum_mw = 0;
  std::optional<long long> power_max_mw;
  std::optional<long long> energy_mwh;  // lifetime counter at the end of the point
  std::optional<bool> on;
};

// Merges ascending `points` into at most max_points (≥ 1) groups, each
// covering an equal share of [since_ms, until_ms]: a group takes its first
// point's ts, the mean power of all its readings, the largest maximum, and
// the energy counter and relay state of its last point that has them.
std::vector<SeriesPoint> Downsample(std::span<const SeriesPoint> points, long long since_ms,
                                    long long until_ms, int max_points);

ReadingPoint ToReadingPoint(const SeriesPoint& p);

}  // namespace plugwatch::store::sqlite
