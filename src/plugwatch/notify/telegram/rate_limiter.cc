#include "plugwatch/notify/telegram/rate_limiter.h"

#include <algorithm>

namespace plugwatch::notify::telegram {

bool IsGroupChat(std::string_view chat) {
  return !chat.empty() && (chat.front() == '-' || chat.front() == '@');
}

RateLimiter::RateLimiter(RateLimits limits) : limits_(limits) {}

// The earliest time >= from at least global_interval away from every booked slot.
TimePoint RateLimiter::GlobalSlot(TimePoint from) const {
  const Duration gap = limits_.global_interval;
  TimePoint t = from;
  for (auto it = global_slots_.upper_bound(t - gap); it != global_slots_.end() && *it < t + gap;
       ++it) {
    t = *it + gap;
  }
  return t;
}

TimePoint RateLimiter::NextSend(std::string_view chat, TimePoint now) const {
  TimePoint t = now;
  auto it = chats_.find(std::string(chat));
  if (it != chats_.end()) {
    const Duration tolerance =
        limits_.per_chat_interval * (std::max(limits_.per_chat_burst, 1) - 1);
    t = std::max(t, it->second.chat.tat - tolerance);
    if (IsGroupChat(chat)) t = std::max(t, it->second.group.tat);
  }
  return GlobalSlot(t);
}

TimePoint RateLimiter::Reserve(std::string_view chat, TimePoint now) {
  if (chats_.size() >= prune_at_) Prune(now);
  global_slots_.erase(global_slots_.begin(),
                      global_slots_.lower_bound(now - limits_.global_interval));
  const TimePoint t = NextSend(chat, now);
  ChatMeters& m = chats_[std::string(chat)];
  m.chat.tat = std::max(m.chat.tat, t) + limits_.per_chat_interval;
  if (IsGroupChat(chat)) m.group.tat = std::max(m.group.tat, t) + limits_.group_interval;
  global_slots_.insert(t);
  return t;
}

TimePoint RateLimiter::BulkTurn(TimePoint now) {
  bulk_turn_ = bulk_turn_ < now ? now : bulk_turn_ + limits_.global_interval;
  return std::max(now, bulk_turn_ - limits_.bulk_horizon);
}

void RateLimiter::Pause(std::string_view chat, TimePoint until) {
  ChatMeters& m = chats_[std::string(chat)];
  const Duration tolerance = limits_.per_chat_interval * (std::max(limits_.per_chat_burst, 1) - 1);
  m.chat.tat = std::max(m.chat.tat, until + tolerance);
  m.group.tat = std::max(m.group.tat, until);
}

void RateLimiter::Prune(TimePoint now) {
  std::erase_if(chats_, [now](const auto& kv) {
    return kv.second.chat.tat <= now && kv.second.group.tat <= now;
  });
  prune_at_ = std::max<size_t>(1024, chats_.size() * 2);
}

Duration RateLimiter::HoldBack(Steady now) const {
  if (last_sent_ == Steady{}) return Duration(0);
  const auto since = std::chrono::duration_cast<Duration>(now - last_sent_);
  return since >= limits_.global_interval ? Duration(0) : limits_.global_interval - since;
}

void RateLimiter::Sent(Steady now) { last_sent_ = std::max(last_sent_, now); }

}  // namespace plugwatch::notify::telegram
