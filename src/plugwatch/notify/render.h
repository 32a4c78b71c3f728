// Render: one Event → the Message people read, in one language, from the
// notification Catalog. Pure; values.
//
//   cycle_finished  "Washing machine finished — 1 h 12 min, 0.84 kWh, €0.21"
//   power_lost      "POWER: power is OFF — it was on for 3 min" + surge hint
//   power_restored  "POWER: power is ON — it was off for 2 h 5 min"
//
// The "could be a power surge" hint is added when power changed again within
// `surge_window` (the event's was_on_for_s / was_off_for_s is shorter).
// Priorities and tags follow ntfy's scale: power events 4 (high), appliance
// events 3, test 3.
#pragma once

#include <string>
#include <string_view>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/event.h"
#include "plugwatch/notify/catalog.h"
#include "plugwatch/notify/sink.h"

namespace plugwatch::notify {

struct RenderOptions {
  std::string language = "en";
  std::string device_name;               // human name; the event's device id when empty
  Duration surge_window{5 * 60 * 1000};  // 0 = never hint
};

Message Render(const Catalog& c, const Event& e, const RenderOptions& o);

// The test message of `plugwatch notify test`.
Message RenderTest(const Catalog& c, std::string_view language, std::string_view sink);

// "€" for EUR, "$" for USD, …; the code itself otherwise.
std::string CurrencySymbol(std::string_view code);

}  // namespace plugwatch::notify
