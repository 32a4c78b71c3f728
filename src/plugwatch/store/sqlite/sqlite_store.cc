#include "plugwatch/store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <memory>

#include "plugwatch/core/log.h"
#include "plugwatch/store/sqlite/connection.h"
#include "plugwatch/store/sqlite/migration.h"
#include "plugwatch/store/sqlite/rollup.h"
#include "plugwatch/store/sqlite/series_point.h"
#include "plugwatch/store/sqlite/writer.h"

namespace plugwatch::store {

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& opts) {
  auto store = sqlite::SqliteStore::Open(path, opts);
  if (!store) return Fail(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

namespace sqlite {
namespace {

// Ids claimed per transaction: a claim costs one synchronous round trip to
// the writer, and an unclean stop loses at most this many ids.
constexpr long long kEventIdBlock = 1000;
// Rows deleted per transaction by Cleanup, so the writer never stalls long.
constexpr long long kCleanupChunk = 5000;

// The pragmas of the writing connection.
//
// synchronous=FULL: WAL with synchronous=NORMAL already survives kill -9
// (committed pages are in the OS), but loses the last commits to an OS crash
// or power cut; FULL fsyncs the WAL at every commit, so an acknowledged
// heartbeat or event survives those too. Group commit makes that one fsync
// per batch, and it is cheap: measured on the development VM (ext4), FULL
// against NORMAL sustains the same ~150,000 readings/s in bulk, ~55,000
// against ~64,000 acknowledged writes/s from 64 waiting writers, and adds
// ~0.1 ms to a lone acknowledged write.
// cache_size: 8 MiB, the pages a batch touches across thousands of devices.
// journal_size_limit: truncate the WAL back to 64 MiB after a checkpoint.
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192; "
    "PRAGMA journal_size_limit = 67108864";

struct Resolution {
  const char* table;
  const char* key;    // the time column
  long long unit_ms;  // what one unit of the key is
};
constexpr Resolution kRaw{"readings", "ts", 1};
constexpr Resolution kMinute{"rollup_1m", "minute", kMinuteMs};
constexpr Resolution kHour{"rollup_1h", "hour", kHourMs};

// Keeps one snapshot across several queries on the reading connection.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& conn) : conn_(conn), begun_(conn.Exec("BEGIN")) {}
  ~ReadSnapshot() {
    if (conn_.InTransaction()) (void)conn_.Exec("COMMIT");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const Result<void>& begun() const { return begun_; }

 private:
  Connection& conn_;
  Result<void> begun_;
};

std::optional<double> Number(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

Result<boost::json::object> ParseObject(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(Errc::kIo, what +
                               " is not a JSON object — the database was changed by hand, or "
                               "is damaged");
  }
  return std::move(v.as_object());
}

std::string ActivityJson(const ActivitySettings& a) {
  boost::json::object o;
  o["start_above_w"] = a.start_above_w;
  o["start_delay_ms"] = a.start_delay.count();
  o["stop_below_w"] = a.stop_below_w;
  o["stop_delay_ms"] = a.stop_delay.count();
  o["price_per_kwh"] = a.price_per_kwh;
  o["currency"] = a.currency;
  return boost::json::serialize(o);
}

// Missing keys keep their defaults, so a later version may add settings.
Result<ActivitySettings> ParseActivity(std::string_view text, const std::string& what) {
  auto o = ParseObject(text, what);
  if (!o) return Fail(o.error());
  ActivitySettings a;
  if (auto v = Number(*o, "start_above_w")) a.start_above_w = *v;
  if (auto v = Number(*o, "start_delay_ms")) a.start_delay = Duration(std::llround(*v));
  if (auto v = Number(*o, "stop_below_w")) a.stop_below_w = *v;
  if (auto v = Number(*o, "stop_delay_ms")) a.stop_delay = Duration(std::llround(*v));
  if (auto v = Number(*o, "price_per_kwh")) a.price_per_kwh = *v;
  if (const auto* c = o->if_contains("currency"); c && c->is_string()) {
    a.currency = std::string(c->get_string());
  }
  return a;
}

constexpr const char* kDeviceColumns =
    "id, name, kind, address, username, password, site, protocol, enabled, poll_interval_ms, "
    "activity, in_quorum, source, created_at, updated_at";

Result<StoredDevice> DeviceFromRow(const Statement& st, const std::string& path) {
  StoredDevice d;
  DeviceSpec& s = d.spec;
  s.id = st.Text(0);
  s.name = st.Text(1);
  s.kind = st.Text(2);
  s.address = st.Text(3);
  s.username = st.Text(4);
  s.password = st.Text(5);
  s.site = st.Text(6);
  s.protocol = st.Text(7);
  s.enabled = st.Int(8) != 0;
  if (auto ms = st.OptInt(9)) s.poll_interval = Duration(*ms);
  if (!st.IsNull(10)) {
    auto a = ParseActivity(st.Text(10), fmt::format("{}: device '{}': activity", path, s.id));
    if (!a) return Fail(a.error());
    s.activity = *a;
  }
  s.in_quorum = st.Int(11) != 0;
  d.source = st.Text(12);
  d.created_at = FromUnixMillis(st.Int(13));
  d.updated_at = FromUnixMillis(st.Int(14));
  return d;
}

Result<void> BindDevice(Statement& st, const DeviceSpec& d, std::string_view source,
                        long long now_ms) {
  std::optional<long long> poll_ms;
  if (d.poll_interval) poll_ms = d.poll_interval->count();
  std::optional<std::string> activity;
  if (d.activity) activity = ActivityJson(*d.activity);
  st.Bind(d.id, d.name, d.kind, d.address, d.username, d.password, d.site, d.protocol, d.enabled,
          poll_ms, activity, d.in_quorum, source, now_ms, now_ms);
  return st.Run();
}

Result<void> BumpDevicesRevision(Connection& c) {
  auto st = c.Prepare("UPDATE meta SET value = value + 1 WHERE key = 'devices_rev'");
  if (!st) return Fail(st.error());
  return st->Run();
}

// Claims the next `count` event ids, after the highest id any process has
// claimed or used (a database from before the claims has only the latter).
Result<void> ClaimIds(Connection& c, long long count, long long& first) {
  auto st = c.Prepare(
      "SELECT max(coalesce((SELECT value FROM meta WHERE key = 'event_ids_reserved'), 0), "
      "(SELECT coalesce(max(id), 0) FROM events))");
  if (!st) return Fail(st.error());
  auto row = st->Step();
  if (!row) return Fail(row.error());
  first = st->Int(0) + 1;
  auto claim = c.Prepare(
      "INSERT INTO meta(key, value) VALUES ('event_ids_reserved', ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!claim) return Fail(claim.error());
  return claim->Bind(first + count - 1).Run();
}

Result<std::optional<long long>> QueryOptInt(Connection& c, const std::string& sql,
                                             const auto&... args) {
  auto st = c.Prepare(sql);
  if (!st) return Fail(st.error());
  auto row = st->Bind(args...).Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<long long>();
  return st->OptInt(0);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const OpenOptions& opts) {
  const bool memory = path == ":memory:";
  auto conn = Connection::Open(path, opts.create);
  if (!conn) return Fail(conn.error());
  if (auto r = (*conn)->Exec(kWriterPragmas); !r) return Fail(r.error());
  // Migrate first: it refuses another program's database before anything,
  // even its journal mode, is changed.
  if (auto r = Migrate(**conn, EmbeddedMigrations(), SystemClock().Now()); !r) {
    return Fail(r.error());
  }
  auto mode = (*conn)->QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return Fail(mode.error());
  if (!memory && *mode != "wal") {
    return Fail(Errc::kIo, fmt::format("{}: SQLite cannot use write-ahead logging here (journal "
                                       "mode stays '{}') — put the database on a local file "
                                       "system",
                                       path, *mode));
  }
  std::unique_ptr<Connection> reader;
  if (!memory) {
    auto rc = Connection::Open(path, false);
    if (!rc) return Fail(rc.error());
    if (auto r = (*rc)->Exec("PRAGMA query_only = ON"); !r) return Fail(r.error());
    reader = std::move(*rc);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*conn), std::move(reader), opts));
  auto ids = store->ClaimEventIds();
  if (!ids) return Fail(ids.error());
  store->ids_ = *ids;
  return store;
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> write_conn,
                         std::unique_ptr<Connection> read_conn, const OpenOptions& opts)
    : write_conn_(std::move(write_conn)),
      read_conn_(std::move(read_conn)),
      reader_(read_conn_ ? read_conn_.get() : write_conn_.get()),
      writer_(std::make_unique<Writer>(*write_conn_, Writer::Options{opts.commit_interval},
                                       read_conn_ ? nullptr : &read_mu_)) {}

SqliteStore::~SqliteStore() { ReleaseEventIds(); }

// --- devices ---

Result<void> SqliteStore::AddDevice(const DeviceSpec& d, std::string_view source) {
  const long long now = UnixMillis(clock_.Now());
  return writer_->Run([&](Connection& c) -> Result<void> {
    auto exists = QueryOptInt(c, "SELECT 1 FROM devices WHERE id = ?", d.id);
    if (!exists) return Fail(exists.error());
    if (*exists) {
      return Fail(Errc::kAlreadyExists, fmt::format("device '{}' already exists — choose another "
                                                    "id or remove it first",
                                                    d.id));
    }
    auto st =
        c.Prepare(fmt::format("INSERT INTO devices({}) VALUES "
                              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              kDeviceColumns));
    if (!st) return Fail(st.error());
    if (auto r = BindDevice(*st, d, source, now); !r) return r;
    return BumpDevicesRevision(c);
  });
}

Result<void> SqliteStore::UpsertDevice(const DeviceSpec& d, std::string_view source) {
  const long long now = UnixMillis(clock_.Now());
  return writer_->Run([&](Connection& c) -> Result<void> {
    // Only a real change moves updated_at and the revision: the service
    // upserts every configured device at each start.
    auto st = c.Prepare(fmt::format(
        "INSERT INTO devices({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
        "address = excluded.address, username = excluded.username, "
        "password = excluded.password, site = excluded.site, protocol = excluded.protocol, "
        "enabled = excluded.enabled, poll_interval_ms = excluded.poll_interval_ms, "
        "activity = excluded.activity, in_quorum = excluded.in_quorum, "
        "source = excluded.source, updated_at = excluded.updated_at "
        "WHERE (name, kind, address, username, password, site, protocol, enabled, "
        "poll_interval_ms, activity, in_quorum, source) IS NOT (excluded.name, excluded.kind, "
        "excluded.address, excluded.username, excluded.password, excluded.site, "
        "excluded.protocol, excluded.enabled, excluded.poll_interval_ms, excluded.activity, "
        "excluded.in_quorum, excluded.source)",
        kDeviceColumns));
    if (!st) return Fail(st.error());
    if (auto r = BindDevice(*st, d, source, now); !r) return r;
    if (c.Changes() == 0) return {};
    return BumpDevicesRevision(c);
  });
}

Result<void> SqliteStore::RemoveDevice(std::string_view id) {
  const std::string device(id);
  return writer_->Run([&](Connection& c) -> Result<void> {
    auto del = c.Prepare("DELETE FROM devices WHERE id = ?");
    if (!del) return Fail(del.error());
    if (auto r = del->Bind(device).Run(); !r) return r;
    if (c.Changes() == 0) {
      return Fail(Errc::kNotFound,
                  fmt::format("device '{}' does not exist — see `plugwatch device list`", device));
    }
    // History (readings, events, cycles, energy) stays; detector state would
    // only mislead a device added later under the same id.
    auto state = c.Prepare("DELETE FROM detector_state WHERE key = ?");
    if (!state) return Fail(state.error());
    if (auto r = state->Bind(device).Run(); !r) return r;
    return BumpDevicesRevision(c);
  });
}

Result<std::optional<StoredDevice>> SqliteStore::GetDevice(std::string_view id) {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(fmt::format("SELECT {} FROM devices WHERE id = ?", kDeviceColumns));
  if (!st) return Fail(st.error());
  auto row = st->Bind(id).Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<StoredDevice>();
  auto d = DeviceFromRow(*st, reader_->path());
  if (!d) return Fail(d.error());
  return std::optional<StoredDevice>(std::move(*d));
}

Result<std::vector<StoredDevice>> SqliteStore::ListDevices() {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(fmt::format("SELECT {} FROM devices ORDER BY id", kDeviceColumns));
  if (!st) return Fail(st.error());
  std::vector<StoredDevice> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    auto d = DeviceFromRow(*st, reader_->path());
    if (!d) return Fail(d.error());
    out.push_back(std::move(*d));
  }
}

Result<long long> SqliteStore::DevicesRevision() {
  std::lock_guard lk(read_mu_);
  auto rev = QueryOptInt(*reader_, "SELECT value FROM meta WHERE key = 'devices_rev'");
  if (!rev) return Fail(rev.error());
  return rev->value_or(0);
}

// --- write path ---

Event SqliteStore::RecordEvent(Event e, OnCommit done) {
  e.id = NextEventId();
  writer_->Submit(EventWrite{e.id, UnixMillis(e.ts), std::string(ToString(e.type)), e.device,
                             e.site, boost::json::serialize(e.data)},
                  std::move(done));
  return e;
}

void SqliteStore::RecordReading(const Reading& r, std::optional<double> lifetime_energy_wh,
                                OnCommit done) {
  writer_->Submit(ReadingWrite{r, lifetime_energy_wh}, std::move(done));
}

void SqliteStore::RecordCycle(const CycleRecord& c, OnCommit done) {
  writer_->Submit(CycleWrite{c}, std::move(done));
}

void SqliteStore::SaveState(std::string_view key, boost::json::object snapshot) {
  writer_->Submit(
      StateWrite{std::string(key), boost::json::serialize(snapshot), UnixMillis(clock_.Now())}, {});
}

Result<void> SqliteStore::Flush() { return writer_->Flush(); }

// --- event ids ---

Result<SqliteStore::IdBlock> SqliteStore::ClaimEventIds() {
  long long first = 0;
  auto r = writer_->Run([&](Connection& c) { return ClaimIds(c, kEventIdBlock, first); });
  if (!r) return Fail(r.error());
  return IdBlock{first, first + kEventIdBlock};
}

long long SqliteStore::NextEventId() {
  std::lock_guard lk(ids_mu_);
  if (ids_.next == ids_.end) {
    std::optional<IdBlock> spare;
    {
      std::lock_guard s(spare_mu_);
      spare = std::exchange(spare_, std::nullopt);
    }
    if (spare) {
      ids_ = *spare;
    } else if (auto claimed = ClaimEventIds()) {
      ids_ = *claimed;
    } else {
      // The database takes no writes, so this event will not commit either
      // and its OnCommit reports why; the unclaimed id only keeps ids unique
      // within this process meanwhile.
      log::warn("store: cannot claim event ids: {}", claimed.error().message());
      ids_.end = ids_.next + 1;
    }
  }
  long long id = ids_.next++;
  if (ids_.end - ids_.next <= kEventIdBlock / 2) {
    // Claim the next block ahead, in a normal batch, so that RecordEvent on
    // the event loop rarely waits for a claim of its own.
    bool start = false;
    {
      std::lock_guard s(spare_mu_);
      start = !spare_ && !claiming_;
      claiming_ = claiming_ || start;
    }
    if (start) {
      auto first = std::make_shared<long long>(0);
      writer_->Submit(Task([first](Connection& c) { return ClaimIds(c, kEventIdBlock, *first); }),
                      [this, first](const Result<void>& r) {
                        std::lock_guard s(spare_mu_);
                        claiming_ = false;
                        if (r) spare_ = IdBlock{*first, *first + kEventIdBlock};
                      });
    }
  }
  return id;
}

void SqliteStore::ReleaseEventIds() {
  // Gives back what this process claimed but did not use, if no other
  // process claimed ids since, so that a restart does not leave a gap.
  if (!writer_->Flush()) return;  // after it, a claim in flight has landed in spare_
  IdBlock current;
  std::optional<IdBlock> spare;
  {
    std::scoped_lock lk(ids_mu_, spare_mu_);
    current = ids_;
    spare = spare_;
  }
  long long claimed_up_to = (spare ? spare->end : current.end) - 1;
  long long release_to = current.next - 1;
  if (spare && spare->next != current.end) release_to = spare->next - 1;
  if (release_to == claimed_up_to) return;
  auto r = writer_->Run([&](Connection& c) -> Result<void> {
    auto st = c.Prepare("UPDATE meta SET value = ? WHERE key = 'event_ids_reserved' AND value = ?");
    if (!st) return Fail(st.error());
    return st->Bind(release_to, claimed_up_to).Run();
  });
  if (!r) log::warn("store: could not give back unused event ids: {}", r.error().message());
}

// --- reads ---

Result<std::vector<Event>> SqliteStore::QueryEvents(const EventQuery& q) {
  std::vector<Event> out;
  if (q.limit <= 0) return out;
  std::string sql = "SELECT id, ts, type, device, site, data FROM events WHERE ts >= ?1";
  if (q.type) sql += " AND type = ?2";
  if (q.device) sql += " AND device = ?3";
  sql += " ORDER BY ts DESC, id DESC LIMIT ?4";
  std::optional<std::string> type;
  if (q.type) type = std::string(ToString(*q.type));

  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(sql);
  if (!st) return Fail(st.error());
  st->Bind(UnixMillis(q.since), type, q.device, q.limit);
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    // A newer plugwatch may have recorded types this one does not know.
    auto event_type = ParseEventType(st->Text(2));
    if (!event_type) continue;
    Event e;
    e.id = st->Int(0);
    e.ts = FromUnixMillis(st->Int(1));
    e.type = *event_type;
    e.device = st->Text(3);
    e.site = st->Text(4);
    auto data = ParseObject(st->Text(5), fmt::format("{}: event {}: data", reader_->path(), e.id));
    if (!data) return Fail(data.error());
    e.data = std::move(*data);
    out.push_back(std::move(e));
  }
}

Result<std::vector<CycleRecord>> SqliteStore::QueryCycles(TimePoint since,
                                                          std::optional<std::string> device) {
  std::string sql =
      "SELECT id, device, site, started_at, ended_at, duration_s, energy_wh, peak_w, cost "
      "FROM cycles WHERE ended_at >= ?1";
  if (device) sql += " AND device = ?2";
  sql += " ORDER BY ended_at DESC, id DESC";

  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare(sql);
  if (!st) return Fail(st.error());
  if (device) {
    st->Bind(UnixMillis(since), *device);
  } else {
    st->Bind(UnixMillis(since));
  }
  std::vector<CycleRecord> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    CycleRecord c;
    c.id = st->Int(0);
    c.device = st->Text(1);
    c.site = st->Text(2);
    c.started_at = FromUnixMillis(st->Int(3));
    c.ended_at = FromUnixMillis(st->Int(4));
    c.duration_s = st->Real(5);
    c.energy_wh = st->Real(6);
    c.peak_w = st->Real(7);
    c.cost = st->Real(8);
    out.push_back(std::move(c));
  }
}

Result<std::vector<ReadingPoint>> SqliteStore::QueryReadings(std::string_view device,
                                                             TimePoint since, TimePoint until,
                                                             int max_points) {
  if (max_points < 1) {
    return Fail(Errc::kInvalidArgument,
                fmt::format("max_points is {}; it must be at least 1", max_points));
  }
  const long long from = UnixMillis(since);
  const long long to = UnixMillis(until);
  std::vector<ReadingPoint> out;
  if (to < from) return out;

  std::lock_guard lk(read_mu_);
  Connection& c = *reader_;
  ReadSnapshot snapshot(c);
  if (!snapshot.begun()) return Fail(snapshot.begun().error());
  auto series = QueryOptInt(c, "SELECT id FROM series WHERE device = ?", device);
  if (!series) return Fail(series.error());
  if (!*series) return out;
  const long long sid = **series;

  // The finest resolution that fits max_points and reaches back to the start
  // of the window (or of the device's data): raw readings and minute rollups
  // are deleted after their retention, hourly rollups never.
  auto first = [&](const Resolution& r) {
    return QueryOptInt(c, fmt::format("SELECT min({}) FROM {} WHERE series = ?", r.key, r.table),
                       sid);
  };
  auto hour_first = first(kHour);
  if (!hour_first) return Fail(hour_first.error());
  const long long data_from =
      std::max(from, hour_first->value_or(FloorDiv(from, kHourMs)) * kHourMs);
  const Resolution* chosen = &kHour;
  for (const Resolution* r : {&kRaw, &kMinute}) {
    auto f = first(*r);
    if (!f) return Fail(f.error());
    if (!*f || **f * r->unit_ms >= data_from + kHourMs) continue;
    auto n = QueryOptInt(c,
                         fmt::format("SELECT count(*) FROM (SELECT 1 FROM {0} WHERE series = ? "
                                     "AND {1} BETWEEN ? AND ? LIMIT ?)",
                                     r->table, r->key),
                         sid, FloorDiv(from, r->unit_ms), FloorDiv(to, r->unit_ms), max_points + 1);
    if (!n) return Fail(n.error());
    if (n->value_or(0) <= max_points) {
      chosen = r;
      break;
    }
  }

  const Resolution& r = *chosen;
  const long long lo = FloorDiv(from, r.unit_ms);
  const long long hi = FloorDiv(to, r.unit_ms);
  std::vector<SeriesPoint> points;
  {
    auto st = c.Prepare(
        &r == &kRaw
            ? std::string("SELECT ts, power_mw IS NOT NULL, coalesce(power_mw, 0), power_mw, "
                          "energy_mwh, relay_on FROM readings WHERE series = ? AND ts BETWEEN ? "
                          "AND ? ORDER BY ts")
            : fmt::format("SELECT {0}, n, power_sum_mw, power_max_mw, energy_mwh, on_last FROM {1} "
                          "WHERE series = ? AND {0} BETWEEN ? AND ? ORDER BY {0}",
                          r.key, r.table));
    if (!st) return Fail(st.error());
    st->Bind(sid, lo, hi);
    for (;;) {
      auto row = st->Step();
      if (!row) return Fail(row.error());
      if (!*row) break;
      SeriesPoint p;
      p.ts = st->Int(0) * r.unit_ms;
      p.n = st->Int(1);
      p.power_sum_mw = st->Int(2);
      p.power_max_mw = st->OptInt(3);
      p.energy_mwh = st->OptInt(4);  // energy used: turned into the counter below
      if (auto on = st->OptInt(5)) p.on = *on != 0;
      points.push_back(p);
    }
  }

  // The lifetime counter at the end of each point: the exact total now, less
  // the energy used after that point.
  auto total = [&]() -> Result<std::optional<long long>> {
    auto st = c.Prepare("SELECT wh FROM energy_totals WHERE device = ?");
    if (!st) return Fail(st.error());
    auto row = st->Bind(device).Step();
    if (!row) return Fail(row.error());
    if (!*row) return std::optional<long long>();
    return std::llround(st->Real(0) * 1000.0);
  }();
  if (!total) return Fail(total.error());
  if (*total) {
    auto later = QueryOptInt(c,
                             fmt::format("SELECT coalesce(sum(energy_mwh), 0) FROM {0} WHERE "
                                         "series = ? AND {1} > ?",
                                         r.table, r.key),
                             sid, hi);
    if (!later) return Fail(later.error());
    long long counter = **total - later->value_or(0);
    for (auto it = points.rbegin(); it != points.rend(); ++it) {
      if (!it->energy_mwh) continue;
      long long used = *it->energy_mwh;
      it->energy_mwh = counter;
      counter -= used;
    }
  } else {
    for (SeriesPoint& p : points) p.energy_mwh.reset();
  }

  if (points.size() > static_cast<std::size_t>(max_points)) {
    points = Downsample(points, from, to, max_points);
  }
  out.reserve(points.size());
  for (const SeriesPoint& p : points) out.push_back(ToReadingPoint(p));
  return out;
}

Result<std::map<std::string, boost::json::object>> SqliteStore::LoadStates() {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare("SELECT key, snapshot FROM detector_state");
  if (!st) return Fail(st.error());
  std::map<std::string, boost::json::object> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    std::string key = st->Text(0);
    auto snapshot =
        ParseObject(st->Text(1), fmt::format("{}: detector state of '{}'", reader_->path(), key));
    if (!snapshot) return Fail(snapshot.error());
    out.emplace(std::move(key), std::move(*snapshot));
  }
}

Result<std::map<std::string, double>> SqliteStore::LoadEnergyTotals() {
  std::lock_guard lk(read_mu_);
  auto st = reader_->Prepare("SELECT device, wh FROM energy_totals");
  if (!st) return Fail(st.error());
  std::map<std::string, double> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return Fail(row.error());
    if (!*row) return out;
    out.emplace(st->Text(0), st->Real(1));
  }
}

// --- retention ---

Result<CleanupStats> SqliteStore::Cleanup(TimePoint now, Duration raw_older_than,
                                          Duration minute_older_than) {
  CleanupStats stats;
  auto raw = DeleteOlder(kRaw.table, kRaw.key, UnixMillis(now - raw_older_than));
  if (!raw) return Fail(raw.error());
  stats.raw_readings_deleted = *raw;
  // Whole buckets only: a minute is deleted once it ended before the cutoff.
  auto minutes = DeleteOlder(kMinute.table, kMinute.key,
                             FloorDiv(UnixMillis(now - minute_older_than), kMinuteMs));
  if (!minutes) return Fail(minutes.error());
  stats.minute_rollups_deleted = *minutes;
  auto notifications = DeleteFinishedNotifications(UnixMillis(now - kFinishedNotificationsKept));
  if (!notifications) return Fail(notifications.error());
  stats.notifications_deleted = *notifications;
  std::lock_guard lk(read_mu_);
  auto events = QueryOptInt(*reader_, "SELECT count(*) FROM events");
  if (!events) return Fail(events.error());
  stats.events_kept = events->value_or(0);
  return stats;
}

Result<long long> SqliteStore::DeleteFinishedNotifications(long long cutoff) {
  long long deleted = 0;
  for (;;) {
    long long n = 0;
    auto r = writer_->Run([&](Connection& c) -> Result<void> {
      auto st = c.Prepare(
          "DELETE FROM notify_outbox WHERE id IN (SELECT id FROM notify_outbox "
          "WHERE state <> 'queued' AND updated_at < ? LIMIT ?)");
      if (!st) return Fail(st.error());
      if (auto d = st->Bind(cutoff, kCleanupChunk).Run(); !d) return d;
      n = c.Changes();
      return {};
    });
    if (!r) return Fail(r.error());
    deleted += n;
    if (n < kCleanupChunk) return deleted;
  }
}

Result<long long> SqliteStore::DeleteOlder(const char* table, const char* key, long long cutoff) {
  std::vector<long long> series;
  {
    std::lock_guard lk(read_mu_);
    auto st = reader_->Prepare("SELECT id FROM series ORDER BY id");
    if (!st) return Fail(st.error());
    for (;;) {
      auto row = st->Step();
      if (!row) return Fail(row.error());
      if (!*row) break;
      series.push_back(st->Int(0));
    }
  }
  // Per series along the primary key, at most kCleanupChunk rows per
  // transaction; the bound is the key of the chunk's last row.
  const std::string sql = fmt::format(
      "DELETE FROM {0} WHERE series = ?1 AND {1} < ?2 AND {1} <= coalesce((SELECT {1} FROM {0} "
      "WHERE series = ?1 AND {1} < ?2 ORDER BY {1} LIMIT 1 OFFSET ?3), ?2)",
      table, key);
  long long deleted = 0;
  std::size_t next = 0;
  while (next < series.size()) {
    auto r = writer_->Run([&](Connection& c) -> Result<void> {
      long long budget = kCleanupChunk;
      while (budget > 0 && next < series.size()) {
        auto st = c.Prepare(sql);
        if (!st) return Fail(st.error());
        if (auto d = st->Bind(series[next], cutoff, budget - 1).Run(); !d) return d;
        long long n = c.Changes();
        if (n < budget) ++next;  // this series has nothing older left
        deleted += n;
        budget -= n;
      }
      return {};
    });
    if (!r) return Fail(r.error());
  }
  return deleted;
}

}  // namespace sqlite
}  // namespace plugwatch::store
