#include "plugwatch/core/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace plugwatch {

namespace {

constexpr long long kDay = 86'400;

long long FloorDiv(long long a, long long b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Big-endian reader over a byte range; `ok` turns false on a short read.
struct Bytes {
  std::string_view s;
  size_t pos = 0;
  bool ok = true;
  long long Int(int width) {
    if (pos + width > s.size()) {
      ok = false;
      return 0;
    }
    unsigned long long v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
    pos += width;
    if (width == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    if (width == 8) return static_cast<long long>(v);
    return static_cast<long long>(v);
  }
  void Skip(size_t n) {
    if (pos + n > s.size()) ok = false;
    pos = std::min(pos + n, s.size());
  }
};

// POSIX TZ parsing ("std offset [dst [offset] [,start[/time],end[/time]]]").
struct PosixParser {
  std::string_view s;
  size_t i = 0;
  bool Name() {
    if (i < s.size() && s[i] == '<') {
      size_t close = s.find('>', i);
      if (close == std::string_view::npos) return false;
      i = close + 1;
      return true;
    }
    size_t start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - start >= 3;
  }
  // Consumes `c` when it is next.
  bool Expect(char c) {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
  }
  bool Number(long long& v, int max_digits = 3) {
    size_t start = i;
    v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) &&
           i - start < static_cast<size_t>(max_digits))
      v = v * 10 + (s[i++] - '0');
    return i > start;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Time(long long& secs) {
    long long sign = 1;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) sign = s[i++] == '-' ? -1 : 1;
    long long h = 0, m = 0, sec = 0;
    if (!Number(h)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!Number(m, 2)) return false;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!Number(sec, 2)) return false;
      }
    }
    secs = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  template <class Date>
  bool DateRule(Date& d) {
    long long a = 0, b = 0, c = 0;
    if (i < s.size() && s[i] == 'M') {
      ++i;
      d.kind = 'M';
      if (!Number(a, 2) || !Expect('.') || !Number(b, 1) || !Expect('.') || !Number(c, 1))
        return false;
      if (a < 1 || a > 12 || b < 1 || b > 5 || c > 6) return false;
    } else if (i < s.size() && s[i] == 'J') {
      ++i;
      d.kind = 'J';
      if (!Number(a) || a < 1 || a > 365) return false;
    } else {
      d.kind = 'N';
      if (!Number(a) || a > 365) return false;
    }
    d.a = static_cast<int>(a);
    d.b = static_cast<int>(b);
    d.c = static_cast<int>(c);
    d.time = 7200;
    if (i < s.size() && s[i] == '/') {
      ++i;
      if (!Time(d.time)) return false;
    }
    return true;
  }
};

// Seconds since the epoch of local midnight starting the rule's day in `year`.
template <class Date>
long long DayStart(const Date& d, int year) {
  using namespace std::chrono;
  const std::chrono::year y{year};
  sys_days day;
  if (d.kind == 'M') {
    const month m{static_cast<unsigned>(d.a)};
    const weekday wd{static_cast<unsigned>(d.c)};
    day = d.b == 5 ? sys_days(y / m / wd[last]) : sys_days(y / m / wd[static_cast<unsigned>(d.b)]);
  } else if (d.kind == 'J') {
    // 1–365, February 29 never counted.
    int n = d.a;
    day = sys_days(y / January / 1) + days(n - 1);
    if (y.is_leap() && n >= 60) day += days(1);
  } else {
    day = sys_days(y / January / 1) + days(d.a);
  }
  return static_cast<long long>(day.time_since_epoch().count()) * kDay;
}

}  // namespace

Result<TimeZone> TimeZone::FromPosix(std::string_view rule) {
  auto bad = [&] {
    return Fail(Errc::kParse, fmt::format("time zone rule '{}' is not a POSIX TZ string (e.g. "
                                          "\"EET-2EEST,M3.5.0/3,M10.5.0/4\")",
                                          rule));
  };
  PosixParser p{rule};
  Rule r;
  long long off = 0;
  if (!p.Name() || !p.Time(off)) return bad();
  r.std_off = -off;
  TimeZone z;
  if (p.i < rule.size()) {
    if (!p.Name()) return bad();
    r.has_dst = true;
    r.dst_off = r.std_off + 3600;
    if (p.i < rule.size() && rule[p.i] != ',') {
      if (!p.Time(off)) return bad();
      r.dst_off = -off;
    }
    if (!p.Expect(',') || !p.DateRule(r.start) || !p.Expect(',') || !p.DateRule(r.end) ||
        p.i != rule.size())
      return bad();
  }
  z.fixed_ = r.std_off;
  if (r.has_dst) z.rule_ = r;
  return z;
}

long long TimeZone::RuleOffset(const Rule& r, long long t) {
  if (!r.has_dst) return r.std_off;
  using namespace std::chrono;
  const auto ymd = year_month_day(floor<days>(sys_seconds(seconds(t + r.std_off))));
  const int y = static_cast<int>(ymd.year());
  // Transitions in UTC: the start is written in standard time, the end in DST.
  auto in_dst = [&](int year) {
    const long long start = DayStart(r.start, year) + r.start.time - r.std_off;
    const long long end = DayStart(r.end, year) + r.end.time - r.dst_off;
    return start < end ? (t >= start && t < end) : (t < end || t >= start);
  };
  return in_dst(y) ? r.dst_off : r.std_off;
}

Result<TimeZone> TimeZone::FromTzif(std::string_view bytes, std::string_view name) {
  auto bad = [&](std::string_view what) {
    return Fail(Errc::kParse, fmt::format("time zone '{}': not a valid TZif file ({}) — "
                                          "reinstall the tzdata package",
                                          name, what));
  };
  if (bytes.size() < 44 || bytes.substr(0, 4) != "TZif") return bad("no TZif header");
  const char version = bytes[4];
  Bytes b{bytes};
  auto header = [&](long long(&n)[6]) {
    b.Skip(20);
    for (long long& v : n) v = b.Int(4);
  };
  long long n[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  header(n);
  int width = 4;
  if (version >= '2') {
    // Skip the version 1 block; the second header and 64-bit data follow.
    b.Skip(n[3] * 4 + n[3] + n[4] * 6 + n[5] + n[2] * 8 + n[1] + n[0]);
    if (!b.ok || b.s.substr(b.pos, 4) != "TZif") return bad("no second header");
    header(n);
    width = 8;
  }
  if (!b.ok || n[4] < 1 || n[4] > 256 || n[3] < 0 || n[3] > 100'000) return bad("counts");
  TimeZone z;
  z.times_.resize(n[3]);
  for (long long& t : z.times_) t = b.Int(width);
  std::vector<int> idx(n[3]);
  for (int& i : idx) i = static_cast<int>(b.Int(1));
  std::vector<long long> type_off(n[4]);
  for (long long& o : type_off) {
    o = b.Int(4);
    b.Skip(2);
  }
  if (!b.ok) return bad("truncated");
  for (int i : idx)
    if (i >= n[4]) return bad("transition to an unknown type");
  z.offsets_.reserve(idx.size());
  for (int i : idx) z.offsets_.push_back(type_off[i]);
  z.before_first_ = type_off[0];
  z.fixed_ = type_off[0];
  if (width == 8) {
    b.Skip(n[5] + n[2] * 12 + n[1] + n[0]);
    if (b.ok && b.pos < bytes.size() && bytes[b.pos] == '\n') {
      const size_t end = bytes.find('\n', b.pos + 1);
      if (end != std::string_view::npos && end > b.pos + 1) {
        auto footer = FromPosix(bytes.substr(b.pos + 1, end - b.pos - 1));
        if (!footer) return bad("footer rule");
        z.rule_ = footer->rule_;
        if (!z.rule_) z.rule_ = Rule{.std_off = footer->fixed_, .dst_off = footer->fixed_};
      }
    }
  }
  if (z.times_.empty() && z.rule_) z.fixed_ = z.rule_->std_off;
  return z;
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC" || name == "Z" || name == "Etc/GMT" || name == "GMT")
    return TimeZone();
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos)
    return Fail(Errc::kInvalidArgument,
                fmt::format("time zone '{}' is not an IANA name — write one such as "
                            "\"Europe/Kyiv\"",
                            name));
  const char* dir = std::getenv("TZDIR");
  const std::string path = fmt::format("{}/{}", dir && *dir ? dir : "/usr/share/zoneinfo", name);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Fail(Errc::kNotFound,
                fmt::format("time zone '{}' is a region, not a zone — write a full IANA name "
                            "such as \"Europe/Kyiv\"",
                            name));
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return Fail(Errc::kNotFound,
                fmt::format("unknown time zone '{}' (no {}) — write an IANA name such as "
                            "\"Europe/Kyiv\", or install the tzdata package",
                            name, path));
  std::ostringstream text;
  text << f.rdbuf();
  return FromTzif(text.str(), name);
}

Duration TimeZone::Offset(TimePoint t) const {
  const long long s = FloorDiv(UnixMillis(t), 1000);
  long long off = fixed_;
  if (!times_.empty()) {
    auto it = std::upper_bound(times_.begin(), times_.end(), s);
    if (it == times_.begin())
      off = before_first_;
    else if (it == times_.end() && rule_)
      off = RuleOffset(*rule_, s);
    else
      off = offsets_[static_cast<size_t>(it - times_.begin()) - 1];
  } else if (rule_) {
    off = RuleOffset(*rule_, s);
  }
  return Duration(off * 1000);
}

int TimeZone::MinuteOfDay(TimePoint t) const {
  const long long local = FloorDiv(UnixMillis(Local(t)), 1000);
  return static_cast<int>((local % kDay + kDay) % kDay / 60);
}

}  // namespace plugwatch
