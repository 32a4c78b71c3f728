// ButtonThrottle: the bot's per-user (or per-chat) rate limit on what people
// send it. At most `burst` in a row, then one per `min_gap` (a GCRA meter:
// a theoretical arrival time that advances by min_gap with every allowed
// one). Buttons use burst 1: a press sooner than a second after the last
// handled one is answered "too fast" and changes nothing. Messages use a
// burst of 5: someone typing commands quickly is answered, someone flooding
// the bot is ignored beyond one a second, so that the updates the bot
// handles in order are not held up by one chat. Pure (times are passed in);
// the event loop only.
#pragma once

#include <unordered_map>

#include "plugwatch/core/clock.h"

namespace plugwatch::notify::telegram {

class ButtonThrottle {
 public:
  explicit ButtonThrottle(Duration min_gap = Duration(1000), int burst = 1)
      : min_gap_(min_gap), tolerance_(min_gap * (burst > 1 ? burst - 1 : 0)) {}

  // True (and counted) when it may be handled.
  bool Allow(long long id, TimePoint now);

 private:
  Duration min_gap_;
  Duration tolerance_;
  std::unordered_map<long long, TimePoint> tat_;  // theoretical arrival time
};

}  // namespace plugwatch::notify::telegram
