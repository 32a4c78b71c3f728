#include "plugwatch/api/failure_throttle.h"

namespace plugwatch::api {

void FailureThrottle::Expire(Entry& e, TimePoint now) const {
  while (!e.failures.empty() && now - e.failures.front() >= opts_.window) e.failures.pop_front();
}

std::optional<Duration> FailureThrottle::RetryAfter(const std::string& address, TimePoint now) {
  auto it = entries_.find(address);
  if (it == entries_.end()) return std::nullopt;
  Expire(it->second, now);
  const auto& f = it->second.failures;
  if (static_cast<int>(f.size()) < opts_.max_failures) return std::nullopt;
  return f.front() + opts_.window - now;
}

void FailureThrottle::Failure(const std::string& address, TimePoint now) {
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    if (entries_.size() >= opts_.max_addresses && !lru_.empty()) {
      entries_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(address);
    it = entries_.emplace(address, Entry{{}, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Entry& e = it->second;
  Expire(e, now);
  e.failures.push_back(now);
  while (static_cast<int>(e.failures.size()) > opts_.max_failures) e.failures.pop_front();
}

void FailureThrottle::Success(const std::string& address) {
  auto it = entries_.find(address);
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

}  // namespace plugwatch::api
