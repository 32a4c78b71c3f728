// StatusText: the plain-text answers of /status, /devices and /outages, in
// one language, from the engine's live state (engine/live_status.h) and the
// stored outages. Pure: `now` is passed in. Durations use the notification
// catalog's human formatting ("2 h 5 min"); times are shown in UTC
// ("2026-12-07 10:05 UTC") until sites' time zones are available here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/engine/live_status.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify::telegram {

// "2026-12-07 10:05 UTC".
std::string FormatWhen(TimePoint t);

// One line per site and heartbeat label: power on/off since when and for how long.
std::string StatusText(const std::vector<engine::PowerLine>& lines, std::string_view lang,
                       TimePoint now);
// One line per device (on with its power, off, unreachable, unknown), and
// under it "running for …" while a cycle runs.
std::string DevicesText(const std::vector<engine::DeviceLine>& devices, std::string_view lang,
                        TimePoint now);
// The newest `max` outages (as QueryOutages returns them, newest first).
std::string OutagesText(const std::vector<store::OutageRecord>& outages, std::string_view lang,
                        TimePoint now, size_t max = 10);

}  // namespace plugwatch::notify::telegram
