#include "plugwatch/engine/service.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <cstdio>
#include <set>

#include "plugwatch/core/log.h"
#include "plugwatch/core/time.h"
#include "plugwatch/devices/driver.h"
#include "plugwatch/engine/event_line.h"

namespace plugwatch::engine {

namespace asio = boost::asio;

struct Service::Ticker {
  explicit Ticker(asio::io_context& io) : timer(io), deadline(io) {}
  asio::steady_timer timer;
  asio::steady_timer deadline;  // the next heartbeat label's silence
  std::optional<TimePoint> deadline_at;
  bool stopped = false;
};

Service::Service(asio::io_context& io, config::Config cfg, std::unique_ptr<store::Store> store,
                 const Clock& clock, ServiceOptions opts)
    : io_(io),
      cfg_(std::move(cfg)),
      store_(std::move(store)),
      clock_(clock),
      opts_(opts),
      poller_(io.get_executor(), clock, [this](const Reading& r) { HandleReading(r); }),
      power_(cfg_),
      ticker_(std::make_shared<Ticker>(io)) {}

Service::~Service() { Shutdown(); }

Result<void> Service::Start() {
  if (auto r = SyncConfigDevices(); !r) return r;
  if (opts_.print_events)
    bus_.OnEvent([](const Event& e) {
      std::fputs((FormatEventLine(e) + "\n").c_str(), stdout);
      std::fflush(stdout);
    });
  auto states = store_->LoadStates();
  if (!states) return Fail(states.error());
  power_.Restore(*states);
  ReplayHeartbeats();
  if (auto r = ReconcileDevices(&*states); !r) return r;
  power_saved_ = clock_.Now();
  log::info("plugwatch: monitoring {} device(s), database {}", devices_.size(), cfg_.storage.path);
  ScheduleTick();
  ArmDeadline();
  return {};
}

void Service::Shutdown() {
  if (ticker_->stopped) return;
  ticker_->stopped = true;
  ticker_->timer.cancel();
  ticker_->deadline.cancel();
  poller_.StopAll();
  const TimePoint now = clock_.Now();
  for (auto& [id, d] : devices_) SaveSnapshot(d, now);
  SavePowerState();
  FlushChecks(now);
  if (auto r = store_->Flush(); !r) log::error("shutdown: {}", r.error().context);
}

std::optional<DeviceState> Service::State(const std::string& device) const {
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  return it->second.monitor->state();
}

void Service::ForEachDevice(
    const std::function<void(const DeviceSpec&, const DeviceState&)>& visit) const {
  for (const auto& [id, d] : devices_) visit(d.spec, d.monitor->state());
}

Result<void> Service::SyncConfigDevices() {
  std::set<std::string> declared;
  for (const auto& spec : cfg_.devices) {
    declared.insert(spec.id);
    if (auto r = store_->UpsertDevice(spec, "config"); !r) return r;
  }
  // A device that was declared in the config file and is no longer there is
  // gone; devices added with the CLI or the API stay.
  auto stored = store_->ListDevices();
  if (!stored) return Fail(stored.error());
  for (const auto& d : *stored)
    if (d.source == "config" && !declared.contains(d.spec.id)) {
      log::info("device {}: removed from the config file; no longer monitored", d.spec.id);
      if (auto r = store_->RemoveDevice(d.spec.id); !r) return r;
    }
  return {};
}

Result<void> Service::ReconcileDevices(const std::map<std::string, boost::json::object>* states) {
  auto rev = store_->DevicesRevision();
  if (!rev) return Fail(rev.error());
  if (*rev == devices_rev_) return {};
  auto stored = store_->ListDevices();
  if (!stored) return Fail(stored.error());
  const bool first = devices_rev_ < 0;
  devices_rev_ = *rev;

  static const std::map<std::string, boost::json::object> kNone;
  if (!states) states = &kNone;
  std::map<std::string, double> totals;
  if (first) {
    if (auto t = store_->LoadEnergyTotals())
      totals = std::move(*t);
    else
      return Fail(t.error());
  }

  std::set<std::string> wanted;
  for (const auto& sd : *stored) {
    const DeviceSpec& spec = sd.spec;
    if (!spec.enabled) continue;
    wanted.insert(spec.id);
    auto it = devices_.find(spec.id);
    if (it != devices_.end()) {
      // Unchanged devices keep polling undisturbed; a changed one restarts with
      // its detector state carried over.
      if (it->second.spec == spec) continue;
      auto snap = it->second.monitor->Snapshot();
      double wh = it->second.monitor->state().lifetime_energy_wh;
      StartDevice(spec, &snap, wh);
      log::info("device {}: changed; polling with the new settings", spec.id);
      continue;
    }
    // A device new to this process: at start-up from the maps loaded above;
    // later (added by the CLI) it has no saved state yet.
    auto st = states->find(spec.id);
    auto tot = totals.find(spec.id);
    StartDevice(spec, st == states->end() ? nullptr : &st->second,
                tot == totals.end() ? 0.0 : tot->second);
  }
  for (auto it = devices_.begin(); it != devices_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    log::info("device {}: removed or disabled; no longer polled", it->first);
    poller_.Remove(it->first);
    EmitPower(power_.RemoveDevice(it->first, clock_.Now()));
    it = devices_.erase(it);
  }
  return {};
}

void Service::StartDevice(const DeviceSpec& spec, const boost::json::object* snapshot,
                          double energy_wh) {
  devices::DriverContext ctx{io_.get_executor(), cfg_.defaults.request_timeout, &clock_};
  auto driver = devices::MakeDriver(spec, ctx);
  if (!driver) {
    log::error("device {}: {}", spec.id, driver.error().context);
    return;
  }
  const int confirm = cfg_.Site(spec.site).confirm_checks;
  Device d;
  d.spec = spec;
  d.monitor = std::make_unique<DeviceMonitor>(
      snapshot ? DeviceMonitor::Restore(spec, confirm, energy_wh, *snapshot)
               : DeviceMonitor(spec, confirm, energy_wh));
  log::info("device {}: {} every {}", spec.id, (*driver)->Describe(),
            FormatDuration(cfg_.PollInterval(spec)));
  d.power_reachable = d.monitor->confirmed_reachable();
  devices_[spec.id] = std::move(d);
  poller_.Add(std::move(*driver), cfg_.PollInterval(spec));
  EmitPower(power_.SetDevice(spec, devices_[spec.id].power_reachable, clock_.Now()));
}

void Service::HandleReading(const Reading& r) {
  auto it = devices_.find(r.device);
  if (it == devices_.end()) return;
  Device& d = it->second;
  auto events = d.monitor->OnReading(r);
  bus_.Publish(r);

  const auto& st = d.monitor->state();
  const bool changed = st.reachable != d.last_reachable || st.on != d.last_on || !events.empty();
  if (changed || r.at - d.last_recorded >= opts_.record_every) {
    store_->RecordReading(
        r, r.reachable ? std::optional<double>(st.lifetime_energy_wh) : std::nullopt);
    d.last_recorded = r.at;
    d.last_reachable = st.reachable;
    d.last_on = st.on;
  }
  if (!r.reachable && r.error && changed) log::warn("device {}: {}", r.device, r.error->context);
  // The quorum counts a device from when its change began (device_offline is
  // dated at the first failed poll), not from when it was confirmed.
  TimePoint changed_at = r.at;
  for (const auto& e : events)
    if (e.type == EventType::kDeviceOffline || e.type == EventType::kDeviceOnline)
      changed_at = e.ts;
  Emit(std::move(events), d);
  if (d.spec.in_quorum) {
    auto& checks = site_checks_[d.spec.site];
    ++checks.checks;
    if (!r.reachable) ++checks.failures;
  }
  if (auto confirmed = d.monitor->confirmed_reachable(); confirmed != d.power_reachable) {
    d.power_reachable = confirmed;
    EmitPower(power_.SetDevice(d.spec, confirmed, changed_at));
  }
  if (d.monitor->cycle_running() || r.at - d.last_snapshot >= opts_.snapshot_every)
    SaveSnapshot(d, r.at);
}

bool Service::ClaimedByOtherProcess(const Event& e, Device& d) {
  // `plugwatch device on|off` switches the plug from another process and
  // records the event itself; this service only sees the relay change. Each
  // such event explains exactly one change, so it is claimed once.
  store::EventQuery q;
  q.since = e.ts - 2 * cfg_.PollInterval(d.spec) - Duration(5000);
  q.type = e.type;
  q.device = e.device;
  q.limit = 1;
  auto recent = store_->QueryEvents(q);
  if (!recent || recent->empty()) return false;
  const Event& last = recent->front();
  auto* source = last.data.if_contains("source");
  if (!source || !source->is_string() || source->as_string() == "device") return false;
  if (last.id <= d.last_claimed_event_id) return false;
  d.last_claimed_event_id = last.id;
  return true;
}

void Service::Emit(std::vector<Event> events, Device& d) {
  for (auto& e : events) {
    if ((e.type == EventType::kSwitchedOn || e.type == EventType::kSwitchedOff) &&
        e.data.at("source").as_string() == "device" && ClaimedByOtherProcess(e, d))
      continue;
    Record(std::move(e));
  }
}

void Service::Record(Event e) {
  if (e.type == EventType::kCycleFinished) {
    store::CycleRecord c;
    c.device = e.device;
    c.site = e.site;
    auto num = [&](const char* k) {
      auto* v = e.data.if_contains(k);
      return v && v->is_number() ? v->to_number<double>() : 0.0;
    };
    if (auto* s = e.data.if_contains("started_at"); s && s->is_string())
      if (auto t = ParseTimestamp(s->as_string())) c.started_at = *t;
    if (auto* s = e.data.if_contains("ended_at"); s && s->is_string())
      if (auto t = ParseTimestamp(s->as_string())) c.ended_at = *t;
    c.duration_s = num("duration_s");
    c.energy_wh = num("energy_wh");
    c.peak_w = num("peak_w");
    c.cost = num("cost");
    store_->RecordCycle(c);
  }
  if (auto outage = OutageFromEvent(e)) store_->RecordOutage(*outage);
  Event recorded = store_->RecordEvent(std::move(e));
  bus_.Publish(recorded);
}

void Service::EmitPower(std::vector<Event> events) {
  if (events.empty()) return;
  for (auto& e : events) Record(std::move(e));
  SavePowerState();
}

void Service::SavePowerState() {
  for (auto& [key, snap] : power_.Snapshots()) store_->SaveState(key, std::move(snap));
  power_saved_ = clock_.Now();
}

void Service::FlushChecks(TimePoint now) {
  for (const auto& [site, add] : site_checks_) store_->RecordChecks("site", site, now, add);
  site_checks_.clear();
}

void Service::ReplayHeartbeats() {
  // Heartbeats are acknowledged once stored, while the label's state is
  // saved only when it changes (and now and then): the newest stored
  // heartbeat may be later than the saved state, and counts.
  for (const auto& [label, w] : power_.labels()) {
    auto last = store_->LastHeartbeat(label);
    if (!last) {
      log::warn("heartbeat {}: cannot read the last heartbeat: {}", label, last.error().context);
      continue;
    }
    auto known = w.last_heartbeat_at();
    if (*last && (!known || **last > *known)) EmitPower(power_.OnHeartbeat(label, **last));
  }
}

void Service::Heartbeats(std::vector<HeartbeatIn> in,
                         std::function<void(const Result<void>&)> done) {
  std::vector<store::HeartbeatRecord> records;
  records.reserve(in.size());
  for (auto& [h, up_since] : in) {
    if (h.client_ts) {
      const double skew = Seconds(h.received_at - *h.client_ts);
      if (skew > 60 || skew < -60)
        log::warn(
            "heartbeat {}: the sender's clock is {:.0f} s {} the server's ({}); plugwatch "
            "judges by the receive time, but check the sender's time sync",
            h.label, std::abs(skew), skew > 0 ? "behind" : "ahead of", h.remote);
    }
    EmitPower(power_.OnHeartbeat(h.label, h.received_at, up_since));
    records.push_back(std::move(h));
  }
  ArmDeadline();
  // The acknowledgement waits for this write, which commits after the events
  // and state queued above.
  store_->RecordHeartbeats(std::move(records), [ex = io_.get_executor(), done = std::move(done)](
                                                   const Result<void>& r) mutable {
    asio::post(ex, [done = std::move(done), r] { done(r); });
  });
}

void Service::ArmDeadline() {
  auto next = power_.NextDeadline();
  auto ticker = ticker_;
  if (ticker->stopped || !next || (ticker->deadline_at && *ticker->deadline_at <= *next)) return;
  ticker->deadline_at = next;
  ticker->deadline.expires_after(std::max(Duration(0), *next - clock_.Now()));
  ticker->deadline.async_wait([this, ticker](const boost::system::error_code& ec) {
    if (ec || ticker->stopped) return;
    ticker->deadline_at.reset();
    EmitPower(power_.OnTick(clock_.Now()));
    ArmDeadline();
  });
}

void Service::SaveSnapshot(Device& d, TimePoint now) {
  store_->SaveState(d.spec.id, d.monitor->Snapshot());
  d.last_snapshot = now;
}

void Service::ScheduleTick() {
  auto ticker = ticker_;
  ticker->timer.expires_after(opts_.tick);
  ticker->timer.async_wait([this, ticker](const boost::system::error_code& ec) {
    if (ec || ticker->stopped) return;
    const TimePoint now = clock_.Now();
    for (auto& [id, d] : devices_) Emit(d.monitor->OnTick(now), d);
    EmitPower(power_.OnTick(now));
    FlushChecks(now);
    if (now - power_saved_ >= opts_.snapshot_every) SavePowerState();
    if (auto r = ReconcileDevices(); !r) log::warn("device list: {}", r.error().context);
    ScheduleTick();
  });
}

int RunService(asio::io_context& io, config::Config cfg, ServiceOptions opts, ServiceHooks hooks) {
  store::OpenOptions so;
  auto store = store::OpenSqlite(cfg.storage.path, so);
  if (!store) {
    std::fprintf(stderr, "plugwatch: %s\n", store.error().context.c_str());
    return 1;
  }
  SystemClock clock;
  Service service(io, std::move(cfg), std::move(*store), clock, opts);
  if (hooks.before_start) hooks.before_start(service);
  if (auto r = service.Start(); !r) {
    std::fprintf(stderr, "plugwatch: %s\n", r.error().context.c_str());
    return 1;
  }
  if (hooks.setup) hooks.setup(service);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  // Shutdown stops polling and waits for the store's last commit; nothing
  // left on the loop needs to finish after it, so the loop stops at once.
  auto stop = [&] {
    service.Shutdown();
    io.stop();
  };
  bool draining = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (draining || !hooks.drain) {
          log::info("plugwatch: signal {} received, shutting down{}", sig, draining ? " now" : "");
          stop();
          return;
        }
        log::info("plugwatch: signal {} received, finishing requests in progress", sig);
        draining = true;
        signals.async_wait(on_signal);  // a second signal stops at once
        hooks.drain(stop);
      };
  signals.async_wait(on_signal);
  io.run();
  service.Shutdown();
  return 0;
}

}  // namespace plugwatch::engine
