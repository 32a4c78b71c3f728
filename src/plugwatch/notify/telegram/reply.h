// Bot API replies: parsing {"ok":true,"result":…} / {"ok":false,"error_code",
// "description","parameters":{retry_after|migrate_to_chat_id}} and deciding
// what the outbox does with a failed send (notify::Outcome, sink.h).
//
// Classification (PROTOCOLS.md §7):
//   ok                                   → kDelivered
//   429                                  → kRetry after exactly retry_after s
//   parameters.migrate_to_chat_id        → kMoved to the new id
//   5xx, timeouts, connection failures   → kRetry (outbox backoff)
//   403 blocked / kicked / deactivated /
//       not a member, 400 chat not found → kRecipientGone (unsubscribe)
//   401 / 404 (wrong token or api_url)   → kRetry: a configuration error must
//                                          not throw away what is queued; the
//                                          detail says to check [telegram]
//   any other 4xx                        → kFailed (this message only)
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plugwatch/core/error.h"
#include "plugwatch/notify/sink.h"

namespace plugwatch::notify::telegram {

struct ApiReply {
  bool ok = false;
  int error_code = 0;  // the reply's error_code, else the HTTP status
  std::string description;
  std::optional<long long> retry_after;         // seconds
  std::optional<long long> migrate_to_chat_id;  // new supergroup id
  boost::json::value result;                    // when ok
};

// Parses a reply body; kProtocol when it is not a Bot API reply.
Result<ApiReply> ParseReply(int http_status, std::string_view body);

// What a sendMessage reply means for the outbox.
Outcome Classify(int http_status, std::string_view body);
Outcome Classify(const ApiReply& reply);
// A request that got no reply at all (timeout, refused, TLS): always kRetry.
Outcome ClassifyTransportError(const Error& e);

}  // namespace plugwatch::notify::telegram
