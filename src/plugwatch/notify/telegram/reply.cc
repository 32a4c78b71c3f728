#include "plugwatch/notify/telegram/reply.h"

#include <boost/json/parse.hpp>
#include <chrono>

namespace plugwatch::notify::telegram {

namespace json = boost::json;

Result<ApiReply> ParseReply(int http_status, std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* ok = o ? o->if_contains("ok") : nullptr;
  if (!ok || !ok->is_bool()) {
    return Fail(Errc::kProtocol, "Telegram answered HTTP " + std::to_string(http_status) +
                                     " without a Bot API reply — check [telegram] api_url");
  }
  ApiReply r;
  r.ok = ok->as_bool();
  r.error_code = http_status;
  if (const auto* code = o->if_contains("error_code"); code && code->is_int64()) {
    r.error_code = static_cast<int>(code->as_int64());
  }
  if (const auto* d = o->if_contains("description"); d && d->is_string()) {
    r.description = std::string(d->as_string());
  }
  if (const auto* p = o->if_contains("parameters"); p && p->is_object()) {
    if (const auto* ra = p->as_object().if_contains("retry_after"); ra && ra->is_int64()) {
      r.retry_after = ra->as_int64();
    }
    if (const auto* m = p->as_object().if_contains("migrate_to_chat_id"); m && m->is_int64()) {
      r.migrate_to_chat_id = m->as_int64();
    }
  }
  if (const auto* res = o->if_contains("result")) r.result = *res;
  return r;
}

namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

Outcome Classify(const ApiReply& r) {
  if (r.ok) return Outcome::Delivered();
  const std::string what = "Telegram: " + std::to_string(r.error_code) + " " +
                           (r.description.empty() ? "" : r.description);
  if (r.migrate_to_chat_id) {
    return Outcome::Moved(std::to_string(*r.migrate_to_chat_id),
                          what + " — the group became a supergroup; sending to its new id");
  }
  if (r.error_code == 429) {
    const long long s = r.retry_after.value_or(0);
    return Outcome::Retry(what + " — rate limited, retrying after " + std::to_string(s) + " s",
                          std::chrono::duration_cast<Duration>(std::chrono::seconds(s)));
  }
  if (r.error_code >= 500) return Outcome::Retry(what + " — Telegram trouble, retrying");
  if (r.error_code == 403 &&
      (Contains(r.description, "blocked") || Contains(r.description, "kicked") ||
       Contains(r.description, "deactivated") || Contains(r.description, "not a member"))) {
    return Outcome::RecipientGone(what + " — the chat is gone; unsubscribing it");
  }
  if (r.error_code == 400 && Contains(r.description, "chat not found")) {
    return Outcome::RecipientGone(what + " — the chat is gone; unsubscribing it");
  }
  if (r.error_code == 401 || r.error_code == 404) {
    return Outcome::Retry(what + " — check [telegram] token and api_url");
  }
  return Outcome::Failed(what + " — Telegram refused this message; it is dropped");
}

Outcome Classify(int http_status, std::string_view body) {
  auto r = ParseReply(http_status, body);
  if (!r) {
    if (http_status >= 500 || http_status == 429) {
      return Outcome::Retry("Telegram answered HTTP " + std::to_string(http_status) + ", retrying");
    }
    if (http_status >= 200 && http_status < 300) return Outcome::Retry(r.error().message());
    return Outcome::Failed(r.error().message());
  }
  return Classify(*r);
}

Outcome ClassifyTransportError(const Error& e) {
  return Outcome::Retry("Telegram unreachable: " + e.message() + " — retrying");
}

}  // namespace plugwatch::notify::telegram
