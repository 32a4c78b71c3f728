// Notifier: the bridge from the EventBus to the Outbox. For each event it
// decides who hears about it (routing), renders the text in each recipient's
// language (render.h) and queues one outbox row per recipient, durably,
// before the handler returns.
//
// Routing:
//   [[sinks]] entries   `events` (empty = all) × `devices` (empty = all). A
//                       site-wide event (power_lost/restored: no device)
//                       passes a `devices` list that names its heartbeat
//                       label or its site id. Recipient "" (the sink's own
//                       target), in the sink's `language`, else the site's.
//   RecipientSources    registered per sink name (Telegram subscribers):
//                       each recipient whose topics include the event's topic
//                       ("power" for power_lost/restored, "appliances" for
//                       the rest), in the recipient's language.
//   Extra recipients    AddRecipient(sink, address, language): e.g. the
//                       [telegram] channel, which gets every event.
// A recipient without a language ("") reads the event's site's language.
//
// Quiet hours: a recipient with silent_at_night whose event is routed while
// the site's local time is inside the site's quiet_hours (22:00–08:00 by
// default) gets the message with Message::silent (Telegram:
// disable_notification). The time is the clock's, not the event's: a replayed
// event announced in the morning is not silenced.
//
// Idempotency key: "event-<id>" (event ids are unique per database), so an
// event published twice is queued once per recipient.
//
// Subscribe (Attach) before the service starts: the events it publishes
// while coming back (a replayed power_restored) must be notified too.
// Threading: the engine's event loop only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/config/site_times.h"
#include "plugwatch/engine/event_bus.h"
#include "plugwatch/notify/catalog.h"
#include "plugwatch/notify/outbox.h"
#include "plugwatch/notify/recipients.h"

namespace plugwatch::notify {

class Notifier {
 public:
  using DeviceName = std::function<std::string(const std::string& device_id)>;

  Notifier(const config::Config& cfg, Outbox& outbox, const Catalog& catalog, const Clock& clock,
           DeviceName device_name = {});

  void AddRecipientSource(std::string sink, RecipientSource* source);
  void AddRecipient(std::string sink, std::string address, std::string language);
  void Attach(engine::EventBus& bus);

  // What Attach's handler does; returns the outbox items queued (tests).
  std::vector<Outbox::Item> Route(const Event& e) const;
  // Whether a silent_at_night recipient of this site is in quiet hours now.
  bool QuietNow(std::string_view site) const;
  // Each site's time zone and quiet hours, loaded once (the bot shows local
  // times with them).
  const config::SiteTimes& site_times() const { return site_times_; }
  void OnEvent(const Event& e);

 private:
  const config::Config& cfg_;
  Outbox& outbox_;
  const Catalog& catalog_;
  const Clock& clock_;
  DeviceName device_name_;
  config::SiteTimes site_times_;
  std::vector<std::pair<std::string, RecipientSource*>> sources_;
  struct Extra {
    std::string sink, address, language;
  };
  std::vector<Extra> extras_;
};

// "power" or "appliances".
std::string_view Topic(EventType t);

}  // namespace plugwatch::notify
