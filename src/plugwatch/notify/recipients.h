// RecipientSource: who, besides a sink's own target, gets a sink's messages —
// the Telegram subscribers (N2's subscriber store implements it for the sink
// named "telegram"). The Notifier asks it for every event it routes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace plugwatch::notify {

struct Recipient {
  std::string address;   // sink-specific (a Telegram chat id)
  std::string language;  // "en", "uk", "ru", "cs"; unknown → English
  bool silent_at_night = false;
  std::vector<std::string> topics;  // "power" (power_lost/restored), "appliances" (the rest)
};

class RecipientSource {
 public:
  virtual ~RecipientSource() = default;
  // Called on the engine's event loop; must not block for long.
  virtual std::vector<Recipient> Recipients(std::string_view sink) = 0;
};

}  // namespace plugwatch::notify
