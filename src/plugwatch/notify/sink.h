// Sink: one way of delivering a notification (a JSON webhook, ntfy, Discord,
// a Telegram chat, the console). The boundary between the durable outbox,
// which decides what to send, when and how often to retry, and the code that
// speaks one service's protocol.
//
// The outbox hands a sink one Delivery at a time per recipient (so a chat's
// messages stay in order) and acts on the Outcome:
//   kDelivered      the service confirmed it: mark the row done.
//   kRetry          transient (timeout, 5xx, 429): try again after
//                   `retry_after` when the service said how long (429
//                   retry_after is honoured exactly), else after the outbox's
//                   exponential backoff with jitter.
//   kFailed         permanent for this message (400 bad request, oversized):
//                   mark failed, count it, go on with the next one.
//   kRecipientGone  the recipient is gone for good (Telegram 403 blocked /
//                   kicked / deactivated, 400 chat not found): unsubscribe it
//                   and drop what is queued for it.
//   kMoved          the recipient moved (Telegram migrate_to_chat_id): store
//                   `moved_to` as its new id and resend there.
//
// Sinks run on the engine's event loop and must never block it; every
// request has a deadline. A sink never throws: errors are Outcomes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"

namespace plugwatch::notify {

// What a person reads: rendered from a template for one event type and one
// language (notify/render.h, notify/catalog.h), before it is queued.
struct Message {
  std::string title;              // short, one line ("Washer finished")
  std::string text;               // plain text, UTF-8; sinks escape it for their format
  int priority = 3;               // 1 (min) … 5 (urgent), ntfy's scale
  std::vector<std::string> tags;  // ntfy tags / emoji short codes ("zap", "white_check_mark")
  bool silent = false;            // deliver without sound (quiet hours)
  // Machine-readable form for sinks that carry data (the JSON webhook): the
  // event as JSON ({"id","ts","type","device","site","data"}); "" for none.
  std::string data_json;

  bool operator==(const Message&) const = default;
};

// One outbox row on its way out.
struct Delivery {
  long long id = 0;             // outbox row id
  std::string sink;             // sink name, as configured ("phone", "telegram")
  std::string recipient;        // sink-specific address (a Telegram chat id); "" = the sink's own
  std::string event_type;       // "cycle_finished", "power_lost", "test", …
  std::string idempotency_key;  // stable across retries: receivers drop duplicates with it
  TimePoint created_at{};
  int attempt = 1;  // 1 on the first try
  Message message;
};

struct Outcome {
  enum class Kind { kDelivered, kRetry, kFailed, kRecipientGone, kMoved };
  Kind kind = Kind::kDelivered;
  Duration retry_after{0};  // kRetry: the service's own wait (0 = use backoff)
  std::string detail;       // for logs and `notify status`: what happened, what to do
  std::string moved_to;     // kMoved: the recipient's new address

  static Outcome Delivered() { return {}; }
  static Outcome Retry(std::string detail, Duration after = Duration{0}) {
    return {Kind::kRetry, after, std::move(detail), {}};
  }
  static Outcome Failed(std::string detail) { return {Kind::kFailed, {}, std::move(detail), {}}; }
  static Outcome RecipientGone(std::string detail) {
    return {Kind::kRecipientGone, {}, std::move(detail), {}};
  }
  static Outcome Moved(std::string to, std::string detail) {
    return {Kind::kMoved, {}, std::move(detail), std::move(to)};
  }
};

class Sink {
 public:
  virtual ~Sink() = default;
  // The configured name; the outbox keys rows and counters on it.
  virtual const std::string& name() const = 0;
  // Sends one message. `d` stays alive until the returned awaitable completes.
  virtual boost::asio::awaitable<Outcome> Deliver(const Delivery& d) = 0;
};

}  // namespace plugwatch::notify
