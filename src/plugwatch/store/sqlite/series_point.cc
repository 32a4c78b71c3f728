#include "plugwatch/store/sqlite/series_point.h"

#include <algorithm>

namespace plugwatch::store::sqlite {

std::vector<SeriesPoint> Downsample(std::span<const SeriesPoint> points, long long since_ms,
                                    long long until_ms, int max_points) {
  std::vector<SeriesPoint> out;
  const double span = static_cast<double>(std::max(until_ms - since_ms, 0LL) + 1);
  long long group = -1;
  for (const SeriesPoint& p : points) {
    // A rollup bucket may start before since_ms; it belongs to the first group.
    double share = static_cast<double>(std::max(p.ts - since_ms, 0LL)) / span;
    long long g = std::min(static_cast<long long>(share * max_points),
                           static_cast<long long>(max_points) - 1);
    if (g != group) {
      group = g;
      out.push_back(p);
      continue;
    }
    SeriesPoint& m = out.back();
    m.n += p.n;
    m.power_sum_mw += p.power_sum_mw;
    if (p.power_max_mw)
      m.power_max_mw = std::max(m.power_max_mw.value_or(*p.power_max_mw), *p.power_max_mw);
    if (p.energy_mwh) m.energy_mwh = p.energy_mwh;
    if (p.on) m.on = p.on;
  }
  return out;
}

ReadingPoint ToReadingPoint(const SeriesPoint& p) {
  ReadingPoint r;
  r.ts = FromUnixMillis(p.ts);
  if (p.n > 0) r.power_w = static_cast<double>(p.power_sum_mw) / static_cast<double>(p.n) / 1000.0;
  if (p.power_max_mw) r.max_power_w = static_cast<double>(*p.power_max_mw) / 1000.0;
  if (p.energy_mwh) r.energy_wh = static_cast<double>(*p.energy_mwh) / 1000.0;
  r.on = p.on;
  return r;
}

}  // namespace plugwatch::store::sqlite
