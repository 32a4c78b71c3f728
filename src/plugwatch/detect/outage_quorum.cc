#include "plugwatch/detect/outage_quorum.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>
#include <utility>

#include "plugwatch/core/time.h"
#include "plugwatch/detect/snapshot_fields.h"

namespace plugwatch::detect {
namespace {

double Normalized(double quorum) {
  if (std::isnan(quorum) || quorum > 1) return 1;
  return std::max(0.0, quorum);
}

}  // namespace

OutageQuorum::OutageQuorum(std::string site, double quorum)
    : site_(std::move(site)), quorum_(Normalized(quorum)) {}

std::optional<TimePoint> OutageQuorum::since() const {
  if (state_ == PowerState::kUnknown) return std::nullopt;
  return since_;
}

int OutageQuorum::unreachable() const {
  return static_cast<int>(std::count_if(devices_.begin(), devices_.end(),
                                        [](const auto& d) { return d.second == false; }));
}

std::optional<bool> OutageQuorum::reachable(std::string_view device) const {
  auto it = devices_.find(device);
  if (it == devices_.end()) return std::nullopt;
  return it->second;
}

std::vector<Event> OutageQuorum::SetReachable(std::string device, bool reachable, TimePoint at) {
  devices_.insert_or_assign(std::move(device), reachable);
  return Judge(at);
}

void OutageQuorum::Track(std::string device) { devices_.try_emplace(std::move(device)); }

std::vector<Event> OutageQuorum::Remove(std::string_view device, TimePoint at) {
  if (auto it = devices_.find(device); it != devices_.end()) devices_.erase(it);
  return Judge(at);
}

std::vector<Event> OutageQuorum::Judge(TimePoint at) {
  std::vector<Event> out;
  if (devices_.empty() ||
      std::any_of(devices_.begin(), devices_.end(), [](const auto& d) { return !d.second; }))
    return out;
  const int down = unreachable();
  const int total = tracked();
  // Division, not down >= quorum × total: when quorum is exactly down/total
  // in decimal (0.3 and 3 of 10), both sides round to the same double.
  const bool is_out = down >= 1 && static_cast<double>(down) / total >= quorum_;

  if (is_out && state_ != PowerState::kDown) {
    Event e = MakeEvent(EventType::kPowerLost, at);
    e.data["started_at"] = FormatTimestamp(at);
    if (state_ == PowerState::kUp) e.data["was_on_for_s"] = NonNegativeSeconds(at - since_);
    out.push_back(std::move(e));
    state_ = PowerState::kDown;
    since_ = at;
  } else if (!is_out && state_ == PowerState::kDown) {
    Event e = MakeEvent(EventType::kPowerRestored, at);
    e.data["started_at"] = FormatTimestamp(since_);
    e.data["was_off_for_s"] = NonNegativeSeconds(at - since_);
    out.push_back(std::move(e));
    state_ = PowerState::kUp;
    since_ = at;
  } else if (!is_out && state_ == PowerState::kUnknown) {
    state_ = PowerState::kUp;
    since_ = at;
  }
  return out;
}

Event OutageQuorum::MakeEvent(EventType type, TimePoint ts) const {
  Event e = plugwatch::MakeEvent(type, ts, "", site_);
  e.data["cause"] = "quorum";
  boost::json::array ids;
  for (const auto& [id, reachable] : devices_)
    if (reachable == false) ids.emplace_back(id);
  e.data["devices"] = std::move(ids);
  e.data["unreachable"] = unreachable();
  e.data["total"] = tracked();
  return e;
}

boost::json::object OutageQuorum::Snapshot() const {
  boost::json::object o;
  o["version"] = internal::kSnapshotVersion;
  o["state"] = ToString(state_);
  if (state_ != PowerState::kUnknown) o["since_ms"] = UnixMillis(since_);
  boost::json::object devices;
  for (const auto& [id, reachable] : devices_) {
    if (reachable)
      devices[id] = *reachable;
    else
      devices[id] = nullptr;
  }
  o["devices"] = std::move(devices);
  return o;
}

OutageQuorum OutageQuorum::Restore(std::string site, double quorum,
                                   const boost::json::object& snap) {
  OutageQuorum q(std::move(site), quorum);
  using namespace internal;
  if (!HasVersion(snap)) return q;
  auto state_name = GetString(snap, "state");
  auto state = state_name ? ParsePowerState(*state_name) : std::nullopt;
  const auto* devices_value = snap.if_contains("devices");
  const auto* devices = devices_value ? devices_value->if_object() : nullptr;
  if (!state || !devices) return q;

  OutageQuorum restored = q;
  if (*state != PowerState::kUnknown) {
    auto since = internal::GetTime(snap, "since_ms");
    if (!since) return q;
    restored.state_ = *state;
    restored.since_ = *since;
  }
  for (const auto& [id, value] : *devices) {
    if (const bool* b = value.if_bool())
      restored.devices_.emplace(std::string(id), *b);
    else if (value.is_null())
      restored.devices_.emplace(std::string(id), std::nullopt);
    else
      return q;
  }
  return restored;
}

}  // namespace plugwatch::detect
