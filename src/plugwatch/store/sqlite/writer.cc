#include "plugwatch/store/sqlite/writer.h"

#include <cmath>
#include <exception>
#include <future>

#include "plugwatch/core/log.h"

namespace plugwatch::store::sqlite {
namespace {

long long Milli(double v) { return std::llround(v * 1000.0); }

// Rollup rows merge with what earlier batches (or an earlier run) stored.
// max(coalesce(a, b), coalesce(b, a)) is the larger of two maybe-NULL values.
constexpr const char* kUpsertMinute =
    "INSERT INTO rollup_1m(series, minute, n, power_sum_mw, power_max_mw, energy_mwh, on_last) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(series, minute) DO UPDATE SET "
    "n = n + excluded.n, power_sum_mw = power_sum_mw + excluded.power_sum_mw, "
    "power_max_mw = max(coalesce(power_max_mw, excluded.power_max_mw), "
    "coalesce(excluded.power_max_mw, power_max_mw)), "
    "energy_mwh = energy_mwh + excluded.energy_mwh, "
    "on_last = coalesce(excluded.on_last, on_last)";
constexpr const char* kUpsertHour =
    "INSERT INTO rollup_1h(series, hour, n, power_sum_mw, power_max_mw, energy_mwh, on_last) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(series, hour) DO UPDATE SET "
    "n = n + excluded.n, power_sum_mw = power_sum_mw + excluded.power_sum_mw, "
    "power_max_mw = max(coalesce(power_max_mw, excluded.power_max_mw), "
    "coalesce(excluded.power_max_mw, power_max_mw)), "
    "energy_mwh = energy_mwh + excluded.energy_mwh, "
    "on_last = coalesce(excluded.on_last, on_last)";

}  // namespace

Writer::Writer(Connection& conn, Options opts, std::mutex* conn_mu)
    : conn_(conn), opts_(opts), conn_mu_(conn_mu), thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void Writer::Submit(WriteOp op, OnCommit done) { Enqueue(std::move(op), std::move(done)); }

void Writer::Enqueue(WriteOp op, OnCommit done) {
  const bool urgent = static_cast<bool>(done);
  bool wake;
  {
    std::lock_guard lk(mu_);
    // The writer only needs waking when the batch's state changes: a first
    // operation starts the commit_interval clock, awaited or full ones end it.
    wake = queue_.empty() || urgent || queue_.size() + 1 >= opts_.max_batch;
    queue_.push_back({std::move(op), std::move(done), urgent, std::chrono::steady_clock::now()});
    if (urgent) ++urgent_;
  }
  if (wake) cv_.notify_one();
}

Result<void> Writer::Run(Task task) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    std::unique_lock<std::mutex> lk;
    if (conn_mu_) lk = std::unique_lock(*conn_mu_);
    if (auto r = conn_.Exec("BEGIN IMMEDIATE"); !r) return r;
    Result<void> r = task(conn_);
    if (r) r = conn_.Exec("COMMIT");
    if (!r && conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
    if (!r) ForgetUncommitted();
    return r;
  }
  std::promise<Result<void>> committed;
  auto result = committed.get_future();
  Enqueue(std::move(task), [&committed](const Result<void>& r) { committed.set_value(r); });
  return result.get();
}

Result<void> Writer::Flush() {
  if (std::this_thread::get_id() == thread_.get_id()) {
    return Fail(Errc::kInternal, "store: Flush from an OnCommit callback would wait for itself");
  }
  return Run([](Connection&) -> Result<void> { return {}; });
}

void Writer::Loop() {
  std::vector<Pending> batch;
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is committed
    cv_.wait_until(lk, queue_.front().queued_at + opts_.commit_interval,
                   [&] { return stopping_ || urgent_ > 0 || queue_.size() >= opts_.max_batch; });
    std::size_t n = std::min(queue_.size(), opts_.max_batch);
    for (std::size_t i = 0; i < n; ++i) {
      if (queue_.front().urgent) --urgent_;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lk.unlock();
    RunBatch(batch);
    batch.clear();
    lk.lock();
  }
}

void Writer::RunBatch(std::vector<Pending>& batch) {
  std::vector<Result<void>> results(batch.size());
  Result<void> outcome;
  {
    std::unique_lock<std::mutex> lk;
    if (conn_mu_) lk = std::unique_lock(*conn_mu_);
    outcome = conn_.Exec("BEGIN IMMEDIATE");
    for (std::size_t i = 0; outcome && i < batch.size(); ++i) {
      results[i] = ApplyInSavepoint(batch[i].op);
      // SQLite rolls the whole transaction back by itself after some errors
      // (disk full, I/O); the rest of the batch must not run outside it.
      if (!conn_.InTransaction()) {
        outcome = results[i]
                      ? Fail(Errc::kIo, conn_.path() + ": the transaction ended unexpectedly")
                      : results[i];
      }
    }
    if (outcome) outcome = FlushRollups();
    if (outcome) outcome = FlushHeartbeats();
    if (outcome) outcome = conn_.Exec("COMMIT");
    if (!outcome) {
      if (conn_.InTransaction()) (void)conn_.Exec("ROLLBACK");
      ForgetUncommitted();
    }
  }
  NoteOutcome(outcome);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    // A throwing callback is a bug elsewhere; it must not take the store's
    // only writer down with it.
    try {
      batch[i].done(outcome ? results[i] : outcome);
    } catch (const std::exception& e) {
      log::error("store: an OnCommit callback threw: {}", e.what());
    }
  }
}

void Writer::NoteOutcome(const Result<void>& r) {
  // Once per failure streak: a failing disk fails every batch, many a second.
  if (!r && !failing_) log::error("store: writes are failing: {}", r.error().message());
  if (r && failing_) log::info("store: writes succeed again");
  failing_ = !r;
}

Result<void> Writer::ApplyInSavepoint(WriteOp& op) {
  // Prepared once: sqlite3_exec would parse these three for every write.
  auto run = [this](const char* sql) -> Result<void> {
    auto st = conn_.Prepare(sql);
    if (!st) return Fail(st.error());
    return st->Run();
  };
  // A heartbeat only updates this batch's summary: no SQL to undo.
  if (auto* hb = std::get_if<HeartbeatWrite>(&op)) return Apply(*hb);
  if (auto r = run("SAVEPOINT op"); !r) return r;
  Result<void> r = std::visit([this](auto& o) { return Apply(o); }, op);
  if (!r && conn_.InTransaction()) (void)run("ROLLBACK TO op");
  if (conn_.InTransaction()) {
    if (auto released = run("RELEASE op"); !released && r) return released;
  }
  return r;
}

Result<long long> Writer::SeriesId(const std::string& device) {
  if (auto it = series_.find(device); it != series_.end()) return it->second;
  auto insert =
      conn_.Prepare("INSERT INTO series(device) VALUES (?) ON CONFLICT(device) DO NOTHING");
  if (!insert) return Fail(insert.error());
  if (auto r = insert->Bind(device).Run(); !r) return Fail(r.error());
  auto select = conn_.Prepare("SELECT id FROM series WHERE device = ?");
  if (!select) return Fail(select.error());
  auto row = select->Bind(device).Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(Errc::kInternal, "store: series of '" + device + "' vanished");
  return series_[device] = select->Int(0);
}

Result<std::optional<long long>> Writer::LastEnergyMwh(const std::string& device) {
  if (auto it = energy_mwh_.find(device); it != energy_mwh_.end()) return it->second;
  auto st = conn_.Prepare("SELECT wh FROM energy_totals WHERE device = ?");
  if (!st) return Fail(st.error());
  auto row = st->Bind(device).Step();
  if (!row) return Fail(row.error());
  if (!*row) return std::optional<long long>();
  return energy_mwh_[device] = Milli(st->Real(0));
}

Result<void> Writer::Apply(ReadingWrite& w) {
  const Reading& r = w.reading;
  auto series = SeriesId(r.device);
  if (!series) return Fail(series.error());
  std::optional<long long> power_mw;
  if (r.power_w) power_mw = Milli(*r.power_w);

  // The energy used since the previous reading. Taking differences of the
  // rounded counter (never rounding each difference) keeps the sum of all
  // rows exactly equal to the counter, however many rows there are.
  std::optional<long long> counter_mwh;
  std::optional<long long> energy_mwh;
  if (w.lifetime_energy_wh) {
    auto last = LastEnergyMwh(r.device);
    if (!last) return Fail(last.error());
    counter_mwh = Milli(*w.lifetime_energy_wh);
    energy_mwh = *last ? *counter_mwh - **last : 0;
  }

  // Two readings of one device in the same millisecond: the later one wins,
  // and the energy of both stays counted.
  auto insert = conn_.Prepare(
      "INSERT INTO readings(series, ts, power_mw, energy_mwh, relay_on, reachable) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(series, ts) DO UPDATE SET "
      "power_mw = excluded.power_mw, relay_on = excluded.relay_on, "
      "reachable = excluded.reachable, energy_mwh = CASE WHEN excluded.energy_mwh IS NULL "
      "THEN energy_mwh ELSE coalesce(energy_mwh, 0) + excluded.energy_mwh END");
  if (!insert) return Fail(insert.error());
  auto inserted =
      insert->Bind(*series, UnixMillis(r.at), power_mw, energy_mwh, r.relay_on, r.reachable).Run();
  if (!inserted) return inserted;

  if (w.lifetime_energy_wh) {
    auto total = conn_.Prepare(
        "INSERT INTO energy_totals(device, wh) VALUES (?, ?) "
        "ON CONFLICT(device) DO UPDATE SET wh = excluded.wh");
    if (!total) return Fail(total.error());
    if (auto t = total->Bind(r.device, *w.lifetime_energy_wh).Run(); !t) return t;
    energy_mwh_[r.device] = *counter_mwh;
  }
  rollups_.Add(*series, UnixMillis(r.at), power_mw, energy_mwh, r.relay_on);
  return {};
}

Result<void> Writer::Apply(EventWrite& w) {
  auto st = conn_.Prepare(
      "INSERT INTO events(id, ts, type, device, site, data) VALUES (?, ?, ?, ?, ?, ?)");
  if (!st) return Fail(st.error());
  return st->Bind(w.id, w.ts_ms, w.type, w.device, w.site, w.data_json).Run();
}

Result<void> Writer::Apply(CycleWrite& w) {
  const CycleRecord& c = w.cycle;
  auto st = conn_.Prepare(
      "INSERT INTO cycles(device, site, started_at, ended_at, duration_s, energy_wh, peak_w, "
      "cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return Fail(st.error());
  return st
      ->Bind(c.device, c.site, UnixMillis(c.started_at), UnixMillis(c.ended_at), c.duration_s,
             c.energy_wh, c.peak_w, c.cost)
      .Run();
}

Result<void> Writer::Apply(StateWrite& w) {
  auto st = conn_.Prepare(
      "INSERT INTO detector_state(key, snapshot, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT(key) DO UPDATE SET snapshot = excluded.snapshot, "
      "updated_at = excluded.updated_at");
  if (!st) return Fail(st.error());
  return st->Bind(w.key, w.snapshot_json, w.at_ms).Run();
}

Result<void> Writer::Apply(Task& task) { return task(conn_); }

Result<void> Writer::Apply(HeartbeatWrite& w) {
  LabelBatch* b = nullptr;
  for (HeartbeatRecord& h : w.heartbeats) {
    // Heartbeats come in runs of one label: look it up once per run.
    if (!b || b->latest.label != h.label) b = &heartbeats_[h.label];
    ++b->per_hour[FloorDiv(UnixMillis(h.received_at), kHourMs)];
    if (b->count == 0 || h.received_at >= b->latest.received_at) b->latest = std::move(h);
    ++b->count;
  }
  return {};
}

Result<void> Writer::FlushHeartbeats() {
  if (heartbeats_.empty()) return {};
  auto latest = conn_.Prepare(
      "INSERT INTO heartbeat_labels(label, received_at, client_ts, remote, received) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(label) DO UPDATE SET "
      "received = received + excluded.received, "
      "client_ts = iif(excluded.received_at >= received_at, excluded.client_ts, client_ts), "
      "remote = iif(excluded.received_at >= received_at, excluded.remote, remote), "
      "received_at = max(received_at, excluded.received_at)");
  if (!latest) return Fail(latest.error());
  auto checks = conn_.Prepare(
      "INSERT INTO checks(kind, scope, hour, checks, failures) VALUES ('label', ?, ?, ?, 0) "
      "ON CONFLICT(kind, scope, hour) DO UPDATE SET checks = checks + excluded.checks");
  if (!checks) return Fail(checks.error());
  for (const auto& [label, b] : heartbeats_) {
    std::optional<long long> client;
    if (b.latest.client_ts) client = UnixMillis(*b.latest.client_ts);
    if (auto r =
            latest->Bind(label, UnixMillis(b.latest.received_at), client, b.latest.remote, b.count)
                .Run();
        !r)
      return r;
    for (const auto& [hour, n] : b.per_hour)
      if (auto r = checks->Bind(label, hour, n).Run(); !r) return r;
  }
  heartbeats_.clear();
  return {};
}

Result<void> Writer::FlushRollups() {
  auto upsert = [this](const char* sql, const RollupBatch::Buckets& buckets) -> Result<void> {
    auto st = conn_.Prepare(sql);
    if (!st) return Fail(st.error());
    for (const auto& [key, b] : buckets) {
      auto r = st->Bind(key.first, key.second, b.n, b.power_sum_mw, b.power_max_mw, b.energy_mwh,
                        b.on_last)
                   .Run();
      if (!r) return r;
    }
    return {};
  };
  Result<void> r = upsert(kUpsertMinute, rollups_.minutes());
  if (r) r = upsert(kUpsertHour, rollups_.hours());
  rollups_.Clear();
  return r;
}

void Writer::ForgetUncommitted() {
  series_.clear();
  energy_mwh_.clear();
  rollups_.Clear();
  heartbeats_.clear();
}

}  // namespace plugwatch::store::sqlite
