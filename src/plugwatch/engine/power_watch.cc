#include "plugwatch/engine/power_watch.h"

#include "plugwatch/core/time.h"

namespace plugwatch::engine {
namespace {

constexpr std::string_view kLabelKey = "label:";
constexpr std::string_view kSiteKey = "site:";

void Append(std::vector<Event>& out, std::vector<Event> more) {
  for (auto& e : more) out.push_back(std::move(e));
}

}  // namespace

PowerWatch::PowerWatch(const config::Config& cfg) : cfg_(cfg) {
  for (const auto& hb : cfg.heartbeats)
    labels_.emplace(hb.label, detect::HeartbeatWatchdog(hb.label, hb.site, hb.period, hb.grace));
}

void PowerWatch::Restore(const std::map<std::string, boost::json::object>& states) {
  for (const auto& [key, snap] : states) {
    std::string_view k = key;
    if (k.starts_with(kLabelKey)) {
      auto it = labels_.find(k.substr(kLabelKey.size()));
      if (it == labels_.end()) continue;
      const auto& w = it->second;
      it->second =
          detect::HeartbeatWatchdog::Restore(w.label(), w.site(), w.period(), w.grace(), snap);
    } else if (k.starts_with(kSiteKey)) {
      std::string site(k.substr(kSiteKey.size()));
      const double quorum = cfg_.Site(site).outage_quorum;
      sites_.insert_or_assign(site, detect::OutageQuorum::Restore(site, quorum, snap));
    }
  }
}

std::map<std::string, boost::json::object> PowerWatch::Snapshots() const {
  std::map<std::string, boost::json::object> out;
  for (const auto& [label, w] : labels_) out[std::string(kLabelKey) + label] = w.Snapshot();
  for (const auto& [site, q] : sites_) out[std::string(kSiteKey) + site] = q.Snapshot();
  return out;
}

std::vector<Event> PowerWatch::OnHeartbeat(std::string_view label, TimePoint received_at,
                                           std::optional<TimePoint> up_since) {
  auto it = labels_.find(label);
  if (it == labels_.end()) return {};
  return it->second.OnHeartbeat(received_at, up_since);
}

std::vector<Event> PowerWatch::OnTick(TimePoint now) {
  std::vector<Event> out;
  for (auto& [label, w] : labels_) Append(out, w.OnTick(now));
  return out;
}

std::optional<TimePoint> PowerWatch::NextDeadline() const {
  std::optional<TimePoint> next;
  for (const auto& [label, w] : labels_)
    if (auto d = w.deadline(); d && (!next || *d < *next)) next = d;
  return next;
}

detect::OutageQuorum& PowerWatch::Site(const std::string& id) {
  auto it = sites_.find(id);
  if (it == sites_.end())
    it = sites_.emplace(id, detect::OutageQuorum(id, cfg_.Site(id).outage_quorum)).first;
  return it->second;
}

std::vector<Event> PowerWatch::SetDevice(const DeviceSpec& spec, std::optional<bool> reachable,
                                         TimePoint at) {
  std::vector<Event> out;
  auto member = device_site_.find(spec.id);
  if (member != device_site_.end() && (!spec.in_quorum || member->second != spec.site))
    Append(out, RemoveDevice(spec.id, at));
  if (!spec.in_quorum) return out;
  device_site_[spec.id] = spec.site;
  auto& quorum = Site(spec.site);
  if (reachable)
    Append(out, quorum.SetReachable(spec.id, *reachable, at));
  else
    quorum.Track(spec.id);
  return out;
}

std::vector<Event> PowerWatch::RemoveDevice(std::string_view id, TimePoint at) {
  auto member = device_site_.find(id);
  if (member == device_site_.end()) return {};
  auto site = sites_.find(member->second);
  device_site_.erase(member);
  if (site == sites_.end()) return {};
  return site->second.Remove(id, at);
}

std::optional<store::OutageRecord> OutageFromEvent(const Event& e) {
  if (e.type != EventType::kPowerLost && e.type != EventType::kPowerRestored) return std::nullopt;
  store::OutageRecord o;
  o.site = e.site;
  auto text = [&](const char* key) -> std::string {
    auto* v = e.data.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  o.cause = text("cause");
  o.label = text("label");
  o.started_at = ParseTimestamp(text("started_at")).value_or(e.ts);
  if (e.type == EventType::kPowerRestored) o.ended_at = e.ts;
  // power_restored lists the devices still unreachable: the outage keeps
  // the ones that made it.
  if (auto* devices = e.data.if_contains("devices");
      e.type == EventType::kPowerLost && devices && devices->is_array())
    for (const auto& d : devices->as_array())
      if (d.is_string()) o.devices.emplace_back(d.as_string());
  return o;
}

}  // namespace plugwatch::engine
