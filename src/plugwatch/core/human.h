// Human-readable figures for people reading the console, Telegram or ntfy:
// "2 h 5 min", "45 s", "0.84 kWh", "1.2 kW". Pure; English units (languages
// come with the notifier's templates).
#pragma once

#include <string>

namespace plugwatch {

// 0 → "0 s"; 45 → "45 s"; 125 → "2 min 5 s"; 7500 → "2 h 5 min"; 90000 → "1 d 1 h".
// Only the two largest units are shown.
std::string HumanDuration(double seconds);
// Wh below 1000 as "850 Wh", above as "1.25 kWh".
std::string HumanEnergy(double wh);
// "0.5 W", "75 W", "2.1 kW".
std::string HumanPower(double w);

}  // namespace plugwatch
