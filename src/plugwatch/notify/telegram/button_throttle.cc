#include "plugwatch/notify/telegram/button_throttle.h"

namespace plugwatch::notify::telegram {

bool ButtonThrottle::Allow(long long user_id, TimePoint now) {
  // Forget users who are past their gap, so the map stays as small as the
  // set of people pressing right now.
  if (last_.size() > 4096)
    std::erase_if(last_, [&](const auto& kv) { return now - kv.second >= min_gap_; });
  auto it = last_.find(user_id);
  if (it != last_.end() && now - it->second < min_gap_) return false;
  last_[user_id] = now;
  return true;
}

}  // namespace plugwatch::notify::telegram
