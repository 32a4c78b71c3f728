// Writer: the store's one writing connection and the thread that owns it.
// Writes are queued and applied in batches, one IMMEDIATE transaction per
// batch (group commit). A batch closes at once when someone waits for one of
// its operations (an OnCommit, Run, Flush): whatever queues up while it
// commits forms the next batch, so waiting writers share commits instead of
// waiting for a timer. Writes nobody waits for are held until the oldest has
// waited commit_interval (or Options::max_batch are queued), which spares the
// disk a commit per reading. Each operation runs inside a savepoint, so a
// failing one is undone alone; after COMMIT, each operation's OnCommit runs
// on the writer thread with its own result, or with the batch's error.
//
// A reading also moves its device's lifetime energy total and the rollups
// (rollup.h) in the same transaction, so history, totals and aggregates never
// disagree after a crash.
//
// Thread-safe: Submit and Run may be called from any thread. The destructor
// commits everything queued, then joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "plugwatch/core/error.h"
#include "plugwatch/core/reading.h"
#include "plugwatch/store/sqlite/connection.h"
#include "plugwatch/store/sqlite/rollup.h"
#include "plugwatch/store/store.h"

namespace plugwatch::store::sqlite {

struct ReadingWrite {
  Reading reading;
  std::optional<double> lifetime_energy_wh;
};
struct EventWrite {
  long long id;
  long long ts_ms;
  std::string type;
  std::string device;
  std::string site;
  std::string data_json;
};
struct CycleWrite {
  CycleRecord cycle;
};
struct StateWrite {
  std::string key;
  std::string snapshot_json;
  long long at_ms;
};
// Heartbeats of a batch are merged per label (the latest wins, counts add
// up) and written once, before COMMIT. One write may carry many.
struct HeartbeatWrite {
  std::vector<HeartbeatRecord> heartbeats;
};
// Anything else, run on the writer's connection inside the batch transaction.
using Task = std::function<Result<void>(Connection&)>;
using WriteOp =
    std::variant<ReadingWrite, EventWrite, CycleWrite, StateWrite, HeartbeatWrite, Task>;

class Writer {
 public:
  struct Options {
    Duration commit_interval{50};
    std::size_t max_batch = 4096;
  };

  // Uses `conn` (open, configured and migrated; it must outlive the Writer)
  // from its own thread. `conn_mu`, when set, is held around every
  // transaction: readers that share the connection (":memory:") lock it too.
  Writer(Connection& conn, Options opts, std::mutex* conn_mu);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Submit(WriteOp op, OnCommit done);

  // Runs `task` in the next batch, closing that batch at once, and returns
  // its result once committed (or the commit's error). Called from the writer
  // thread (an OnCommit callback), it runs the task in a transaction of its
  // own right away instead of waiting for itself.
  Result<void> Run(Task task);

  // Returns once everything submitted before it is committed: the result of
  // the batch holding the call. Fails with kInternal on the writer thread,
  // where it would wait for itself.
  Result<void> Flush();

 private:
  struct Pending {
    WriteOp op;
    OnCommit done;
    bool urgent;  // someone waits for it
    std::chrono::steady_clock::time_point queued_at;
  };

  void Enqueue(WriteOp op, OnCommit done);
  void Loop();
  void RunBatch(std::vector<Pending>& batch);
  Result<void> ApplyInSavepoint(WriteOp& op);
  Result<void> Apply(ReadingWrite& w);
  Result<void> Apply(EventWrite& w);
  Result<void> Apply(CycleWrite& w);
  Result<void> Apply(StateWrite& w);
  Result<void> Apply(HeartbeatWrite& w);
  Result<void> Apply(Task& task);
  Result<void> FlushRollups();
  Result<void> FlushHeartbeats();
  Result<long long> SeriesId(const std::string& device);
  Result<std::optional<long long>> LastEnergyMwh(const std::string& device);
  // After a rollback: the caches may describe rows that no longer exist.
  void ForgetUncommitted();
  void NoteOutcome(const Result<void>& r);

  Connection& conn_;
  const Options opts_;
  std::mutex* const conn_mu_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  int urgent_ = 0;             // operations someone waits for; guarded by mu_
  bool stopping_ = false;      // guarded by mu_

  // Writer thread only.
  std::unordered_map<std::string, long long> series_;
  std::unordered_map<std::string, long long> energy_mwh_;  // lifetime counters, rounded
  RollupBatch rollups_;
  struct LabelBatch {
    HeartbeatRecord latest;
    long long count = 0;
    std::map<long long, long long> per_hour;  // unix hour → heartbeats
  };
  std::map<std::string, LabelBatch> heartbeats_;  // this batch's, by label
  bool failing_ = false;                          // the last batch failed: log recovery once

  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace plugwatch::store::sqlite
