// ReadingStream: builds synthetic reading streams for detector tests, the way
// a poller would see an appliance: one reading every `interval`, power held
// constant within a segment (piecewise constant, like the device emulator),
// plus failed polls, silences and clock jumps. Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::detect::testing {

// 2023-11-14T22:13:20Z, the ManualClock default.
inline const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class ReadingStream {
 public:
  explicit ReadingStream(Duration interval, TimePoint start = kT0)
      : interval_(interval), now_(start) {}

  // Readings at now, now + interval, … before now + length, all at power_w.
  ReadingStream& Power(double power_w, Duration length) {
    for (Duration t{0}; t < length; t += interval_) {
      Reading r = Base();
      r.reachable = true;
      r.power_w = power_w;
      readings_.push_back(std::move(r));
      now_ += interval_;
    }
    return *this;
  }

  // Failed polls for `length`.
  ReadingStream& Unreachable(Duration length, std::string error = "timeout") {
    for (Duration t{0}; t < length; t += interval_) {
      Reading r = Base();
      r.error = MakeError(Errc::kTimeout, error);
      readings_.push_back(std::move(r));
      now_ += interval_;
    }
    return *this;
  }

  // One reading that answered without a power figure (e.g. an HTTP probe).
  ReadingStream& NoPower() {
    Reading r = Base();
    r.reachable = true;
    readings_.push_back(std::move(r));
    now_ += interval_;
    return *this;
  }

  // Moves the clock by d (negative: backwards) without producing readings:
  // a clock jump, or with a positive d a silence.
  ReadingStream& Jump(Duration d) {
    now_ += d;
    return *this;
  }

  TimePoint now() const { return now_; }
  size_t size() const { return readings_.size(); }
  const std::vector<Reading>& readings() const { return readings_; }

 private:
  Reading Base() const {
    Reading r;
    r.device = "dev";
    r.at = now_;
    return r;
  }

  Duration interval_;
  TimePoint now_;
  std::vector<Reading> readings_;
};

// Feeds readings[begin, end) and collects every event.
template <class Detector>
std::vector<Event> Feed(Detector& d, const std::vector<Reading>& readings, size_t begin = 0,
                        size_t end = static_cast<size_t>(-1)) {
  std::vector<Event> out;
  for (size_t i = begin; i < readings.size() && i < end; ++i)
    for (auto& e : d.OnReading(readings[i])) out.push_back(std::move(e));
  return out;
}

// Events equal up to floating-point noise in numeric data: a snapshot that
// went through JSON text comes back within an ULP (Boost.JSON 1.81 does not
// parse doubles exactly), and that must not count as a different cycle.
inline ::testing::AssertionResult SameEvents(const std::vector<Event>& a,
                                             const std::vector<Event>& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << a.size() << " events vs " << b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    auto fail = [&] {
      return ::testing::AssertionFailure()
             << "event " << i << ": " << boost::json::serialize(ToJson(a[i])) << " vs "
             << boost::json::serialize(ToJson(b[i]));
    };
    if (a[i].type != b[i].type || a[i].ts != b[i].ts || a[i].device != b[i].device ||
        a[i].site != b[i].site || a[i].data.size() != b[i].data.size())
      return fail();
    for (const auto& [key, value] : a[i].data) {
      const auto* other = b[i].data.if_contains(key);
      if (!other) return fail();
      if (value.is_number() && other->is_number()) {
        double x = value.to_number<double>(), y = other->to_number<double>();
        if (std::abs(x - y) > 1e-9 * std::max(1.0, std::abs(x))) return fail();
      } else if (value != *other) {
        return fail();
      }
    }
  }
  return ::testing::AssertionSuccess();
}

inline std::vector<Event> OfType(const std::vector<Event>& events, EventType type) {
  std::vector<Event> out;
  for (const auto& e : events)
    if (e.type == type) out.push_back(e);
  return out;
}

}  // namespace plugwatch::detect::testing
