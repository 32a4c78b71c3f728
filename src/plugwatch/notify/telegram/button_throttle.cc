#include "plugwatch/notify/telegram/button_throttle.h"

#include <algorithm>

namespace plugwatch::notify::telegram {

bool ButtonThrottle::Allow(long long id, TimePoint now) {
  // Forget those who caught up (a fresh meter is the same), so the map stays
  // as small as the set of people sending right now.
  if (tat_.size() > 4096) std::erase_if(tat_, [&](const auto& kv) { return kv.second <= now; });
  auto it = tat_.find(id);
  if (it != tat_.end() && now < it->second - tolerance_) return false;
  const TimePoint from = it == tat_.end() ? now : std::max(it->second, now);
  tat_[id] = from + min_gap_;
  return true;
}

}  // namespace plugwatch::notify::telegram
