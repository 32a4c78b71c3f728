// TimeZone: UTC offsets of an IANA time zone, read from the system's
// compiled tz database (TZif files, RFC 8536, under $TZDIR or
// /usr/share/zoneinfo). g++ 12's libstdc++ has no std::chrono::tzdb, and the
// answers needed here are small: "what is the local time at this instant in
// the site's zone" (quiet hours, local days).
//
// Instants before the first transition use the first local time type;
// instants after the last transition follow the file's footer rule (a POSIX
// TZ string such as "EET-2EEST,M3.5.0/3,M10.5.0/4"), so "slim" TZif files
// and dates past 2037 are right too. Leap seconds are ignored (POSIX time).
// Immutable after loading; safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"

namespace plugwatch {

class TimeZone {
 public:
  // A fixed offset; TimeZone() is UTC.
  explicit TimeZone(Duration offset = Duration(0)) : fixed_(offset.count() / 1000) {}

  // "UTC" (also "Etc/UTC", "Z") needs no file. Fails with kNotFound naming
  // the zone when there is no such file and kParse when it is not TZif.
  static Result<TimeZone> Load(std::string_view name);
  // Parses TZif bytes (version 1 to 4); `name` is used in messages.
  static Result<TimeZone> FromTzif(std::string_view bytes, std::string_view name);
  // Parses a POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (kParse on error).
  static Result<TimeZone> FromPosix(std::string_view rule);

  // Local time minus UTC at `t`.
  Duration Offset(TimePoint t) const;
  TimePoint Local(TimePoint t) const { return t + Offset(t); }
  // Minutes since local midnight at `t`, 0–1439.
  int MinuteOfDay(TimePoint t) const;

 private:
  struct Rule {                          // a POSIX TZ footer: standard time and, optionally, DST
    long long std_off = 0, dst_off = 0;  // seconds east of UTC
    bool has_dst = false;
    struct Date {
      char kind = 'M';  // 'J' (1–365, no Feb 29), 'N' (0–365), 'M' (month.week.day)
      int a = 0, b = 0, c = 0;
      long long time = 7200;  // seconds after local midnight
    } start, end;
  };
  static long long RuleOffset(const Rule& r, long long t);

  long long fixed_ = 0;             // when there are no transitions
  std::vector<long long> times_;    // transition instants, seconds
  std::vector<long long> offsets_;  // offset in force from times_[i]
  long long before_first_ = 0;      // offset before times_[0]
  std::optional<Rule> rule_;        // after the last transition
};

}  // namespace plugwatch
