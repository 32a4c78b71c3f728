// Subscribers: the Telegram bot's subscriber table (store migrations/
// 004_telegram.sql) held in memory, and the RecipientSource of the sink
// "telegram" (notify/recipients.h). The Notifier asks it for every event on
// the event loop, so it answers from memory; every change is written to the
// store (committed) first, then to memory, so the two never disagree after
// a restart.
//
// Chats saved by another process (`plugwatch notify subscribe`) are picked
// up by Refresh(), which Recipients() calls at most once every
// `refresh_every` and every command calls always: a cheap revision read, and
// a reload only when it moved.
//
// A person's language: their choice in the bot, else their Telegram
// language_code when the bot speaks it ("uk", "uk-UA" → "uk"), else the
// default language given to the constructor (the site's).
//
// Threading: the engine's event loop only.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugwatch/core/error.h"
#include "plugwatch/notify/recipients.h"
#include "plugwatch/notify/sink.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify::telegram {

class Subscribers final : public RecipientSource {
 public:
  // `sink`: the sink whose recipients these are ("telegram").
  Subscribers(store::Store& store, std::string sink, std::string default_language);

  Result<void> Load();
  // Reloads when another process changed the table (at most once every
  // `refresh_every`); errors are logged and the memory kept.
  void Refresh(bool now = false);  // now: whatever refresh_every says
  std::chrono::milliseconds refresh_every{2000};

  // The row of a chat, subscribed or not.
  const store::TelegramSubscriber* Find(long long chat_id) const;
  // Stores `s` (committed), then remembers it.
  Result<void> Save(store::TelegramSubscriber s);
  Result<void> SaveMany(std::vector<store::TelegramSubscriber> subs);
  // subscribed = false; no-op for an unknown chat.
  Result<void> Unsubscribe(long long chat_id);
  // A group became a supergroup: its row moves to the new id.
  Result<void> Move(long long from, long long to);
  // What Telegram said of `chat` while sending to it: kRecipientGone
  // unsubscribes it, kMoved moves it; both logged. Returns the chat's new id
  // after a move, nullopt otherwise.
  std::optional<long long> Follow(long long chat, const Outcome& o);

  // The bot's replies: their choice, else their Telegram app's language if
  // the bot speaks it, else the default (the first site's language).
  std::string Language(const store::TelegramSubscriber& s) const;
  // Chat ids of everyone subscribed, ascending.
  std::vector<long long> SubscribedChats() const;
  size_t size() const { return subs_.size(); }

  // RecipientSource: the subscribed chats of `sink_`, in their language
  // ("" when they have none of their own: the notifier then uses the event's
  // site's), with their topics; silent_at_night = night sound off.
  std::vector<Recipient> Recipients(std::string_view sink) override;

 private:
  static std::optional<std::string> OwnLanguage(const store::TelegramSubscriber& s);

  store::Store& store_;
  std::string sink_;
  std::string default_language_;
  std::map<long long, store::TelegramSubscriber> subs_;
  long long revision_ = -1;
  std::chrono::steady_clock::time_point checked_{};
};

// "uk-UA" → "uk" when the bot has texts in that language; nullopt otherwise.
std::optional<std::string> SupportedLanguage(std::string_view code);

}  // namespace plugwatch::notify::telegram
