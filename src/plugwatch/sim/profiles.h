// Power profiles of emulated appliances: a cycle of piecewise-constant
// segments that repeats forever from t = 0. Because every segment is
// constant, the energy between two instants is an exact sum, so emulator
// energy counters and test expectations agree to the last bit (up to double
// rounding). Immutable values; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch::sim {

struct Segment {
  Duration length{0};  // > 0
  double watts = 0;    // ≥ 0
};

// One line of `plugwatch sim --help`.
struct ProfileInfo {
  std::string_view name;
  std::string_view summary;
};

class Profile {
 public:
  // A constant 0 W load (an empty socket).
  Profile();

  // The named built-in profile: washer, dryer, kettle, fridge, or constant
  // (`watts` is the constant load; the other profiles ignore it). Fails with
  // kInvalidArgument "unknown power profile 'x' (known: washer, dryer, kettle,
  // fridge, constant)" or "constant profile needs watts ≥ 0 (got -5)".
  static Result<Profile> Make(std::string_view name, double watts = 0);

  // A custom cycle. Fails with kInvalidArgument when it is empty or a segment
  // has a length ≤ 0 or watts < 0 or not finite.
  static Result<Profile> FromSegments(std::string name, std::vector<Segment> cycle);

  // The built-in profiles, in the order --help lists them.
  static std::span<const ProfileInfo> Catalog();

  const std::string& name() const { return name_; }
  const std::vector<Segment>& cycle() const { return cycle_; }
  Duration cycle_length() const { return cycle_length_; }
  double cycle_energy_wh() const { return cycle_energy_wh_; }

  // Watts at `since_start` (negative times read as 0). A segment covers
  // [start, start + length): at a boundary the next segment's power applies.
  double PowerAt(Duration since_start) const;

  // ∫ power dt over [a, b] in Wh; 0 when b ≤ a. Negative times clamp to 0.
  double EnergyWhBetween(Duration a, Duration b) const;

 private:
  Profile(std::string name, std::vector<Segment> cycle);
  // Energy from 0 to t (t ≥ 0) in W·ms, whole cycles kept apart from the rest
  // so that long runs do not lose the in-cycle precision.
  double EnergyWmsUntil(Duration t, long long* whole_cycles) const;

  std::string name_;
  std::vector<Segment> cycle_;
  std::vector<long long> starts_ms_;   // start of each segment within the cycle
  std::vector<double> energy_before_;  // W·ms from the cycle start to each segment
  Duration cycle_length_{0};
  double cycle_energy_wh_ = 0;
};

}  // namespace plugwatch::sim
