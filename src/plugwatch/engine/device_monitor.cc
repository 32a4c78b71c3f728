#include "plugwatch/engine/device_monitor.h"

#include "plugwatch/core/time.h"

namespace plugwatch::engine {

DeviceMonitor::DeviceMonitor(const DeviceSpec& spec, int confirm_checks, double lifetime_energy_wh)
    : device_(spec.id),
      site_(spec.site),
      offline_(spec.id, spec.site, confirm_checks),
      energy_(lifetime_energy_wh) {
  if (spec.activity)
    activity_.emplace(spec.id, spec.site, *spec.activity);
  else
    state_.activity.clear();
  state_.lifetime_energy_wh = lifetime_energy_wh;
}

DeviceMonitor DeviceMonitor::Restore(const DeviceSpec& spec, int confirm_checks,
                                     double lifetime_energy_wh, const boost::json::object& snap) {
  DeviceMonitor m(spec, confirm_checks, lifetime_energy_wh);
  if (auto* a = snap.if_contains("activity"); a && a->is_object() && spec.activity)
    m.activity_ =
        detect::ActivityDetector::Restore(spec.id, spec.site, *spec.activity, a->as_object());
  if (auto* o = snap.if_contains("offline"); o && o->is_object())
    m.offline_ =
        detect::OfflineDetector::Restore(spec.id, spec.site, confirm_checks, o->as_object());
  if (auto* e = snap.if_contains("energy"); e && e->is_object()) {
    auto* at = e->as_object().if_contains("last_at");
    auto* w = e->as_object().if_contains("last_power_w");
    if (at && at->is_int64() && w && w->is_number())
      m.energy_.Resume(FromUnixMillis(at->as_int64()), w->to_number<double>());
  }
  if (auto* on = snap.if_contains("relay_on"); on && on->is_bool()) m.state_.on = on->as_bool();
  if (m.activity_) m.state_.activity = std::string(m.activity_->ActivityName());
  if (m.offline_.known_online()) m.state_.reachable = m.offline_.online();
  return m;
}

bool DeviceMonitor::cycle_running() const {
  return activity_ && activity_->state() != detect::ActivityState::kIdle;
}

std::optional<bool> DeviceMonitor::confirmed_reachable() const {
  if (!offline_.known_online()) return std::nullopt;
  return offline_.online();
}

std::vector<Event> DeviceMonitor::OnReading(const Reading& r) {
  std::vector<Event> events = offline_.OnReading(r);
  if (r.reachable) {
    state_.last_reading_at = r.at;
    state_.power_w = r.power_w;
    state_.lifetime_energy_wh += energy_.Add(r);
    if (r.relay_on) {
      if (state_.on && *state_.on != *r.relay_on) {
        Event e = MakeEvent(*r.relay_on ? EventType::kSwitchedOn : EventType::kSwitchedOff, r.at,
                            device_, site_);
        e.data["source"] = "device";
        events.push_back(std::move(e));
      }
      state_.on = r.relay_on;
    }
  }
  if (activity_) {
    auto more = activity_->OnReading(r);
    events.insert(events.end(), std::make_move_iterator(more.begin()),
                  std::make_move_iterator(more.end()));
  }
  Track(events, r.at, r.reachable);
  return events;
}

std::vector<Event> DeviceMonitor::OnSwitched(bool on, TimePoint at, std::string_view source) {
  std::vector<Event> events;
  if (state_.on != on) {
    Event e = MakeEvent(on ? EventType::kSwitchedOn : EventType::kSwitchedOff, at, device_, site_);
    e.data["source"] = source;
    events.push_back(std::move(e));
  }
  state_.on = on;
  return events;
}

std::vector<Event> DeviceMonitor::OnTick(TimePoint now) {
  if (!activity_) return {};
  auto events = activity_->OnTick(now);
  Track(events, now, std::nullopt);
  return events;
}

void DeviceMonitor::Track(const std::vector<Event>& events, TimePoint at,
                          std::optional<bool> observed) {
  // Confirmed reachability once the offline detector knows it; until then,
  // what the last poll said.
  std::optional<bool> reachable =
      offline_.known_online() ? std::optional<bool>(offline_.online()) : observed;
  if (!reachable) reachable = state_.reachable;
  std::string activity = activity_ ? std::string(activity_->ActivityName()) : std::string();
  if (!state_.since || state_.reachable != reachable || state_.activity != activity ||
      !events.empty())
    state_.since = at;
  state_.reachable = reachable;
  state_.activity = std::move(activity);
  // A cycle runs from its start through pauses (stopping) until it ends;
  // while starting it may still come to nothing.
  const bool running = state_.activity == "active" || state_.activity == "stopping";
  state_.cycle_started_at = running ? activity_->cycle_started_at() : std::nullopt;
}

boost::json::object DeviceMonitor::Snapshot() const {
  boost::json::object o;
  if (activity_) o["activity"] = activity_->Snapshot();
  o["offline"] = offline_.Snapshot();
  if (energy_.last_at()) {
    boost::json::object e;
    e["last_at"] = UnixMillis(*energy_.last_at());
    e["last_power_w"] = energy_.last_power_w();
    o["energy"] = std::move(e);
  }
  if (state_.on) o["relay_on"] = *state_.on;
  return o;
}

}  // namespace plugwatch::engine
