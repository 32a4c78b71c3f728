#include "plugwatch/sim/profiles.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

namespace plugwatch::sim {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kWmsPerWh = 3'600'000.0;

constexpr std::array<ProfileInfo, 5> kCatalog{{
    {"washer",
     "washing machine: 60 min programme (15 min heating at ~2 kW, washing at 150–500 W with "
     "short pauses, rinse, spin at 300–600 W), then 30 min standby at 1 W; repeats"},
    {"dryer",
     "tumble dryer: 68 min at 2.0–2.4 kW with tumble dips and a cool-down, then 30 min "
     "idle at 1 W; repeats"},
    {"kettle", "kettle: 2000 W for 90 s (50 Wh), then 20 min at 0 W; repeats"},
    {"fridge", "fridge: compressor at 80 W for 15 min, then 30 min at 0.5 W; repeats"},
    {"constant", "a constant load of --watts W"},
}};

Segment Min(double length_min, double watts) {
  return {Duration(std::llround(length_min * 60'000)), watts};
}

std::vector<Segment> WasherCycle() {
  return {
      // Fill, then heat the water (~15 min around 2 kW).
      Min(2, 25),
      Min(8, 2050),
      Min(7, 1980),
      // Wash: drum turns at 150–500 W, resting (0.5 W) for up to 2 min between.
      Min(3, 320),
      Min(1, 0.5),
      Min(2, 480),
      Min(2, 0.5),
      Min(3, 180),
      Min(1.5, 0.5),
      Min(3, 410),
      Min(1, 0.5),
      Min(2, 260),
      // Drain; rinse (fill, turn, rest, turn, drain).
      Min(1, 40),
      Min(2, 25),
      Min(4, 160),
      Min(1, 0.5),
      Min(3, 220),
      Min(1, 40),
      // Spin (~10 min at 300–600 W), then anti-crease turns.
      Min(2, 320),
      Min(3, 480),
      Min(4, 590),
      Min(1, 350),
      Min(2.5, 90),
      // Standby, display on.
      Min(30, 1),
  };
}

std::vector<Segment> DryerCycle() {
  std::vector<Segment> cycle;
  for (double heater : {2200.0, 2400.0, 2350.0, 2250.0, 2100.0, 2000.0}) {
    cycle.push_back(Min(9, heater));
    cycle.push_back(Min(1, 250));  // heater off while the drum reverses
  }
  cycle.push_back(Min(8, 250));  // cool-down
  cycle.push_back(Min(30, 1));
  return cycle;
}

}  // namespace

Profile::Profile() : Profile("constant", {Segment{std::chrono::hours(1), 0.0}}) {}

Profile::Profile(std::string name, std::vector<Segment> cycle)
    : name_(std::move(name)), cycle_(std::move(cycle)) {
  long long start = 0;
  double energy = 0;
  for (const Segment& s : cycle_) {
    starts_ms_.push_back(start);
    energy_before_.push_back(energy);
    start += s.length.count();
    energy += s.watts * static_cast<double>(s.length.count());
  }
  cycle_length_ = Duration(start);
  cycle_energy_wh_ = energy / kWmsPerWh;
}

Result<Profile> Profile::Make(std::string_view name, double watts) {
  if (name == "washer") return Profile("washer", WasherCycle());
  if (name == "dryer") return Profile("dryer", DryerCycle());
  if (name == "kettle") return Profile("kettle", {{seconds(90), 2000}, {minutes(20), 0}});
  if (name == "fridge") return Profile("fridge", {{minutes(15), 80}, {minutes(30), 0.5}});
  if (name == "constant") {
    if (!(watts >= 0) || !std::isfinite(watts))
      return Fail(Errc::kInvalidArgument,
                  fmt::format("constant profile needs watts ≥ 0 (got {})", watts));
    return Profile("constant", {{std::chrono::hours(1), watts}});
  }
  std::string known;
  for (const ProfileInfo& p : kCatalog) known += (known.empty() ? "" : ", ") + std::string(p.name);
  return Fail(Errc::kInvalidArgument,
              fmt::format("unknown power profile '{}' (known: {})", name, known));
}

Result<Profile> Profile::FromSegments(std::string name, std::vector<Segment> cycle) {
  if (cycle.empty())
    return Fail(Errc::kInvalidArgument, fmt::format("profile '{}' has no segments", name));
  for (std::size_t i = 0; i < cycle.size(); ++i) {
    if (cycle[i].length <= Duration::zero() || !(cycle[i].watts >= 0) ||
        !std::isfinite(cycle[i].watts))
      return Fail(
          Errc::kInvalidArgument,
          fmt::format("profile '{}' segment {}: needs a length > 0 and watts ≥ 0", name, i));
  }
  return Profile(std::move(name), std::move(cycle));
}

std::span<const ProfileInfo> Profile::Catalog() { return kCatalog; }

double Profile::PowerAt(Duration since_start) const {
  const long long t = std::max<long long>(since_start.count(), 0) % cycle_length_.count();
  const auto it = std::upper_bound(starts_ms_.begin(), starts_ms_.end(), t);
  return cycle_[static_cast<std::size_t>(it - starts_ms_.begin()) - 1].watts;
}

double Profile::EnergyWmsUntil(Duration t, long long* whole_cycles) const {
  const long long ms = std::max<long long>(t.count(), 0);
  *whole_cycles = ms / cycle_length_.count();
  const long long in_cycle = ms % cycle_length_.count();
  const auto i = static_cast<std::size_t>(
      std::upper_bound(starts_ms_.begin(), starts_ms_.end(), in_cycle) - starts_ms_.begin() - 1);
  return energy_before_[i] + cycle_[i].watts * static_cast<double>(in_cycle - starts_ms_[i]);
}

double Profile::EnergyWhBetween(Duration a, Duration b) const {
  if (b <= a) return 0;
  long long cycles_a = 0, cycles_b = 0;
  const double part_a = EnergyWmsUntil(a, &cycles_a);
  const double part_b = EnergyWmsUntil(b, &cycles_b);
  return static_cast<double>(cycles_b - cycles_a) * cycle_energy_wh_ +
         (part_b - part_a) / kWmsPerWh;
}

}  // namespace plugwatch::sim
