// Non-throwing readers for the fields of detector snapshots (the JSON objects
// that Snapshot() writes and Restore() reads). A snapshot comes back from the
// store after a restart, possibly written by another version or damaged, so
// every reader answers std::nullopt for a missing field, a wrong type or a
// value out of range instead of throwing as boost::json's as_*() would.
// Internal to detect/; pure functions, thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "plugwatch/core/clock.h"

namespace plugwatch::detect::internal {

// Every detector snapshot carries this version; another value restores the
// detector's initial state rather than guessing at a format we do not know.
inline constexpr std::int64_t kSnapshotVersion = 1;

inline std::optional<std::int64_t> GetInt(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64();
      u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return static_cast<std::int64_t>(*u);
  return std::nullopt;
}

// A finite number that is not negative (energies, powers).
inline std::optional<double> GetNonNegative(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  double d = 0;
  if (const auto* x = v->if_double()) {
    d = *x;
  } else if (const auto* i = v->if_int64()) {
    d = static_cast<double>(*i);
  } else if (const auto* u = v->if_uint64()) {
    d = static_cast<double>(*u);
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

// A time detectors can do arithmetic with: 1970 to 9999. A damaged
// snapshot's extreme value would otherwise overflow deadlines and durations.
inline std::optional<TimePoint> GetTime(const boost::json::object& o, std::string_view key) {
  auto ms = GetInt(o, key);
  if (!ms || *ms < 0 || *ms > 253'402'300'799'999) return std::nullopt;
  return FromUnixMillis(*ms);
}

inline std::optional<std::string_view> GetString(const boost::json::object& o,
                                                 std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

inline bool HasVersion(const boost::json::object& o) {
  return GetInt(o, "version") == kSnapshotVersion;
}

}  // namespace plugwatch::detect::internal
