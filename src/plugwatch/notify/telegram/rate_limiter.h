// RateLimiter: when the next Telegram message to a chat may go out, so that
// plugwatch stays inside the Bot API's limits (PROTOCOLS.md §7) instead of
// collecting 429s: about 1 message/s per chat with short bursts, 30/s across
// all chats, 20/minute to one group.
//
// Per chat and per group, a GCRA ("virtual scheduling") meter: a theoretical
// arrival time (TAT) that advances by the limit's interval with every send; a
// send may go at TAT - tolerance, tolerance = (burst - 1) * interval. Across
// chats, the booked send times themselves, kept at least `global_interval`
// apart, so a chat's future slot (a busy group's, say) does not hold up other
// chats. Reserve() books the earliest time that satisfies everything that
// applies to the chat and returns it; the caller sleeps until then. Slots may
// lie in the future, so a broadcast to many chats books them in one pass.
//
// Groups and channels are chat ids starting with '-' (-123, -100…) or '@'.
// The global and group meters have no burst: a burst on top of a rate would
// exceed "30 per second" or "20 per minute" inside some window.
//
// Booked slots keep sends apart on paper, but an event loop that was busy
// (a commit, a big query) wakes two senders late at the same moment. So,
// just before a request goes out, HoldBack() says how much longer to wait
// for actual sends to stay `global_interval` apart too, and Sent() records
// the send. These use the steady clock's real time (the time of the actual
// requests), not the injected clock.
//
// Bulk traffic (the notification sinks: a power cut to every subscriber, a
// /broadcast) must not stand in front of a person waiting for the bot's
// answer. Bulk senders therefore book no further ahead than `bulk_horizon`:
// each first takes a turn (BulkTurn: the times a bulk send would get on its
// own, spaced global_interval apart), sleeps until bulk_horizon before it,
// and only then reserves. An interactive reply reserves at once, behind at
// most bulk_horizon of booked sends.
//
// Pause() honours a 429's retry_after: nothing goes to that chat before
// `until`. Not thread-safe: used from the event loop only. Memory: meters
// that have caught up with the clock are dropped (they equal a fresh one).
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "plugwatch/core/clock.h"

namespace plugwatch::notify::telegram {

struct RateLimits {
  Duration per_chat_interval{1000};
  int per_chat_burst = 3;
  Duration global_interval{34};   // ceil(1000 / 30): at most 30 in any second
  Duration group_interval{3000};  // 60 s / 20
  Duration bulk_horizon{1000};    // how far ahead bulk sends book slots
};

bool IsGroupChat(std::string_view chat);

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits = {});

  // The earliest time a message to `chat` may be sent, without booking it.
  TimePoint NextSend(std::string_view chat, TimePoint now) const;
  // Books the earliest slot for `chat` (>= now) and returns it.
  TimePoint Reserve(std::string_view chat, TimePoint now);
  // When a bulk sender may Reserve: its turn minus bulk_horizon (or now).
  // Each call takes the next turn.
  TimePoint BulkTurn(TimePoint now);
  // Nothing goes to `chat` before `until` (429 retry_after).
  void Pause(std::string_view chat, TimePoint until);

  using Steady = std::chrono::steady_clock::time_point;
  // 0 when a request may go out at `now`; else how much longer to wait.
  Duration HoldBack(Steady now) const;
  void Sent(Steady now);

  size_t tracked_chats() const { return chats_.size(); }

 private:
  struct Meter {
    TimePoint tat{};  // theoretical arrival time of the next send
  };
  struct ChatMeters {
    Meter chat;
    Meter group;
  };
  void Prune(TimePoint now);
  TimePoint GlobalSlot(TimePoint from) const;

  RateLimits limits_;
  std::set<TimePoint> global_slots_;  // booked sends, >= global_interval apart
  TimePoint bulk_turn_{};             // the last turn handed out
  std::unordered_map<std::string, ChatMeters> chats_;
  size_t prune_at_ = 1024;
  Steady last_sent_{};
};

}  // namespace plugwatch::notify::telegram
