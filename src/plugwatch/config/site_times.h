// SiteTimes: each site's local time — its time zone (loaded once from the
// system's tz database) and its quiet hours — for whatever shows or judges
// local time: the notifier's quiet hours, the Telegram bot's /status and
// /outages. A site that is not declared (the implied "home", or an id from
// the API) gets the defaults of [[sites]]: UTC and 22:00–08:00.
// Immutable after construction; safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/config/config.h"
#include "plugwatch/core/time.h"
#include "plugwatch/core/time_zone.h"

namespace plugwatch::config {

struct SiteTime {
  TimeZone zone;
  std::optional<DailyWindow> quiet_hours;

  // Whether `t` falls inside the site's quiet hours.
  bool Quiet(TimePoint t) const {
    return quiet_hours && quiet_hours->Contains(zone.MinuteOfDay(t));
  }
};

class SiteTimes {
 public:
  SiteTimes() = default;  // every site has the defaults
  // `cfg` validated: a zone file that vanished since falls back to UTC, with
  // a warning in the log.
  explicit SiteTimes(const Config& cfg);

  const SiteTime& Of(std::string_view site) const;

 private:
  static SiteTime Make(const SiteConfig& s);

  std::map<std::string, SiteTime, std::less<>> sites_;
  SiteTime default_ = Make(SiteConfig{});
};

}  // namespace plugwatch::config
