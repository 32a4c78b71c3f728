// SqliteStore: the notification outbox (migrations/003_notify.sql). Writes go
// through the writer thread; EnqueueNotifications and MoveNotifications wait
// for their commit (Writer::Run), UpdateNotification is group-committed like
// any other write.
#include <fmt/format.h>

#include "plugwatch/store/sqlite/connection.h"
#include "plugwatch/store/sqlite/sqlite_store.h"
#include "plugwatch/store/sqlite/writer.h"

namespace plugwatch::store::sqlite {

Result<std::vector<long long>> SqliteStore::EnqueueNotifications(std::vector<OutboxEntry> rows) {
  std::vector<long long> ids(rows.size(), 0);
  const long long now = UnixMillis(clock_.Now());
  auto r = writer_->Run([&](Connection& c) -> Result<void> {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // RETURNING: the insert is done at the first step; the statement's
      // reset (at the end of this scope) finishes it.
      auto st = c.Prepare(
          "INSERT INTO notify_outbox(sink, recipient, event_type, idempotency_key, message, "
          "created_at, state, attempts, next_attempt_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?) "
          "ON CONFLICT(sink, recipient, idempotency_key) DO NOTHING RETURNING id");
      if (!st) return Fail(st.error());
      const auto& e = rows[i];
      const long long created = e.created_at == TimePoint{} ? now : UnixMillis(e.created_at);
      st->Bind(e.sink, e.recipient, e.event_type, e.idempotency_key, e.message_json, created,
               created, now);
      auto row = st->Step();
      if (!row) return Fail(row.error());
      ids[i] = *row ? st->Int(0) : 0;
    }
    return {};
  });
  if (!r) return Fail(r.error());
  return ids;
}

void SqliteStore::UpdateNotification(const OutboxEntry& row, OnCommit done) {
  const long long now = UnixMillis(clock_.Now());
  writer_->Submit(Task([row, now](Connection& c) -> Result<void> {
                    auto st = c.Prepare(
                        "UPDATE notify_outbox SET state = ?, attempts = ?, next_attempt_at = ?, "
                        "last_error = ?, updated_at = ? WHERE id = ?");
                    if (!st) return Fail(st.error());
                    return st
                        ->Bind(row.state, row.attempts, UnixMillis(row.next_attempt_at),
                               row.last_error, now, row.id)
                        .Run();
                  }),
                  std::move(done));
}

Result<long long> SqliteStore::MoveNotifications(std::string_view sink, std::string_view from,
                                                 std::string_view to, std::string_view why) {
  long long changed = 0;
  const long long now = UnixMillis(clock_.Now());
  auto r = writer_->Run([&](Connection& c) -> Result<void> {
    auto st = to.empty()
                  ? c.Prepare(
                        "UPDATE notify_outbox SET state = 'dropped', last_error = ?4, "
                        "updated_at = ?5 WHERE sink = ?1 AND recipient = ?2 AND state = 'queued' "
                        "AND ?3 = ''")
                  : c.Prepare(
                        "UPDATE OR IGNORE notify_outbox SET recipient = ?3, last_error = ?4, "
                        "updated_at = ?5 WHERE sink = ?1 AND recipient = ?2 AND state = 'queued'");
    if (!st) return Fail(st.error());
    if (auto x = st->Bind(sink, from, to, why, now).Run(); !x) return x;
    changed = c.Changes();
    return {};
  });
  if (!r) return Fail(r.error());
  return changed;
}

Result<std::vector<OutboxEntry>> SqliteStore::QueuedNotifications(int limit) {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(
      "SELECT id, sink, recipient, event_type, idempotency_key, message, created_at, attempts, "
      "next_attempt_at, last_error FROM notify_outbox WHERE state = 'queued' ORDER BY id LIMIT ?");
  if (!st) return Fail(st.error());
  st->Bind(limit);
  std::vector<OutboxEntry> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    OutboxEntry e;
    e.id = st->Int(0);
    e.sink = st->Text(1);
    e.recipient = st->Text(2);
    e.event_type = st->Text(3);
    e.idempotency_key = st->Text(4);
    e.message_json = st->Text(5);
    e.created_at = FromUnixMillis(st->Int(6));
    e.attempts = static_cast<int>(st->Int(7));
    e.next_attempt_at = FromUnixMillis(st->Int(8));
    e.last_error = st->Text(9);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<OutboxCounts>> SqliteStore::NotificationCounts() {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(
      "SELECT sink, state, count(*), (SELECT last_error FROM notify_outbox o2 WHERE o2.sink = "
      "o.sink AND last_error <> '' ORDER BY updated_at DESC, id DESC LIMIT 1) "
      "FROM notify_outbox o GROUP BY sink, state ORDER BY sink");
  if (!st) return Fail(st.error());
  std::vector<OutboxCounts> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) break;
    const std::string sink = st->Text(0), state = st->Text(1);
    if (out.empty() || out.back().sink != sink) out.push_back({.sink = sink});
    auto& c = out.back();
    const long long n = st->Int(2);
    if (state == "queued") c.queued = n;
    if (state == "delivered") c.delivered = n;
    if (state == "failed") c.failed = n;
    if (state == "dropped") c.dropped = n;
    if (!st->IsNull(3)) c.last_error = st->Text(3);
  }
  return out;
}

}  // namespace plugwatch::store::sqlite
