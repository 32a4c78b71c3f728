// Store: the one interface to plugwatch's history and state (devices,
// readings with rollups, events, cycles, outages, heartbeats, check counts,
// detector snapshots, lifetime energy totals). SQLite is the embedded default (store/sqlite/);
// PostgreSQL later.
//
// Threading: writes are queued to the store's own writer thread and
// group-committed (one transaction per batch); OnCommit callbacks run on that
// thread after the batch is durable (or failed). Reads run on the caller's
// thread through a separate connection and see committed data only. All
// methods are thread-safe. Several processes (the service and `plugwatch
// device …`) may open the same database at once.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/error.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::store {

struct CycleRecord {
  long long id = 0;
  std::string device;
  std::string site;
  TimePoint started_at{};
  TimePoint ended_at{};
  double duration_s = 0;
  double energy_wh = 0;
  double peak_w = 0;
  double cost = 0;
};

// One point of a power chart: a raw reading or a rollup bucket.
struct ReadingPoint {
  TimePoint ts{};
  std::optional<double> power_w;  // mean over the bucket for rollups
  std::optional<double> max_power_w;
  std::optional<double> energy_wh;  // plugwatch's lifetime counter at the end of the bucket
  std::optional<bool> on;
};

struct EventQuery {
  TimePoint since{};
  std::optional<EventType> type;
  std::optional<std::string> device;
  int limit = 1000;  // newest first
};

struct CleanupStats {
  long long raw_readings_deleted = 0;
  long long minute_rollups_deleted = 0;
  long long notifications_deleted = 0;  // finished outbox rows past kFinishedNotificationsKept
  long long events_kept = 0;
};

// Delivered, failed and dropped notifications stay this long for `notify
// status`, then Cleanup deletes them. Queued ones are never deleted by it.
inline constexpr Duration kFinishedNotificationsKept{30LL * 86'400'000};

// A power outage of a site (cause "quorum") or of a heartbeat label (cause
// "heartbeat").
struct OutageRecord {
  long long id = 0;
  std::string site;
  std::string label;  // "" for quorum outages
  std::string cause;  // "heartbeat" | "quorum"
  TimePoint started_at{};
  std::optional<TimePoint> ended_at;  // nullopt while it goes on
  std::vector<std::string> devices;   // quorum: the devices found unreachable
};

struct HeartbeatRecord {
  std::string label;
  TimePoint received_at{};  // the server's clock: this is what counts
  std::optional<TimePoint> client_ts;
  std::string remote;  // the sender's address
};

// Checks in a window: kind "site" counts polls of the site's quorum devices
// (failures: failed polls), kind "label" counts received heartbeats.
struct CheckCount {
  long long checks = 0;
  long long failures = 0;
};

struct StoredDevice {
  DeviceSpec spec;
  std::string source;  // "config" | "cli" | "api"
  TimePoint created_at{};
  TimePoint updated_at{};
};

// One outbox row: a rendered message for one recipient of one sink
// (migrations/003_notify.sql, notify/outbox.h).
struct OutboxEntry {
  long long id = 0;
  std::string sink;
  std::string recipient;  // "" = the sink's own target
  std::string event_type;
  std::string idempotency_key;  // unique per (sink, recipient)
  std::string message_json;     // notify::Message as JSON
  TimePoint created_at{};
  std::string state = "queued";  // queued | delivered | failed | dropped
  int attempts = 0;
  TimePoint next_attempt_at{};
  std::string last_error;
};

// `notify status`: rows per state of one sink.
struct OutboxCounts {
  std::string sink;
  long long queued = 0;
  long long delivered = 0;
  long long failed = 0;
  long long dropped = 0;
  std::string last_error;  // of the sink's newest row that has one
};

// A chat that pressed /start in the Telegram bot (migrations/004_telegram.sql).
struct TelegramSubscriber {
  long long chat_id = 0;
  long long user_id = 0;
  std::string first_name;
  std::string username;
  std::optional<std::string> language;  // chosen in the bot; nullopt = not chosen
  std::string language_code;            // Telegram's, from the user's client
  bool power = true;                    // topic "power": power_lost / power_restored
  bool appliances = true;               // topic "appliances": the other events
  bool night_sound = true;              // false: quiet hours deliver without sound
  bool subscribed = true;               // false after /stop or when the chat is gone
  TimePoint created_at{};
  TimePoint updated_at{};

  bool operator==(const TelegramSubscriber&) const = default;
};

using OnCommit = std::function<void(const Result<void>&)>;

class Store {
 public:
  virtual ~Store() = default;

  // --- devices (synchronous, committed on return) ---
  // Fails with kAlreadyExists when the id is taken.
  virtual Result<void> AddDevice(const DeviceSpec& d, std::string_view source) = 0;
  // Inserts or replaces (the config file's devices at start-up).
  virtual Result<void> UpsertDevice(const DeviceSpec& d, std::string_view source) = 0;
  // Fails with kNotFound.
  virtual Result<void> RemoveDevice(std::string_view id) = 0;
  virtual Result<std::optional<StoredDevice>> GetDevice(std::string_view id) = 0;
  virtual Result<std::vector<StoredDevice>> ListDevices() = 0;
  // Changes whenever any process adds, changes or removes a device; cheap to
  // poll (the service checks it every second).
  virtual Result<long long> DevicesRevision() = 0;

  // --- write path (queued, group-committed) ---
  // Assigns e.id immediately (monotonic, unique in this database) and queues
  // the write; returns the event with its id.
  virtual Event RecordEvent(Event e, OnCommit done = {}) = 0;
  // lifetime_energy_wh: plugwatch's own counter after this reading.
  virtual void RecordReading(const Reading& r, std::optional<double> lifetime_energy_wh,
                             OnCommit done = {}) = 0;
  virtual void RecordCycle(const CycleRecord& c, OnCommit done = {}) = 0;
  // Detector state, replaced on each call; restored at start. key: a device
  // id, "label:<label>" or "site:<site>".
  virtual void SaveState(std::string_view key, boost::json::object snapshot) = 0;
  // Keeps each label's latest heartbeat and counts each as a check of its
  // label. Many heartbeats (of any labels) are one write: stored in the same
  // transaction, `done` called once.
  virtual void RecordHeartbeats(std::vector<HeartbeatRecord> hs, OnCommit done = {}) = 0;
  void RecordHeartbeat(const HeartbeatRecord& h, OnCommit done = {}) {
    RecordHeartbeats({h}, std::move(done));
  }
  // Opens an outage (ended_at unset), or closes the open outage of the same
  // site, label and cause (ended_at set; devices, when given, replace the
  // stored ones). A closed outage with no open one to close is stored whole,
  // and opening one that is already open changes nothing.
  virtual void RecordOutage(const OutageRecord& o, OnCommit done = {}) = 0;
  // Adds to the check counts of the hour holding `at`.
  virtual void RecordChecks(std::string_view kind, std::string_view scope, TimePoint at,
                            CheckCount add) = 0;
  // Blocks until everything queued before the call is committed.
  virtual Result<void> Flush() = 0;

  // --- notification outbox (store/sqlite/outbox.cc) ---
  // Inserts rows (state queued) and returns once they are committed, with
  // their ids (0 for a row whose (sink, recipient, idempotency_key) was
  // already queued: an event replayed after a restart is not sent twice).
  virtual Result<std::vector<long long>> EnqueueNotifications(std::vector<OutboxEntry> rows) = 0;
  // Changes a row's state, attempts, next_attempt_at and last_error.
  virtual void UpdateNotification(const OutboxEntry& row, OnCommit done = {}) = 0;
  // kMoved: queued rows for `from` go to `to`. kRecipientGone: `to` empty
  // marks them dropped. Committed on return; returns the rows changed.
  virtual Result<long long> MoveNotifications(std::string_view sink, std::string_view from,
                                              std::string_view to, std::string_view why) = 0;
  // Queued rows, oldest first.
  virtual Result<std::vector<OutboxEntry>> QueuedNotifications(int limit) = 0;
  virtual Result<std::vector<OutboxCounts>> NotificationCounts() = 0;

  // --- Telegram bot (store/sqlite/telegram.cc) ---
  // Inserts or replaces subscribers, keeping each one's created_at when it
  // exists; committed on return (one transaction). created_at/updated_at
  // unset are taken as now.
  virtual Result<void> SaveSubscribers(const std::vector<TelegramSubscriber>& subs) = 0;
  // Every subscriber row, subscribed or not, by chat id.
  virtual Result<std::vector<TelegramSubscriber>> ListSubscribers() = 0;
  // A chat got a new id (group → supergroup): the row moves to `to`,
  // replacing any row there. kNotFound when `from` has no row.
  virtual Result<void> MoveSubscriber(long long from, long long to) = 0;
  // Changes whenever any process saves or moves a subscriber; cheap to poll.
  virtual Result<long long> SubscribersRevision() = 0;
  // The next getUpdates offset (0 before the first update was handled).
  virtual Result<long long> TelegramOffset() = 0;
  // Committed on return.
  virtual Result<void> SaveTelegramOffset(long long offset) = 0;

  // --- reads ---
  virtual Result<std::vector<Event>> QueryEvents(const EventQuery& q) = 0;
  virtual Result<std::vector<CycleRecord>> QueryCycles(TimePoint since,
                                                       std::optional<std::string> device) = 0;
  // At most max_points points between since and until, from raw readings or
  // the 1-minute or 1-hour rollups, whichever is the finest that fits.
  virtual Result<std::vector<ReadingPoint>> QueryReadings(std::string_view device, TimePoint since,
                                                          TimePoint until, int max_points) = 0;
  // Outages that overlap [since, now] (ongoing ones always), newest first.
  virtual Result<std::vector<OutageRecord>> QueryOutages(TimePoint since, bool ongoing_only) = 0;
  // Check counts of the hours that overlap [since, until].
  virtual Result<CheckCount> QueryChecks(std::string_view kind, std::string_view scope,
                                         TimePoint since, TimePoint until) = 0;
  // The receive time of the label's last stored heartbeat.
  virtual Result<std::optional<TimePoint>> LastHeartbeat(std::string_view label) = 0;
  virtual Result<std::map<std::string, boost::json::object>> LoadStates() = 0;
  virtual Result<std::map<std::string, double>> LoadEnergyTotals() = 0;  // Wh per device

  // Deletes raw readings older than `now - raw_older_than`, 1-minute
  // rollups older than `now - minute_older_than` and outbox rows finished
  // more than kFinishedNotificationsKept ago; hourly rollups, events,
  // cycles, outages, check counts and queued notifications stay.
  virtual Result<CleanupStats> Cleanup(TimePoint now, Duration raw_older_than,
                                       Duration minute_older_than) = 0;
};

struct OpenOptions {
  bool create = true;            // create the file (mode 0600) if missing
  Duration commit_interval{50};  // group commit: at most this long between commits
};

// Opens (creating if allowed) and migrates the database. Fails with kIo and a
// message naming the file and the SQLite error ("… is locked by another
// process; …", "… is not a plugwatch database").
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& opts = {});

}  // namespace plugwatch::store
