// FailureThrottle: slows down guessing. Counts failed authentications (wrong
// token, unknown heartbeat label) per remote address; an address with
// `max_failures` failures inside `window` is refused (429) until the oldest
// of them leaves the window. A success clears the address. The table holds
// at most `max_addresses` addresses; when full, the address seen longest ago
// is forgotten, so a flood of addresses cannot grow memory. Pure: time comes
// from the caller. Not thread-safe (the API's loop owns it).
#pragma once

#include <cstddef>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "plugwatch/core/clock.h"

namespace plugwatch::api {

class FailureThrottle {
 public:
  struct Options {
    int max_failures = 10;
    Duration window{60'000};
    std::size_t max_addresses = 10'000;
  };

  FailureThrottle() : FailureThrottle(Options{}) {}
  explicit FailureThrottle(Options opts) : opts_(opts) {}

  // How long the address must wait, or nullopt when it may try now.
  std::optional<Duration> RetryAfter(const std::string& address, TimePoint now);
  void Failure(const std::string& address, TimePoint now);
  void Success(const std::string& address);
  std::size_t addresses() const { return entries_.size(); }

 private:
  struct Entry {
    std::deque<TimePoint> failures;  // oldest first, at most max_failures
    std::list<std::string>::iterator lru;
  };
  void Expire(Entry& e, TimePoint now) const;

  Options opts_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recently failed first
};

}  // namespace plugwatch::api
