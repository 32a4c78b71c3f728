// StatusText: the plain-text answers of /status, /devices and /outages, in
// one language, from the engine's live state (engine/live_status.h) and the
// stored outages. Pure: `now` is passed in. Durations use the notification
// catalog's human formatting ("2 h 5 min"); times are the local time of the
// line's site ("2026-12-07 12:05", [[sites]] timezone).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/config/site_times.h"
#include "plugwatch/engine/live_status.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify::telegram {

// "2026-12-07 12:05": `t` in `zone`.
std::string FormatWhen(TimePoint t, const TimeZone& zone);

// One line per site and heartbeat label: power on/off since when and for how long.
std::string StatusText(const std::vector<engine::PowerLine>& lines, std::string_view lang,
                       TimePoint now, const config::SiteTimes& times = {});
// One line per device (on with its power, off, unreachable, unknown), and
// under it "running for …" while a cycle runs.
std::string DevicesText(const std::vector<engine::DeviceLine>& devices, std::string_view lang,
                        TimePoint now, const config::SiteTimes& times = {});
// The newest `max` outages (as QueryOutages returns them, newest first).
std::string OutagesText(const std::vector<store::OutageRecord>& outages, std::string_view lang,
                        TimePoint now, size_t max = 10, const config::SiteTimes& times = {});

}  // namespace plugwatch::notify::telegram
