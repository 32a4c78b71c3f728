// PowerState: what HeartbeatWatchdog and OutageQuorum believe about the mains
// of one heartbeat label or one site, and its text form ("unknown" | "up" |
// "down") shared by the API and the detectors' snapshots. Values; pure
// functions, thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace plugwatch::detect {

enum class PowerState {
  kUnknown,  // no evidence yet (no heartbeat, or not every quorum device judged)
  kUp,
  kDown,  // power_lost has been announced and power_restored has not
};

namespace internal {
inline constexpr std::array<std::pair<PowerState, std::string_view>, 3> kPowerStateNames{{
    {PowerState::kUnknown, "unknown"},
    {PowerState::kUp, "up"},
    {PowerState::kDown, "down"},
}};
}  // namespace internal

inline std::string_view ToString(PowerState s) {
  for (const auto& [state, name] : internal::kPowerStateNames)
    if (state == s) return name;
  return "unknown";
}

// std::nullopt for anything but the three names above.
inline std::optional<PowerState> ParsePowerState(std::string_view s) {
  for (const auto& [state, name] : internal::kPowerStateNames)
    if (name == s) return state;
  return std::nullopt;
}

}  // namespace plugwatch::detect
