// SqliteStore: the Store on one SQLite file in WAL mode (see store.h for the
// contract, migrations/001_init.sql for the schema).
//
// Connections: one writing connection, owned by the Writer's thread (group
// commit, writer.h), and one reading connection shared by callers under a
// mutex; WAL lets them work side by side, readers seeing committed data
// only. Device changes are synchronous but still go through the writer
// thread, so each process writes through exactly one connection and never
// waits on SQLITE_BUSY against itself. A ":memory:" database has a single
// connection, which reads then share with the writer between batches.
//
// Event ids: each process claims blocks of ids (meta 'event_ids_reserved')
// in a committed transaction before handing them out, so an id returned by
// RecordEvent is never taken by another process writing events to the same
// file. Ids increase within a process; a process that stops without closing
// the store leaves a gap of at most one block.
//
// Thread-safe. Synchronous calls made from an OnCommit callback (on the
// writer thread) run in a transaction of their own; Flush fails there.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "plugwatch/store/store.h"

namespace plugwatch::store::sqlite {

class Connection;
class Writer;

class SqliteStore final : public Store {
 public:
  // OpenSqlite (store.h) with the concrete type.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const OpenOptions& opts);
  ~SqliteStore() override;

  Result<void> AddDevice(const DeviceSpec& d, std::string_view source) override;
  Result<void> UpsertDevice(const DeviceSpec& d, std::string_view source) override;
  Result<void> RemoveDevice(std::string_view id) override;
  Result<std::optional<StoredDevice>> GetDevice(std::string_view id) override;
  Result<std::vector<StoredDevice>> ListDevices() override;
  Result<long long> DevicesRevision() override;

  Event RecordEvent(Event e, OnCommit done = {}) override;
  void RecordReading(const Reading& r, std::optional<double> lifetime_energy_wh,
                     OnCommit done = {}) override;
  void RecordCycle(const CycleRecord& c, OnCommit done = {}) override;
  void SaveState(std::string_view key, boost::json::object snapshot) override;
  // Outages, heartbeats and checks: power_history.cc.
  void RecordHeartbeats(std::vector<HeartbeatRecord> hs, OnCommit done = {}) override;
  void RecordOutage(const OutageRecord& o, OnCommit done = {}) override;
  void RecordChecks(std::string_view kind, std::string_view scope, TimePoint at,
                    CheckCount add) override;
  Result<void> Flush() override;
  // Notification outbox: outbox.cc.
  Result<std::vector<long long>> EnqueueNotifications(std::vector<OutboxEntry> rows) override;
  void UpdateNotification(const OutboxEntry& row, OnCommit done = {}) override;
  Result<long long> MoveNotifications(std::string_view sink, std::string_view from,
                                      std::string_view to, std::string_view why) override;
  Result<std::vector<OutboxEntry>> QueuedNotifications(int limit) override;
  Result<std::vector<OutboxCounts>> NotificationCounts() override;
  // Telegram bot: telegram.cc.
  Result<void> SaveSubscribers(const std::vector<TelegramSubscriber>& subs) override;
  Result<std::vector<TelegramSubscriber>> ListSubscribers() override;
  Result<void> MoveSubscriber(long long from, long long to) override;
  Result<long long> SubscribersRevision() override;
  Result<long long> TelegramOffset() override;
  Result<void> SaveTelegramOffset(long long offset) override;

  Result<std::vector<Event>> QueryEvents(const EventQuery& q) override;
  Result<std::vector<CycleRecord>> QueryCycles(TimePoint since,
                                               std::optional<std::string> device) override;
  Result<std::vector<ReadingPoint>> QueryReadings(std::string_view device, TimePoint since,
                                                  TimePoint until, int max_points) override;
  Result<std::vector<OutageRecord>> QueryOutages(TimePoint since, bool ongoing_only) override;
  Result<CheckCount> QueryChecks(std::string_view kind, std::string_view scope, TimePoint since,
                                 TimePoint until) override;
  Result<std::optional<TimePoint>> LastHeartbeat(std::string_view label) override;
  Result<std::map<std::string, boost::json::object>> LoadStates() override;
  Result<std::map<std::string, double>> LoadEnergyTotals() override;

  Result<CleanupStats> Cleanup(TimePoint now, Duration raw_older_than,
                               Duration minute_older_than) override;

 private:
  struct IdBlock {
    long long next;
    long long end;  // exclusive
  };

  SqliteStore(std::unique_ptr<Connection> write_conn, std::unique_ptr<Connection> read_conn,
              const OpenOptions& opts);

  long long NextEventId();
  Result<IdBlock> ClaimEventIds();
  void ReleaseEventIds();
  Result<long long> DeleteOlder(const char* table, const char* key, long long cutoff);
  // Outbox rows not queued whose last change is before `cutoff` (unix ms).
  Result<long long> DeleteFinishedNotifications(long long cutoff);

  SystemClock clock_;
  std::unique_ptr<Connection> write_conn_;
  std::unique_ptr<Connection> read_conn_;  // null for ":memory:"
  Connection* reader_;                     // read_conn_, or write_conn_ for ":memory:"
  std::mutex read_mu_;                     // guards *reader_

  std::mutex ids_mu_;  // guards ids_; held while waiting for a claim. Not taken by the writer.
  IdBlock ids_{0, 0};
  std::mutex spare_mu_;  // guards spare_ and claiming_; taken by the writer's callbacks
  std::optional<IdBlock> spare_;
  bool claiming_ = false;

  std::unique_ptr<Writer> writer_;  // last: stopped first, while the rest still works
};

}  // namespace plugwatch::store::sqlite
