// Outbox: the durable queue of notifications and the runner that delivers
// them through the registered Sinks.
//
// Enqueue writes rows to the store (migrations/003_notify.sql) and returns
// once they are committed: from then on a crash, a restart or kill -9 loses
// nothing. The runner, a coroutine on the engine's event loop, reads queued
// rows and delivers them in order per (sink, recipient): a recipient's next
// message waits until the one before it is delivered, failed or dropped;
// different recipients proceed in parallel. Retries follow RetryPolicy
// (retry_policy.h). Delivery is at-least-once: a row sent but not marked
// delivered when the process died is sent again after the restart (at most
// one duplicate; its idempotency key lets receivers drop it).
//
// Outcome::kRecipientGone drops the recipient's queued rows, kMoved moves
// them to the new address; both then call the recipient hook (the Telegram
// sink unsubscribes or re-keys the chat).
//
// Threading: everything but Stats() runs on the executor given to the
// constructor. Enqueue blocks for one commit (a few milliseconds; events are
// rare). Stats() is thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/notify/retry_policy.h"
#include "plugwatch/notify/sink.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify {

std::string MessageToJson(const Message& m);
Message MessageFromJson(std::string_view json);  // a damaged row reads as its raw text

struct OutboxStats {
  // sink → result ("delivered", "retry", "failed", "dropped") → count since start.
  std::map<std::string, std::map<std::string, long long>> results;
  std::map<std::string, long long> queued;  // rows waiting, per sink
};

class Outbox {
 public:
  using RecipientHook = std::function<void(
      const std::string& sink, const std::string& old_recipient, const Outcome& outcome)>;

  Outbox(boost::asio::any_io_executor ex, store::Store& store, const Clock& clock,
         RetryPolicy policy = {});
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void AddSink(std::shared_ptr<Sink> sink);
  std::shared_ptr<Sink> FindSink(std::string_view name) const;
  std::vector<std::string> SinkNames() const;
  void OnRecipientChange(RecipientHook hook);

  struct Item {
    std::string sink;
    std::string recipient;
    std::string event_type;
    std::string idempotency_key;
    Message message;
  };
  // Durable on return; wakes the runner. Returns the number of new rows (a
  // repeated idempotency key for the same recipient is not queued again).
  Result<int> Enqueue(const std::vector<Item>& items);
  Result<int> Enqueue(std::string sink, std::string recipient, std::string event_type,
                      std::string idempotency_key, Message message);

  // Starts the runner; Stop ends it (deliveries in flight finish on their own).
  void Start();
  void Stop();
  OutboxStats Stats() const;

  struct State;  // outbox.cc

 private:
  std::shared_ptr<State> s_;
};

}  // namespace plugwatch::notify
