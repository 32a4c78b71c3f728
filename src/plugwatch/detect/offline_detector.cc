#include "plugwatch/detect/offline_detector.h"

#include <algorithm>
#include <utility>

#include "plugwatch/detect/snapshot_fields.h"

namespace plugwatch::detect {

OfflineDetector::OfflineDetector(std::string device, std::string site, int confirm_checks)
    : device_(std::move(device)),
      site_(std::move(site)),
      confirm_checks_(std::max(1, confirm_checks)) {}

std::optional<TimePoint> OfflineDetector::offline_since() const {
  if (known_ != false) return std::nullopt;
  return offline_since_;
}

std::vector<Event> OfflineDetector::OnReading(const Reading& r) {
  std::vector<Event> out;
  if (r.reachable) {
    fail_streak_ = 0;
    if (ok_streak_ == 0) ok_since_ = r.at;
    ok_streak_ = std::min(ok_streak_ + 1, confirm_checks_);
    if (ok_streak_ < confirm_checks_ || known_ == true) return out;
    if (known_ == false) {
      Event e = MakeEvent(EventType::kDeviceOnline, ok_since_);
      e.data["offline_for_s"] = Seconds(std::max(Duration::zero(), ok_since_ - offline_since_));
      out.push_back(std::move(e));
    }
    known_ = true;
  } else {
    ok_streak_ = 0;
    if (fail_streak_ == 0) fail_since_ = r.at;
    fail_streak_ = std::min(fail_streak_ + 1, confirm_checks_);
    if (fail_streak_ < confirm_checks_ || known_ == false) return out;
    Event e = MakeEvent(EventType::kDeviceOffline, fail_since_);
    e.data["error"] = r.error ? r.error->context : std::string("unreachable");
    out.push_back(std::move(e));
    known_ = false;
    offline_since_ = fail_since_;
  }
  return out;
}

Event OfflineDetector::MakeEvent(EventType type, TimePoint ts) const {
  return plugwatch::MakeEvent(type, ts, device_, site_);
}

boost::json::object OfflineDetector::Snapshot() const {
  boost::json::object o;
  o["version"] = internal::kSnapshotVersion;
  o["state"] = !known_ ? "unknown" : *known_ ? "online" : "offline";
  o["ok_streak"] = ok_streak_;
  o["fail_streak"] = fail_streak_;
  if (ok_streak_ > 0) o["ok_since_ms"] = UnixMillis(ok_since_);
  if (fail_streak_ > 0) o["fail_since_ms"] = UnixMillis(fail_since_);
  if (known_ == false) o["offline_since_ms"] = UnixMillis(offline_since_);
  return o;
}

OfflineDetector OfflineDetector::Restore(std::string device, std::string site, int confirm_checks,
                                         const boost::json::object& snap) {
  OfflineDetector d(std::move(device), std::move(site), confirm_checks);
  using namespace internal;
  if (!HasVersion(snap)) return d;
  auto state = GetString(snap, "state");
  auto ok_streak = GetInt(snap, "ok_streak");
  auto fail_streak = GetInt(snap, "fail_streak");
  if (!state || !ok_streak || !fail_streak || *ok_streak < 0 || *fail_streak < 0 ||
      (*ok_streak > 0 && *fail_streak > 0))
    return d;

  OfflineDetector restored = d;
  if (*state == "online") {
    restored.known_ = true;
  } else if (*state == "offline") {
    auto since = GetTime(snap, "offline_since_ms");
    if (!since) return d;
    restored.known_ = false;
    restored.offline_since_ = *since;
  } else if (*state != "unknown") {
    return d;
  }
  // The streak may come from a run with another confirm_checks; saturate so
  // that the next reading of that kind completes it, but never confirm here:
  // Restore emits nothing.
  if (*ok_streak > 0) {
    auto since = GetTime(snap, "ok_since_ms");
    if (!since) return d;
    restored.ok_since_ = *since;
    restored.ok_streak_ =
        static_cast<int>(std::min<std::int64_t>(*ok_streak, restored.confirm_checks_));
  }
  if (*fail_streak > 0) {
    auto since = GetTime(snap, "fail_since_ms");
    if (!since) return d;
    restored.fail_since_ = *since;
    restored.fail_streak_ =
        static_cast<int>(std::min<std::int64_t>(*fail_streak, restored.confirm_checks_));
  }
  return restored;
}

}  // namespace plugwatch::detect
