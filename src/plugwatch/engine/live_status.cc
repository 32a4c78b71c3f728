#include "plugwatch/engine/live_status.h"

#include <set>

#include "plugwatch/engine/power_watch.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::engine {

using detect::PowerState;

void SitePower::Add(PowerState s, std::optional<TimePoint> t) {
  if (s == PowerState::kUnknown || !t) return;
  if (s == PowerState::kDown) {
    if (state != PowerState::kDown || *t < *since) since = t;
    state = PowerState::kDown;
  } else if (state != PowerState::kDown) {
    if (state != PowerState::kUp || *t > *since) since = t;
    state = PowerState::kUp;
  }
}

std::vector<PowerLine> PowerLines(const PowerWatch& power, const config::Config& cfg) {
  std::set<std::string> site_ids;
  for (const auto& s : cfg.sites) site_ids.insert(s.id);
  for (const auto& [id, q] : power.sites()) site_ids.insert(id);
  for (const auto& [label, w] : power.labels()) site_ids.insert(w.site());
  std::vector<PowerLine> out;
  for (const auto& id : site_ids) {
    SitePower sp;
    if (auto it = power.sites().find(id); it != power.sites().end())
      sp.Add(it->second.state(), it->second.since());
    for (const auto& [label, w] : power.labels())
      if (w.site() == id) sp.Add(w.state(), w.since());
    out.push_back({id, "", sp.state, sp.since});
  }
  for (const auto& [label, w] : power.labels())
    out.push_back({w.site(), label, w.state(), w.since()});
  return out;
}

namespace {

class ServiceStatus final : public LiveStatus {
 public:
  explicit ServiceStatus(const Service& s) : s_(s) {}
  std::vector<PowerLine> Power() const override { return PowerLines(s_.power(), s_.config()); }
  std::vector<DeviceLine> Devices() const override {
    std::vector<DeviceLine> out;
    s_.ForEachDevice([&](const DeviceSpec& spec, const DeviceState& st) {
      out.push_back({spec.id, spec.name.empty() ? spec.id : spec.name, spec.site, st});
    });
    return out;
  }

 private:
  const Service& s_;
};

}  // namespace

std::unique_ptr<LiveStatus> MakeLiveStatus(const Service& service) {
  return std::make_unique<ServiceStatus>(service);
}

}  // namespace plugwatch::engine
