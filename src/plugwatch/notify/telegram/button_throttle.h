// ButtonThrottle: the bot's per-user button rate limit. A user's button
// press is handled only when at least `min_gap` passed since the last press
// that was handled; the others are answered "too fast" (answerCallbackQuery)
// and change nothing. Protects the store and the chat's message limit from
// someone hammering a button. Pure (times are passed in); the event loop
// only.
#pragma once

#include <unordered_map>

#include "plugwatch/core/clock.h"

namespace plugwatch::notify::telegram {

class ButtonThrottle {
 public:
  explicit ButtonThrottle(Duration min_gap = Duration(1000)) : min_gap_(min_gap) {}

  // True (and remembered) when the press may be handled.
  bool Allow(long long user_id, TimePoint now);

 private:
  Duration min_gap_;
  std::unordered_map<long long, TimePoint> last_;
};

}  // namespace plugwatch::notify::telegram
