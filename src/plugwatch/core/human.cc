#include "plugwatch/core/human.h"

#include <fmt/format.h>

#include <cmath>

namespace plugwatch {

std::string HumanDuration(double seconds) {
  long long s = seconds > 0 ? std::llround(seconds) : 0;
  const long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
  if (d > 0) return h > 0 ? fmt::format("{} d {} h", d, h) : fmt::format("{} d", d);
  if (h > 0) return m > 0 ? fmt::format("{} h {} min", h, m) : fmt::format("{} h", h);
  if (m > 0) return sec > 0 ? fmt::format("{} min {} s", m, sec) : fmt::format("{} min", m);
  return fmt::format("{} s", sec);
}

std::string HumanEnergy(double wh) {
  if (std::abs(wh) < 1000) return fmt::format("{:.0f} Wh", wh);
  return fmt::format("{:.2f} kWh", wh / 1000);
}

std::string HumanPower(double w) {
  if (std::abs(w) < 10) return fmt::format("{:.1f} W", w);
  if (std::abs(w) < 1000) return fmt::format("{:.0f} W", w);
  return fmt::format("{:.1f} kW", w / 1000);
}

}  // namespace plugwatch
