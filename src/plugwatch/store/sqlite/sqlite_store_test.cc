#include "plugwatch/store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "plugwatch/store/sqlite/migration.h"

namespace plugwatch::store {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

namespace fs = std::filesystem;

// 2023-11-14T22:00:00Z: a whole hour, so rollup buckets line up with tests.
constexpr long long kT0 = 1'700'000'000'000LL - 1'700'000'000'000LL % 3'600'000;
TimePoint At(long long offset_ms) { return FromUnixMillis(kT0 + offset_ms); }

DeviceSpec Washer() {
  DeviceSpec d;
  d.id = "washer";
  d.name = "Washing machine";
  d.kind = "tapo";
  d.address = "192.168.1.50";
  d.username = "me@example.com";
  d.password = "secret";
  d.poll_interval = Duration(5000);
  ActivitySettings a;
  a.start_above_w = 8;
  a.stop_delay = Duration(120'000);
  a.price_per_kwh = 0.3;
  a.currency = "€";
  d.activity = a;
  return d;
}

Event MakeEvent(EventType type, std::string device, long long offset_ms) {
  Event e;
  e.ts = At(offset_ms);
  e.type = type;
  e.device = std::move(device);
  e.site = "home";
  e.data["power_w"] = 12.5;
  return e;
}

Reading MakeReading(std::string device, long long offset_ms, double power_w, bool on = true) {
  Reading r;
  r.device = std::move(device);
  r.at = At(offset_ms);
  r.reachable = true;
  r.power_w = power_w;
  r.relay_on = on;
  return r;
}

// Runs SQL on the file with a connection of its own, as another program would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

long long RawCount(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "plugwatch-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "plugwatch.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open(OpenOptions opts = {}) {
    auto s = OpenSqlite(path_, opts);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, DevicesRoundTripAndRevisionIsSeenByAnotherProcess) {
  auto a = Open();
  auto b = Open();  // a second connection pair on the file: another process
  auto rev0 = b->DevicesRevision();
  ASSERT_TRUE(rev0);

  ASSERT_TRUE(a->AddDevice(Washer(), "cli"));
  auto rev1 = b->DevicesRevision();
  ASSERT_TRUE(rev1);
  EXPECT_GT(*rev1, *rev0);

  auto got = b->GetDevice("washer");
  ASSERT_TRUE(got && *got);
  const StoredDevice& d = **got;
  EXPECT_EQ(d.source, "cli");
  EXPECT_EQ(d.spec.name, "Washing machine");
  EXPECT_EQ(d.spec.address, "192.168.1.50");
  EXPECT_EQ(d.spec.password, "secret");
  EXPECT_EQ(d.spec.poll_interval, Duration(5000));
  ASSERT_TRUE(d.spec.activity);
  EXPECT_EQ(d.spec.activity->start_above_w, 8);
  EXPECT_EQ(d.spec.activity->stop_delay, Duration(120'000));
  EXPECT_EQ(d.spec.activity->start_delay, Duration(10'000));
  EXPECT_EQ(d.spec.activity->currency, "€");
  EXPECT_TRUE(d.spec.enabled);
  EXPECT_EQ(d.created_at, d.updated_at);

  DeviceSpec fridge;
  fridge.id = "fridge";
  fridge.kind = "http";
  ASSERT_TRUE(a->AddDevice(fridge, "api"));
  auto all = b->ListDevices();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].spec.id, "fridge");
  EXPECT_FALSE((*all)[0].spec.activity);
  EXPECT_FALSE((*all)[0].spec.poll_interval);
  EXPECT_EQ((*all)[1].spec.id, "washer");

  ASSERT_TRUE(a->RemoveDevice("fridge"));
  EXPECT_GT(*b->DevicesRevision(), *rev1);
  EXPECT_FALSE(*b->GetDevice("fridge"));
}

TEST_F(SqliteStoreTest, AddingATakenIdFailsWithAlreadyExists) {
  auto s = Open();
  ASSERT_TRUE(s->AddDevice(Washer(), "cli"));
  auto r = s->AddDevice(Washer(), "api");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kAlreadyExists));
  EXPECT_EQ(r.error().message(),
            "device 'washer' already exists — choose another id or remove it first");
}

TEST_F(SqliteStoreTest, RemovingAnUnknownDeviceFailsWithNotFound) {
  auto s = Open();
  auto r = s->RemoveDevice("washer");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kNotFound));
  EXPECT_EQ(r.error().message(), "device 'washer' does not exist — see `plugwatch device list`");
}

TEST_F(SqliteStoreTest, UpsertChangesTheRevisionOnlyWhenTheDeviceChanges) {
  auto s = Open();
  ASSERT_TRUE(s->UpsertDevice(Washer(), "config"));
  long long rev = *s->DevicesRevision();
  ASSERT_TRUE(s->UpsertDevice(Washer(), "config"));
  EXPECT_EQ(*s->DevicesRevision(), rev);

  DeviceSpec changed = Washer();
  changed.address = "192.168.1.51";
  changed.activity.reset();
  ASSERT_TRUE(s->UpsertDevice(changed, "config"));
  EXPECT_GT(*s->DevicesRevision(), rev);
  auto d = s->GetDevice("washer");
  ASSERT_TRUE(d && *d);
  EXPECT_EQ((*d)->spec.address, "192.168.1.51");
  EXPECT_FALSE((*d)->spec.activity);
}

TEST_F(SqliteStoreTest, EventsGetIncreasingIdsAndRoundTrip) {
  auto s = Open();
  Event e1 = s->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 1000));
  Event e2 = s->RecordEvent(MakeEvent(EventType::kCycleFinished, "washer", 2000));
  Event e3 = s->RecordEvent(MakeEvent(EventType::kDeviceOffline, "fridge", 3000));
  EXPECT_GT(e1.id, 0);
  EXPECT_GT(e2.id, e1.id);
  EXPECT_GT(e3.id, e2.id);
  ASSERT_TRUE(s->Flush());

  auto all = s->QueryEvents({.since = At(0)});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, e3.id);  // newest first
  EXPECT_EQ((*all)[2].id, e1.id);
  EXPECT_EQ(ToJson((*all)[1]), ToJson(e2));

  auto by_type = s->QueryEvents({.since = At(0), .type = EventType::kCycleFinished});
  ASSERT_TRUE(by_type);
  EXPECT_THAT(*by_type, ElementsAre(Field(&Event::id, e2.id)));
  auto by_device = s->QueryEvents({.since = At(0), .device = "washer"});
  ASSERT_TRUE(by_device);
  EXPECT_THAT(*by_device, ElementsAre(Field(&Event::id, e2.id), Field(&Event::id, e1.id)));
  auto recent = s->QueryEvents({.since = At(1500)});
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 2u);
  auto limited = s->QueryEvents({.since = At(0), .limit = 1});
  ASSERT_TRUE(limited);
  EXPECT_THAT(*limited, ElementsAre(Field(&Event::id, e3.id)));
}

TEST_F(SqliteStoreTest, EventIdsContinueAfterReopenWithoutAGap) {
  long long last = 0;
  {
    auto s = Open();
    s->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 0));
    last = s->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 1)).id;
  }
  auto s = Open();
  EXPECT_EQ(s->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 2)).id, last + 1);
}

TEST_F(SqliteStoreTest, TwoProcessesWritingEventsNeverShareAnId) {
  auto a = Open();
  auto b = Open();
  std::set<long long> ids;
  std::atomic<int> failures = 0;
  auto count_failure = [&](const Result<void>& r) {
    if (!r) ++failures;
  };
  // More than one claimed block each, interleaved.
  for (int i = 0; i < 2500; ++i) {
    ids.insert(a->RecordEvent(MakeEvent(EventType::kDeviceActive, "a", i), count_failure).id);
    ids.insert(b->RecordEvent(MakeEvent(EventType::kDeviceActive, "b", i), count_failure).id);
  }
  ASSERT_TRUE(a->Flush());
  ASSERT_TRUE(b->Flush());
  EXPECT_EQ(ids.size(), 5000u);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM events"), 5000);
}

TEST_F(SqliteStoreTest, OnCommitRunsAfterTheWriteIsVisibleToOtherConnections) {
  auto s = Open();
  std::promise<bool> seen;
  Event e =
      s->RecordEvent(MakeEvent(EventType::kSwitchedOn, "washer", 0), [&](const Result<void>& r) {
        auto events = s->QueryEvents({.since = At(0)});
        seen.set_value(r && events && events->size() == 1);
      });
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_GT(e.id, 0);
}

TEST_F(SqliteStoreTest, CommitsWithinTheCommitIntervalWithoutFlush) {
  auto s = Open({.commit_interval = Duration(20)});
  std::promise<void> committed;
  s->RecordReading(MakeReading("washer", 0, 5), 1.0, [&](const Result<void>& r) {
    EXPECT_TRUE(r);
    committed.set_value();
  });
  EXPECT_EQ(committed.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST_F(SqliteStoreTest, FlushWaitsForEverythingQueuedBeforeIt) {
  // A commit interval far longer than the test: only Flush can commit.
  auto s = Open({.commit_interval = Duration(3'600'000)});
  for (int i = 0; i < 100; ++i) s->RecordReading(MakeReading("washer", i * 10'000, i), i * 0.5);
  ASSERT_TRUE(s->Flush());
  auto points = s->QueryReadings("washer", At(0), At(3'600'000), 1000);
  ASSERT_TRUE(points);
  EXPECT_EQ(points->size(), 100u);
}

TEST_F(SqliteStoreTest, DestructorCommitsWhatIsQueued) {
  {
    auto s = Open({.commit_interval = Duration(3'600'000)});
    s->RecordCycle({.device = "washer",
                    .site = "home",
                    .started_at = At(0),
                    .ended_at = At(60'000),
                    .duration_s = 60,
                    .energy_wh = 10,
                    .peak_w = 2000,
                    .cost = 0.003});
  }
  auto s = Open();
  auto cycles = s->QueryCycles(At(0), std::nullopt);
  ASSERT_TRUE(cycles);
  EXPECT_EQ(cycles->size(), 1u);
}

TEST_F(SqliteStoreTest, CyclesRoundTripNewestFirst) {
  auto s = Open();
  s->RecordCycle({.device = "washer",
                  .site = "home",
                  .started_at = At(0),
                  .ended_at = At(60'000),
                  .duration_s = 60,
                  .energy_wh = 10,
                  .peak_w = 2000,
                  .cost = 0.003});
  s->RecordCycle({.device = "dryer",
                  .site = "home",
                  .started_at = At(70'000),
                  .ended_at = At(90'000),
                  .duration_s = 20,
                  .energy_wh = 5,
                  .peak_w = 900,
                  .cost = 0.0015});
  ASSERT_TRUE(s->Flush());
  auto all = s->QueryCycles(At(0), std::nullopt);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].device, "dryer");
  EXPECT_EQ((*all)[1].device, "washer");
  EXPECT_EQ((*all)[1].ended_at, At(60'000));
  EXPECT_EQ((*all)[1].peak_w, 2000);
  EXPECT_DOUBLE_EQ((*all)[1].cost, 0.003);
  EXPECT_GT((*all)[1].id, 0);
  auto washer = s->QueryCycles(At(0), "washer");
  ASSERT_TRUE(washer);
  EXPECT_EQ(washer->size(), 1u);
  auto late = s->QueryCycles(At(80'000), std::nullopt);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->size(), 1u);
}

TEST_F(SqliteStoreTest, RawReadingsRoundTrip) {
  auto s = Open();
  s->RecordReading(MakeReading("washer", 0, 1.234), 100.0);
  s->RecordReading(MakeReading("washer", 10'000, 2000, true), 105.5);
  Reading off = MakeReading("washer", 20'000, 0, false);
  s->RecordReading(off, std::nullopt);
  Reading unreachable;
  unreachable.device = "washer";
  unreachable.at = At(30'000);
  s->RecordReading(unreachable, std::nullopt);
  s->RecordReading(MakeReading("fridge", 5'000, 80), 7.0);
  ASSERT_TRUE(s->Flush());

  auto p = s->QueryReadings("washer", At(0), At(60'000), 100);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[0].ts, At(0));
  EXPECT_DOUBLE_EQ(*(*p)[0].power_w, 1.234);
  EXPECT_DOUBLE_EQ(*(*p)[0].max_power_w, 1.234);
  EXPECT_DOUBLE_EQ(*(*p)[0].energy_wh, 100.0);
  EXPECT_EQ((*p)[0].on, true);
  EXPECT_DOUBLE_EQ(*(*p)[1].power_w, 2000);
  EXPECT_DOUBLE_EQ(*(*p)[1].energy_wh, 105.5);
  EXPECT_DOUBLE_EQ(*(*p)[2].power_w, 0);
  EXPECT_EQ((*p)[2].on, false);
  EXPECT_FALSE((*p)[2].energy_wh);
  EXPECT_FALSE((*p)[3].power_w);
  EXPECT_FALSE((*p)[3].on);

  auto none = s->QueryReadings("nobody", At(0), At(60'000), 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto bad = s->QueryReadings("washer", At(0), At(60'000), 0);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().Is(Errc::kInvalidArgument));
}

// Two hours of readings every 10 s; within minute m the six readings are
// m, m+10, …, m+50 W, and the lifetime counter grows by 0.5 Wh per reading.
class RollupTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    store_ = Open();
    for (int i = 0; i < 720; ++i) {
      int minute = i / 6;
      store_->RecordReading(MakeReading("washer", i * 10'000LL, minute + (i % 6) * 10.0),
                            1000.0 + (i + 1) * 0.5);
    }
    ASSERT_TRUE(store_->Flush());
  }
  std::unique_ptr<Store> store_;
};

TEST_F(RollupTest, KeepsMinuteAndHourBuckets) {
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM rollup_1m WHERE n = 6"), 120);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM rollup_1h WHERE n = 360"), 2);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM readings"), 720);
}

TEST_F(RollupTest, QueryUsesRawWhenItFits) {
  auto p = store_->QueryReadings("washer", At(0), At(7'200'000), 1000);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 720u);
  EXPECT_EQ((*p)[1].ts, At(10'000));
  EXPECT_DOUBLE_EQ(*(*p)[719].energy_wh, 1360.0);
}

TEST_F(RollupTest, QueryUsesMinutesWhenRawDoesNotFit) {
  auto p = store_->QueryReadings("washer", At(0), At(7'200'000), 200);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 120u);
  for (int m = 0; m < 120; ++m) {
    const ReadingPoint& pt = (*p)[m];
    EXPECT_EQ(pt.ts, At(m * 60'000LL));
    EXPECT_DOUBLE_EQ(*pt.power_w, m + 25.0) << m;
    EXPECT_DOUBLE_EQ(*pt.max_power_w, m + 50.0) << m;
    EXPECT_DOUBLE_EQ(*pt.energy_wh, 1000.0 + (m + 1) * 3.0) << m;
    EXPECT_EQ(pt.on, true);
  }
}

TEST_F(RollupTest, QueryUsesHoursWhenMinutesDoNotFit) {
  auto p = store_->QueryReadings("washer", At(0), At(7'200'000), 100);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].ts, At(0));
  EXPECT_DOUBLE_EQ(*(*p)[0].power_w, 29.5 + 25.0);  // mean of minutes 0..59
  EXPECT_DOUBLE_EQ(*(*p)[0].max_power_w, 59 + 50.0);
  EXPECT_DOUBLE_EQ(*(*p)[0].energy_wh, 1180.0);
  EXPECT_DOUBLE_EQ(*(*p)[1].power_w, 89.5 + 25.0);
  EXPECT_DOUBLE_EQ(*(*p)[1].energy_wh, 1360.0);
}

TEST_F(RollupTest, QueryDownsamplesHoursToMaxPoints) {
  auto p = store_->QueryReadings("washer", At(0), At(7'200'000), 1);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 1u);
  EXPECT_DOUBLE_EQ(*(*p)[0].power_w, 59.5 + 25.0);
  EXPECT_DOUBLE_EQ(*(*p)[0].max_power_w, 119 + 50.0);
  EXPECT_DOUBLE_EQ(*(*p)[0].energy_wh, 1360.0);
}

TEST_F(RollupTest, BucketsContinueAcrossReopen) {
  // The last minute gets a seventh reading from a new process.
  store_.reset();
  auto s = Open();
  s->RecordReading(MakeReading("washer", 7'195'000, 1000), 1400.0);
  ASSERT_TRUE(s->Flush());
  EXPECT_EQ(RawCount(path_, "SELECT n FROM rollup_1m ORDER BY minute DESC LIMIT 1"), 7);
  EXPECT_EQ(RawCount(path_, "SELECT power_max_mw FROM rollup_1h ORDER BY hour DESC LIMIT 1"),
            1'000'000);
  auto p = s->QueryReadings("washer", At(3'600'000), At(7'200'000), 10);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 1u);
  EXPECT_DOUBLE_EQ(*p->back().energy_wh, 1400.0);
}

TEST_F(RollupTest, CleanupDeletesOldRawAndMinutesAndKeepsHours) {
  store_->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 0));
  ASSERT_TRUE(store_->Flush());
  // Raw older than the second hour, minutes older than the last 30.
  auto stats = store_->Cleanup(At(7'200'000), Duration(3'600'000), Duration(1'800'000));
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->raw_readings_deleted, 360);
  EXPECT_EQ(stats->minute_rollups_deleted, 90);
  EXPECT_EQ(stats->events_kept, 1);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM readings"), 360);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM rollup_1m"), 30);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM rollup_1h"), 2);

  // The first hour now has no raw readings: a chart of it comes from the
  // hourly rollup even though the 360 raw points after it would fit.
  auto p = store_->QueryReadings("washer", At(0), At(7'200'000), 1000);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 2u);
  EXPECT_DOUBLE_EQ(*(*p)[0].energy_wh, 1180.0);
  auto recent = store_->QueryReadings("washer", At(3'600'000), At(7'200'000), 1000);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 360u);

  auto again = store_->Cleanup(At(7'200'000), Duration(3'600'000), Duration(1'800'000));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->raw_readings_deleted, 0);
  EXPECT_EQ(again->minute_rollups_deleted, 0);
}

TEST_F(SqliteStoreTest, CleanupWorksInChunksAcrossManyDevices) {
  auto s = Open();
  for (int d = 0; d < 3; ++d) {
    for (int i = 0; i < 4000; ++i) {
      s->RecordReading(MakeReading("plug" + std::to_string(d), i * 1000LL, 1), std::nullopt);
    }
  }
  ASSERT_TRUE(s->Flush());
  auto stats = s->Cleanup(At(4'000'000), Duration(500'000), Duration(3'600'000));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->raw_readings_deleted, 3 * 3500);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM readings"), 3 * 500);
}

TEST_F(SqliteStoreTest, CleanupDeletesFinishedNotificationsAfterThirtyDaysAndKeepsQueuedOnes) {
  auto s = Open();
  std::vector<OutboxEntry> rows;
  for (int i = 0; i < 4; ++i) {
    OutboxEntry e;
    e.sink = "phone";
    e.event_type = "power_lost";
    e.idempotency_key = "event-" + std::to_string(i);
    e.message_json = R"({"title":"t","text":"x"})";
    e.created_at = SystemClock().Now();
    e.next_attempt_at = e.created_at;
    rows.push_back(e);
  }
  auto ids = s->EnqueueNotifications(rows);
  ASSERT_TRUE(ids) << ids.error().message();
  const char* finished[] = {"delivered", "failed", "dropped"};
  for (int i = 0; i < 3; ++i) {
    OutboxEntry e = rows[static_cast<std::size_t>(i)];
    e.id = (*ids)[static_cast<std::size_t>(i)];
    e.state = finished[i];
    s->UpdateNotification(e);
  }
  ASSERT_TRUE(s->Flush());
  const TimePoint now = SystemClock().Now();

  auto soon = s->Cleanup(now, Duration(86'400'000), Duration(86'400'000));
  ASSERT_TRUE(soon) << soon.error().message();
  EXPECT_EQ(soon->notifications_deleted, 0);  // finished today: kept for `notify status`

  auto later = s->Cleanup(now + kFinishedNotificationsKept + Duration(60'000), Duration(86'400'000),
                          Duration(86'400'000));
  ASSERT_TRUE(later) << later.error().message();
  EXPECT_EQ(later->notifications_deleted, 3);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM notify_outbox WHERE state = 'queued'"), 1);
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM notify_outbox"), 1);
}

TEST_F(SqliteStoreTest, SameMillisecondReadingsKeepTheirEnergy) {
  auto s = Open();
  s->RecordReading(MakeReading("washer", 0, 10), 1.0);
  s->RecordReading(MakeReading("washer", 10'000, 10), 2.0);
  s->RecordReading(MakeReading("washer", 10'000, 20), 3.0);
  s->RecordReading(MakeReading("washer", 20'000, 20), 4.0);
  ASSERT_TRUE(s->Flush());
  auto p = s->QueryReadings("washer", At(0), At(30'000), 100);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_DOUBLE_EQ(*(*p)[0].energy_wh, 1.0);
  EXPECT_DOUBLE_EQ(*(*p)[1].energy_wh, 3.0);
  EXPECT_DOUBLE_EQ(*(*p)[1].power_w, 20);
  EXPECT_DOUBLE_EQ(*(*p)[2].energy_wh, 4.0);
}

TEST_F(SqliteStoreTest, DeviceStateAndEnergyTotalsPersistAcrossReopen) {
  {
    auto s = Open();
    boost::json::object snapshot;
    snapshot["state"] = "running";
    snapshot["since"] = 123;
    s->SaveState("washer", snapshot);
    snapshot["state"] = "idle";
    s->SaveState("washer", snapshot);
    s->RecordReading(MakeReading("washer", 0, 10), 12.25);
    s->RecordReading(MakeReading("washer", 10'000, 10), 12.5);
  }
  auto s = Open();
  auto states = s->LoadStates();
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at("washer").at("state"), "idle");
  EXPECT_EQ(states->at("washer").at("since"), 123);
  auto totals = s->LoadEnergyTotals();
  ASSERT_TRUE(totals);
  EXPECT_THAT(*totals, ElementsAre(std::pair<const std::string, double>("washer", 12.5)));
}

TEST_F(SqliteStoreTest, RemovingADeviceForgetsItsStateButKeepsItsHistory) {
  auto s = Open();
  ASSERT_TRUE(s->AddDevice(Washer(), "cli"));
  s->SaveState("washer", boost::json::object{{"state", "idle"}});
  s->RecordReading(MakeReading("washer", 0, 10), 1.0);
  ASSERT_TRUE(s->Flush());
  ASSERT_TRUE(s->RemoveDevice("washer"));
  EXPECT_TRUE(s->LoadStates()->empty());
  EXPECT_EQ(s->QueryReadings("washer", At(0), At(1000), 10)->size(), 1u);
  EXPECT_EQ(s->LoadEnergyTotals()->size(), 1u);
}

TEST_F(SqliteStoreTest, SynchronousCallsWorkFromOnCommit) {
  auto s = Open();
  std::promise<std::pair<bool, bool>> results;
  s->RecordReading(MakeReading("washer", 0, 1), std::nullopt, [&](const Result<void>&) {
    auto added = s->AddDevice(Washer(), "api");
    auto flushed = s->Flush();  // would wait for itself
    results.set_value({added.has_value(), !flushed && flushed.error().Is(Errc::kInternal)});
  });
  auto f = results.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto [added, flush_refused] = f.get();
  EXPECT_TRUE(added);
  EXPECT_TRUE(flush_refused);
  EXPECT_TRUE(*s->GetDevice("washer"));
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorks) {
  auto opened = OpenSqlite(":memory:");
  ASSERT_TRUE(opened) << opened.error().message();
  auto& s = *opened;
  ASSERT_TRUE(s->AddDevice(Washer(), "cli"));
  s->RecordReading(MakeReading("washer", 0, 10), 1.0);
  Event e = s->RecordEvent(MakeEvent(EventType::kDeviceActive, "washer", 0));
  ASSERT_TRUE(s->Flush());
  EXPECT_EQ(s->ListDevices()->size(), 1u);
  EXPECT_EQ(s->QueryReadings("washer", At(0), At(1000), 10)->size(), 1u);
  EXPECT_THAT(*s->QueryEvents({.since = At(0)}), ElementsAre(Field(&Event::id, e.id)));
}

TEST_F(SqliteStoreTest, FilesAreCreatedWithMode0600) {
  mode_t old = umask(022);
  auto s = Open();
  umask(old);
  s->RecordReading(MakeReading("washer", 0, 10), 1.0);
  ASSERT_TRUE(s->Flush());
  for (std::string suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(stat((path_ + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

TEST_F(SqliteStoreTest, ANonDatabaseFileGivesAClearError) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto s = OpenSqlite(path_);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().Is(Errc::kIo));
  EXPECT_EQ(s.error().message(), path_ +
                                     ": file is not a database — point storage.path at a "
                                     "plugwatch database or a new file");
}

TEST_F(SqliteStoreTest, AnotherProgramsDatabaseIsRefused) {
  RawExec(path_, "CREATE TABLE songs(title TEXT)");
  auto s = OpenSqlite(path_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), path_ +
                                     ": this SQLite database belongs to another program (it "
                                     "has no schema_migrations table) — point storage.path "
                                     "at a plugwatch database or a new file");
}

TEST_F(SqliteStoreTest, MigrationRunnerRefusesANewerSchema) {
  Open().reset();
  RawExec(path_, "INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)");
  auto s = OpenSqlite(path_);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().Is(Errc::kIo));
  EXPECT_EQ(s.error().message(),
            path_ + ": the database schema is version 999, newer than this plugwatch knows (" +
                std::to_string(sqlite::EmbeddedMigrations().back().version) +
                ") — run the newer plugwatch that wrote it, or restore a backup");
}

TEST_F(SqliteStoreTest, MigrationsRecordTheirVersionsOnce) {
  Open().reset();
  Open().reset();
  EXPECT_EQ(RawCount(path_, "SELECT count(*) FROM schema_migrations"),
            static_cast<long long>(sqlite::EmbeddedMigrations().size()));
}

TEST(Migrations, TheEmbeddedFilesAreNumberedOneByOne) {
  auto m = sqlite::ParseMigrations(embedded::SchemaMigrations());
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_FALSE(m->empty());
  for (size_t i = 0; i < m->size(); ++i) EXPECT_EQ((*m)[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ((*m)[0].name, "001_init");
  EXPECT_EQ(sqlite::EmbeddedMigrations().size(), m->size());
}

TEST(Migrations, MisnamedOrRepeatedFilesAreRefusedByName) {
  using embedded::EmbeddedFile;
  const EmbeddedFile ok[] = {{"010_b.sql", "B"}, {"002_a.sql", "A"}};
  auto m = sqlite::ParseMigrations(ok);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ((*m)[0].version, 2);
  EXPECT_EQ((*m)[0].name, "002_a");
  EXPECT_EQ((*m)[0].sql, "A");
  EXPECT_EQ((*m)[1].version, 10);
  for (const char* bad :
       {"init.sql", "001_Init.sql", "001-init.sql", "001_.sql", "001_init.txt", "_init.sql"}) {
    const EmbeddedFile files[] = {{bad, ""}};
    auto r = sqlite::ParseMigrations(files);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find(bad), std::string::npos);
  }
  const EmbeddedFile twice[] = {{"003_a.sql", ""}, {"3_b.sql", ""}};
  auto r = sqlite::ParseMigrations(twice);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("same version"), std::string::npos);
}

TEST_F(SqliteStoreTest, AMissingFileIsNotCreatedWhenCreateIsOff) {
  auto s = OpenSqlite(path_, {.create = false});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), path_ + ": the database file does not exist — check storage.path");
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(SqliteStoreTest, AMissingDirectoryGivesAClearError) {
  std::string path = (dir_ / "nope" / "plugwatch.db").string();
  auto s = OpenSqlite(path);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), path +
                                     ": cannot create the database file: No such file or "
                                     "directory — check that its directory exists and that "
                                     "plugwatch may write to it");
}

}  // namespace
}  // namespace plugwatch::store
