#include "plugwatch/core/time.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <ctime>

namespace plugwatch {

std::string FormatTimestamp(TimePoint t) {
  long long ms = UnixMillis(t);
  long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - secs * 1000);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

namespace {

bool ReadInt(std::string_view& s, size_t digits, int& out) {
  if (s.size() < digits) return false;
  int v = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  s.remove_prefix(digits);
  return true;
}

bool Expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

Result<TimePoint> ParseTimestamp(std::string_view text) {
  auto bad = [&] {
    return Fail(Errc::kParse, fmt::format("'{}' is not an RFC 3339 timestamp (expected like "
                                          "2026-11-22T10:00:00.000Z)",
                                          text));
  };
  std::string_view s = text;
  std::tm tm{};
  int y, mo, d, h, mi, sec;
  if (!ReadInt(s, 4, y) || !Expect(s, '-') || !ReadInt(s, 2, mo) || !Expect(s, '-') ||
      !ReadInt(s, 2, d))
    return bad();
  if (s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' ')) return bad();
  s.remove_prefix(1);
  if (!ReadInt(s, 2, h) || !Expect(s, ':') || !ReadInt(s, 2, mi) || !Expect(s, ':') ||
      !ReadInt(s, 2, sec))
    return bad();
  int millis = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int scale = 100, digits = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
      if (digits < 3) millis += (s.front() - '0') * scale;
      scale /= 10;
      ++digits;
      s.remove_prefix(1);
    }
    if (digits == 0) return bad();
  }
  long long offset_min = 0;
  if (s == "Z" || s == "z") {
  } else if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':') {
    int oh, om;
    std::string_view o = s.substr(1);
    if (!ReadInt(o, 2, oh) || !Expect(o, ':') || !ReadInt(o, 2, om)) return bad();
    offset_min = (s[0] == '+' ? 1LL : -1LL) * (oh * 60LL + om);
  } else {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return bad();
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  long long secs = static_cast<long long>(timegm(&tm)) - offset_min * 60;
  return FromUnixMillis(secs * 1000 + millis);
}

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Fail(Errc::kParse,
                fmt::format("'{}' is not a duration (use a number with a unit: ms, s, m, h, d — "
                            "e.g. \"250ms\", \"5s\", \"3m\", \"1h30m\")",
                            text));
  };
  if (text.empty()) return bad();
  std::string_view s = text;
  long long total = 0;
  while (!s.empty()) {
    long long n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p == s.data() || n < 0) return bad();
    s.remove_prefix(static_cast<size_t>(p - s.data()));
    long long unit;
    if (s.starts_with("ms")) {
      unit = 1;
      s.remove_prefix(2);
    } else if (s.starts_with("s")) {
      unit = 1000;
      s.remove_prefix(1);
    } else if (s.starts_with("m")) {
      unit = 60'000;
      s.remove_prefix(1);
    } else if (s.starts_with("h")) {
      unit = 3'600'000;
      s.remove_prefix(1);
    } else if (s.starts_with("d")) {
      unit = 86'400'000;
      s.remove_prefix(1);
    } else {
      return bad();
    }
    if (n > (1LL << 50) / unit) return bad();
    total += n * unit;
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  struct Unit {
    long long ms;
    const char* name;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"},
                 Unit{1, "ms"}}) {
    if (ms >= u.ms) {
      out += fmt::format("{}{}", ms / u.ms, u.name);
      ms %= u.ms;
    }
  }
  return out;
}

Result<std::optional<DailyWindow>> ParseDailyWindow(std::string_view text) {
  if (text.empty() || text == "off") return std::optional<DailyWindow>();
  auto bad = [&] {
    return Fail(Errc::kParse, fmt::format("'{}' is not a daily window — write \"HH:MM-HH:MM\" "
                                          "in 24-hour local time, e.g. \"22:00-08:00\", or "
                                          "\"off\"",
                                          text));
  };
  // Exactly "HH:MM-HH:MM".
  if (text.size() != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':') return bad();
  auto minutes = [&](size_t at) -> int {
    for (size_t i : {at, at + 1, at + 3, at + 4})
      if (text[i] < '0' || text[i] > '9') return -1;
    const int h = (text[at] - '0') * 10 + (text[at + 1] - '0');
    const int m = (text[at + 3] - '0') * 10 + (text[at + 4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
  };
  const int from = minutes(0), to = minutes(6);
  if (from < 0 || to < 0) return bad();
  return std::optional<DailyWindow>(DailyWindow{from, to});
}

}  // namespace plugwatch
