// Clock: every detector and scheduler takes time from a Clock so that tests can
// drive it with ManualClock. TimePoint is wall-clock (system_clock) time in
// milliseconds, the unit of everything plugwatch stores. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace plugwatch {

using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint(Duration(1'700'000'000'000)))
      : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }
  void Advance(Duration d) { now_ += d.count(); }

 private:
  std::atomic<long long> now_;
};

inline double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }
// For durations that must not go negative when the clock steps back.
inline double NonNegativeSeconds(Duration d) { return d.count() > 0 ? Seconds(d) : 0.0; }
inline long long UnixMillis(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromUnixMillis(long long ms) { return TimePoint(Duration(ms)); }

}  // namespace plugwatch
