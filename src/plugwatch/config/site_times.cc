#include "plugwatch/config/site_times.h"

#include "plugwatch/core/log.h"

namespace plugwatch::config {

SiteTimes::SiteTimes(const Config& cfg) {
  for (const auto& s : cfg.sites) sites_.emplace(s.id, Make(s));
}

SiteTime SiteTimes::Make(const SiteConfig& s) {
  SiteTime t;
  if (auto z = TimeZone::Load(s.timezone))
    t.zone = *z;
  else
    log::warn("site {}: {}; using UTC", s.id, z.error().message());
  if (auto w = ParseDailyWindow(s.quiet_hours)) t.quiet_hours = *w;
  return t;
}

const SiteTime& SiteTimes::Of(std::string_view site) const {
  auto it = sites_.find(site);
  return it == sites_.end() ? default_ : it->second;
}

}  // namespace plugwatch::config
