// One line per event for the console and logs, e.g.
//   2026-11-22T10:00:00.000Z  washer  cycle_finished  1 h 12 min, 0.84 kWh, 0.21 €
// Pure.
#pragma once

#include <string>

#include "plugwatch/core/event.h"

namespace plugwatch::engine {

// The human summary of an event's data ("1 h 12 min, 0.84 kWh, 0.21 €").
std::string SummarizeEvent(const Event& e);
std::string FormatEventLine(const Event& e);

}  // namespace plugwatch::engine
