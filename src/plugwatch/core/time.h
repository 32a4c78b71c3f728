// Text forms of time: RFC 3339 timestamps (UTC, milliseconds) used by every
// API, event and log line, and the duration strings of the config ("250ms",
// "5s", "3m", "1h30m", "2d"). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch {

// "2026-11-22T10:00:00.000Z".
std::string FormatTimestamp(TimePoint t);
// Accepts "…Z" and "…±hh:mm", with or without fractional seconds.
// Fails with kParse naming the input.
Result<TimePoint> ParseTimestamp(std::string_view text);

// "1h30m", "250ms", "2d", "0s". Whole units only; no sign. A bare number is
// an error (the unit is required so that "5" cannot mean two things).
// Fails with kParse and a message listing the accepted units.
Result<Duration> ParseDuration(std::string_view text);
// The shortest exact form: 90000ms → "1m30s", 1500ms → "1s500ms".
std::string FormatDuration(Duration d);

// A daily window of local time, "22:00-08:00"; it may wrap midnight, and
// from == to is empty. Minutes since midnight.
struct DailyWindow {
  int from = 0, to = 0;
  bool Contains(int minute_of_day) const {
    return from <= to ? minute_of_day >= from && minute_of_day < to
                      : minute_of_day >= from || minute_of_day < to;
  }
  bool operator==(const DailyWindow&) const = default;
};
// "HH:MM-HH:MM" (24-hour). "" and "off" mean none (std::nullopt). Fails with
// kParse naming the input and showing the expected form.
Result<std::optional<DailyWindow>> ParseDailyWindow(std::string_view text);

}  // namespace plugwatch
