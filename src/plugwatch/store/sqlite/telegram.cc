// SqliteStore: the Telegram bot's subscribers and getUpdates offset
// (migrations/004_telegram.sql). Every write waits for its commit
// (Writer::Run): the bot acknowledges a choice, or confirms an update to
// Telegram, only once it is durable.
#include <fmt/format.h>

#include "plugwatch/store/sqlite/connection.h"
#include "plugwatch/store/sqlite/sqlite_store.h"
#include "plugwatch/store/sqlite/writer.h"

namespace plugwatch::store::sqlite {

namespace {

Result<void> BumpSubscribersRevision(Connection& c) {
  auto st = c.Prepare(
      "INSERT INTO telegram_bot_state(key, value) VALUES ('subscribers_rev', 1) "
      "ON CONFLICT(key) DO UPDATE SET value = value + 1");
  if (!st) return Fail(st.error());
  return st->Run();
}

Result<long long> ReadState(Connection& c, const char* key) {
  auto st = c.Prepare("SELECT value FROM telegram_bot_state WHERE key = ?");
  if (!st) return Fail(st.error());
  st->Bind(std::string_view(key));
  auto row = st->Step();
  if (!row) return Fail(row.error());
  return *row ? st->Int(0) : 0LL;
}

}  // namespace

Result<void> SqliteStore::SaveSubscribers(const std::vector<TelegramSubscriber>& subs) {
  const long long now = UnixMillis(clock_.Now());
  return writer_->Run([&](Connection& c) -> Result<void> {
    auto st = c.Prepare(
        "INSERT INTO telegram_subscribers(chat_id, user_id, first_name, username, language, "
        "language_code, topic_power, topic_appliances, night_sound, subscribed, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(chat_id) DO UPDATE SET user_id = excluded.user_id, "
        "first_name = excluded.first_name, username = excluded.username, "
        "language = excluded.language, language_code = excluded.language_code, "
        "topic_power = excluded.topic_power, topic_appliances = excluded.topic_appliances, "
        "night_sound = excluded.night_sound, subscribed = excluded.subscribed, "
        "updated_at = excluded.updated_at");
    if (!st) return Fail(st.error());
    for (const auto& s : subs) {
      const long long created = s.created_at == TimePoint{} ? now : UnixMillis(s.created_at);
      const long long updated = s.updated_at == TimePoint{} ? now : UnixMillis(s.updated_at);
      if (auto r =
              st->Bind(s.chat_id, s.user_id, s.first_name, s.username, s.language, s.language_code,
                       s.power, s.appliances, s.night_sound, s.subscribed, created, updated)
                  .Run();
          !r)
        return r;
    }
    return BumpSubscribersRevision(c);
  });
}

Result<std::vector<TelegramSubscriber>> SqliteStore::ListSubscribers() {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(
      "SELECT chat_id, user_id, first_name, username, language, language_code, topic_power, "
      "topic_appliances, night_sound, subscribed, created_at, updated_at "
      "FROM telegram_subscribers ORDER BY chat_id");
  if (!st) return Fail(st.error());
  std::vector<TelegramSubscriber> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    TelegramSubscriber s;
    s.chat_id = st->Int(0);
    s.user_id = st->Int(1);
    s.first_name = st->Text(2);
    s.username = st->Text(3);
    if (!st->IsNull(4)) s.language = st->Text(4);
    s.language_code = st->Text(5);
    s.power = st->Int(6) != 0;
    s.appliances = st->Int(7) != 0;
    s.night_sound = st->Int(8) != 0;
    s.subscribed = st->Int(9) != 0;
    s.created_at = FromUnixMillis(st->Int(10));
    s.updated_at = FromUnixMillis(st->Int(11));
    out.push_back(std::move(s));
  }
  return out;
}

Result<void> SqliteStore::MoveSubscriber(long long from, long long to) {
  const long long now = UnixMillis(clock_.Now());
  bool found = false;
  auto r = writer_->Run([&](Connection& c) -> Result<void> {
    auto del = c.Prepare("DELETE FROM telegram_subscribers WHERE chat_id = ?2 AND ?1 <> ?2");
    if (!del) return Fail(del.error());
    if (auto x = del->Bind(from, to).Run(); !x) return x;
    auto st =
        c.Prepare("UPDATE telegram_subscribers SET chat_id = ?, updated_at = ? WHERE chat_id = ?");
    if (!st) return Fail(st.error());
    if (auto x = st->Bind(to, now, from).Run(); !x) return x;
    found = c.Changes() > 0;
    return BumpSubscribersRevision(c);
  });
  if (!r) return r;
  if (!found)
    return Fail(Errc::kNotFound,
                fmt::format("no Telegram subscriber with chat id {} to move to {}", from, to));
  return {};
}

Result<long long> SqliteStore::SubscribersRevision() {
  std::lock_guard lk(read_mu_);
  return ReadState(*reader_, "subscribers_rev");
}

Result<long long> SqliteStore::TelegramOffset() {
  std::lock_guard lk(read_mu_);
  return ReadState(*reader_, "offset");
}

Result<void> SqliteStore::SaveTelegramOffset(long long offset) {
  return writer_->Run([&](Connection& c) -> Result<void> {
    auto st = c.Prepare(
        "INSERT INTO telegram_bot_state(key, value) VALUES ('offset', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st) return Fail(st.error());
    return st->Bind(offset).Run();
  });
}

}  // namespace plugwatch::store::sqlite
