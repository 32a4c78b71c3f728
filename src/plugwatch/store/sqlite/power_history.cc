// SqliteStore: outages, heartbeats and check counts (migrations/002_power.sql).
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "plugwatch/store/sqlite/connection.h"
#include "plugwatch/store/sqlite/rollup.h"
#include "plugwatch/store/sqlite/sqlite_store.h"
#include "plugwatch/store/sqlite/writer.h"

namespace plugwatch::store::sqlite {
namespace {

std::string DevicesJson(const std::vector<std::string>& devices) {
  boost::json::array a;
  for (const auto& d : devices) a.emplace_back(d);
  return boost::json::serialize(a);
}

// A damaged list reads as empty: the outage itself is still worth showing.
std::vector<std::string> ParseDevices(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& d : v.as_array())
    if (d.is_string()) out.emplace_back(d.as_string());
  return out;
}

Result<void> AddChecks(Connection& c, std::string_view kind, std::string_view scope, long long hour,
                       CheckCount add) {
  auto st = c.Prepare(
      "INSERT INTO checks(kind, scope, hour, checks, failures) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(kind, scope, hour) DO UPDATE SET checks = checks + excluded.checks, "
      "failures = failures + excluded.failures");
  if (!st) return Fail(st.error());
  return st->Bind(kind, scope, hour, add.checks, add.failures).Run();
}

}  // namespace

void SqliteStore::RecordHeartbeats(std::vector<HeartbeatRecord> hs, OnCommit done) {
  writer_->Submit(HeartbeatWrite{std::move(hs)}, std::move(done));
}

void SqliteStore::RecordOutage(const OutageRecord& o, OnCommit done) {
  writer_->Submit(
      Task([o](Connection& c) -> Result<void> {
        const std::string devices = DevicesJson(o.devices);
        if (o.ended_at) {
          auto close = c.Prepare(
              "UPDATE outages SET ended_at = ?1, devices = CASE WHEN ?2 = '[]' "
              "THEN devices ELSE ?2 END WHERE site = ?3 AND label = ?4 AND "
              "cause = ?5 AND ended_at IS NULL");
          if (!close) return Fail(close.error());
          if (auto r =
                  close->Bind(UnixMillis(*o.ended_at), devices, o.site, o.label, o.cause).Run();
              !r)
            return r;
          if (c.Changes() > 0) return {};
        }
        // ON CONFLICT: the partial unique index keeps one open
        // outage per site, label and cause.
        auto open = c.Prepare(
            "INSERT INTO outages(site, label, cause, started_at, ended_at, devices) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        if (!open) return Fail(open.error());
        std::optional<long long> ended;
        if (o.ended_at) ended = UnixMillis(*o.ended_at);
        return open->Bind(o.site, o.label, o.cause, UnixMillis(o.started_at), ended, devices).Run();
      }),
      std::move(done));
}

void SqliteStore::RecordChecks(std::string_view kind, std::string_view scope, TimePoint at,
                               CheckCount add) {
  writer_->Submit(Task([kind = std::string(kind), scope = std::string(scope),
                        hour = FloorDiv(UnixMillis(at), kHourMs),
                        add](Connection& c) { return AddChecks(c, kind, scope, hour, add); }),
                  {});
}

Result<std::vector<OutageRecord>> SqliteStore::QueryOutages(TimePoint since, bool ongoing_only) {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(
      ongoing_only ? "SELECT id, site, label, cause, started_at, ended_at, devices FROM outages "
                     "WHERE ended_at IS NULL ORDER BY started_at DESC, id DESC"
                   : "SELECT id, site, label, cause, started_at, ended_at, devices FROM outages "
                     "WHERE ended_at IS NULL OR ended_at >= ?1 ORDER BY started_at DESC, id DESC");
  if (!st) return Fail(st.error());
  if (!ongoing_only) st->Bind(UnixMillis(since));
  std::vector<OutageRecord> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    OutageRecord o;
    o.id = st->Int(0);
    o.site = st->Text(1);
    o.label = st->Text(2);
    o.cause = st->Text(3);
    o.started_at = FromUnixMillis(st->Int(4));
    if (auto e = st->OptInt(5)) o.ended_at = FromUnixMillis(*e);
    o.devices = ParseDevices(st->Text(6));
    out.push_back(std::move(o));
  }
}

Result<CheckCount> SqliteStore::QueryChecks(std::string_view kind, std::string_view scope,
                                            TimePoint since, TimePoint until) {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(
      "SELECT coalesce(sum(checks), 0), coalesce(sum(failures), 0) FROM checks "
      "WHERE kind = ? AND scope = ? AND hour BETWEEN ? AND ?");
  if (!st) return Fail(st.error());
  auto row = st->Bind(kind, scope, FloorDiv(UnixMillis(since), kHourMs),
                      FloorDiv(UnixMillis(until), kHourMs))
                 .Step();
  if (!row) return Fail(row.error());
  return CheckCount{st->Int(0), st->Int(1)};
}

Result<std::optional<TimePoint>> SqliteStore::LastHeartbeat(std::string_view label) {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare("SELECT received_at FROM heartbeat_labels WHERE label = ?");
  if (!st) return Fail(st.error());
  auto row = st->Bind(label).Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<TimePoint>();
  return std::optional<TimePoint>(FromUnixMillis(st->Int(0)));
}

}  // namespace plugwatch::store::sqlite
