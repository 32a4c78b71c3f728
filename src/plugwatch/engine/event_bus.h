// EventBus: the in-process bus every event and reading goes through on its way
// to the console, the live feed, notifiers and (later) broker publishers.
// Brokers are adapters subscribed here, never a requirement.
//
// Single-threaded: Subscribe and Publish on the engine's event loop only.
// Handlers run synchronously in subscription order and must not block.
#pragma once

#include <functional>
#include <vector>

#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::engine {

class EventBus {
 public:
  using EventHandler = std::function<void(const Event&)>;
  using ReadingHandler = std::function<void(const Reading&)>;

  void OnEvent(EventHandler h) { event_handlers_.push_back(std::move(h)); }
  void OnReading(ReadingHandler h) { reading_handlers_.push_back(std::move(h)); }

  void Publish(const Event& e) const {
    for (const auto& h : event_handlers_) h(e);
  }
  void Publish(const Reading& r) const {
    for (const auto& h : reading_handlers_) h(r);
  }

 private:
  std::vector<EventHandler> event_handlers_;
  std::vector<ReadingHandler> reading_handlers_;
};

}  // namespace plugwatch::engine
