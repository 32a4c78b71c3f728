#include "plugwatch/notify/telegram/subscribers.h"

#include <fmt/format.h>

#include <charconv>

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/bot_texts.h"

namespace plugwatch::notify::telegram {

std::optional<std::string> SupportedLanguage(std::string_view code) {
  std::string base(code.substr(0, code.find_first_of("-_")));
  for (char& c : base)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (std::string_view l : kBotLanguages)
    if (base == l) return base;
  return std::nullopt;
}

Subscribers::Subscribers(store::Store& store, std::string sink, std::string default_language)
    : store_(store), sink_(std::move(sink)), default_language_(std::move(default_language)) {}

Result<void> Subscribers::Load() {
  // The revision first: a change made between the two reads is seen again
  // at the next Refresh rather than missed.
  auto rev = store_.SubscribersRevision();
  if (!rev) return Fail(rev.error());
  auto all = store_.ListSubscribers();
  if (!all) return Fail(all.error());
  subs_.clear();
  for (auto& s : *all) subs_[s.chat_id] = std::move(s);
  revision_ = *rev;
  checked_ = std::chrono::steady_clock::now();
  return {};
}

void Subscribers::Refresh(bool now) {
  const auto t = std::chrono::steady_clock::now();
  if (!now && t - checked_ < refresh_every) return;
  checked_ = t;
  auto rev = store_.SubscribersRevision();
  if (!rev) {
    log::warn("telegram bot: checking for new subscribers: {}", rev.error().message());
    return;
  }
  if (*rev == revision_) return;
  if (auto r = Load(); !r)
    log::warn("telegram bot: rereading subscribers: {}", r.error().message());
}

const store::TelegramSubscriber* Subscribers::Find(long long chat_id) const {
  auto it = subs_.find(chat_id);
  return it == subs_.end() ? nullptr : &it->second;
}

Result<void> Subscribers::Save(store::TelegramSubscriber s) {
  std::vector<store::TelegramSubscriber> one{std::move(s)};
  return SaveMany(std::move(one));
}

Result<void> Subscribers::SaveMany(std::vector<store::TelegramSubscriber> subs) {
  if (auto r = store_.SaveSubscribers(subs); !r) return r;
  for (auto& s : subs) {
    if (auto it = subs_.find(s.chat_id); it != subs_.end()) s.created_at = it->second.created_at;
    subs_[s.chat_id] = std::move(s);
  }
  return {};
}

Result<void> Subscribers::Unsubscribe(long long chat_id) {
  auto it = subs_.find(chat_id);
  if (it == subs_.end() || !it->second.subscribed) return {};
  auto s = it->second;
  s.subscribed = false;
  s.updated_at = {};
  return Save(std::move(s));
}

Result<void> Subscribers::Move(long long from, long long to) {
  if (!subs_.contains(from)) return {};
  if (auto r = store_.MoveSubscriber(from, to); !r) return r;
  auto s = std::move(subs_[from]);
  subs_.erase(from);
  s.chat_id = to;
  subs_[to] = std::move(s);
  return {};
}

std::optional<long long> Subscribers::Follow(long long chat, const Outcome& o) {
  if (o.kind == Outcome::Kind::kRecipientGone) {
    if (auto r = Unsubscribe(chat); !r)
      log::error("telegram bot: {}", r.error().message());
    else
      log::info("telegram bot: chat {} is gone ({}); unsubscribed", chat, o.detail);
    return std::nullopt;
  }
  if (o.kind != Outcome::Kind::kMoved) return std::nullopt;
  long long to = 0;
  const std::string& s = o.moved_to;
  if (std::from_chars(s.data(), s.data() + s.size(), to).ec != std::errc() || to == 0) {
    log::warn("telegram bot: chat {} moved to '{}', which is not a chat id", chat, s);
    return std::nullopt;
  }
  if (auto r = Move(chat, to); !r) {
    log::error("telegram bot: {}", r.error().message());
    return std::nullopt;
  }
  log::info("telegram bot: chat {} moved to {}", chat, to);
  return to;
}

std::optional<std::string> Subscribers::OwnLanguage(const store::TelegramSubscriber& s) {
  if (s.language) return *s.language;
  return SupportedLanguage(s.language_code);
}

std::string Subscribers::Language(const store::TelegramSubscriber& s) const {
  return OwnLanguage(s).value_or(default_language_);
}

std::vector<long long> Subscribers::SubscribedChats() const {
  std::vector<long long> out;
  for (const auto& [chat, s] : subs_)
    if (s.subscribed) out.push_back(chat);
  return out;
}

std::vector<Recipient> Subscribers::Recipients(std::string_view sink) {
  std::vector<Recipient> out;
  if (sink != sink_) return out;
  Refresh();
  for (const auto& [chat, s] : subs_) {
    if (!s.subscribed) continue;
    Recipient r;
    r.address = std::to_string(chat);
    r.language = OwnLanguage(s).value_or("");
    r.silent_at_night = !s.night_sound;
    if (s.power) r.topics.emplace_back("power");
    if (s.appliances) r.topics.emplace_back("appliances");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace plugwatch::notify::telegram
