#include "plugwatch/notify/http_sinks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "plugwatch/core/time.h"

namespace plugwatch::notify {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

std::string Snippet(std::string_view body) {
  std::string s = CutUtf8(body, 200);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::optional<Duration> RetryAfterHeader(const net::HttpResponse& r) {
  auto h = r.Header("Retry-After");
  if (!h) return std::nullopt;
  long long seconds = 0;
  auto [p, ec] = std::from_chars(h->data(), h->data() + h->size(), seconds);
  if (ec != std::errc() || seconds < 0) return std::nullopt;
  return Duration(seconds * 1000);
}

}  // namespace

Outcome ClassifyHttp(const Result<net::HttpResponse>& r, std::string_view what) {
  if (!r) return Outcome::Retry(fmt::format("{}: {}", what, r.error().message()));
  const int st = r->status;
  if (st >= 200 && st < 300) return Outcome::Delivered();
  const std::string detail = fmt::format("{}: HTTP {}: {}", what, st, Snippet(r->body));
  if (st == 429 || st == 408 || st >= 500)
    return Outcome::Retry(detail, RetryAfterHeader(*r).value_or(Duration(0)));
  if (st == 401 || st == 403)
    return Outcome::Failed(detail + " — check the token or credentials in the sink URL");
  if (st == 404) return Outcome::Failed(detail + " — check the sink URL");
  return Outcome::Failed(detail);
}

std::string HmacSha256Hex(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", mac[i]);
  return hex;
}

std::string CutUtf8(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0, i = 0;
  std::size_t cut_at = std::string_view::npos;  // byte offset where max_chars - 1 chars end
  while (i < text.size()) {
    if (chars == max_chars - 1) cut_at = i;
    if (chars == max_chars) return std::string(text.substr(0, cut_at)) + "…";
    const unsigned char c = static_cast<unsigned char>(text[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    ++chars;
  }
  return std::string(text);
}

std::string WebhookSink::Body(const Delivery& d) {
  json::array tags;
  for (const auto& t : d.message.tags) tags.emplace_back(t);
  json::object o{{"event_type", d.event_type},
                 {"title", d.message.title},
                 {"message", d.message.text},
                 {"priority", d.message.priority},
                 {"tags", std::move(tags)},
                 {"idempotency_key", d.idempotency_key},
                 {"created_at", FormatTimestamp(d.created_at)},
                 {"attempt", d.attempt}};
  boost::system::error_code ec;
  if (!d.message.data_json.empty()) {
    auto event = json::parse(d.message.data_json, ec);
    if (!ec) o["event"] = std::move(event);
  }
  if (!o.contains("event")) o["event"] = nullptr;
  return json::serialize(o);
}

asio::awaitable<Outcome> WebhookSink::Deliver(const Delivery& d) {
  net::WebRequest req;
  req.url = url_;
  req.body = Body(d);
  req.headers = {{"Content-Type", "application/json"},
                 {"Idempotency-Key", d.idempotency_key},
                 {"X-Plugwatch-Event", d.event_type}};
  if (!secret_.empty())
    req.headers.emplace_back("X-Plugwatch-Signature", "sha256=" + HmacSha256Hex(secret_, req.body));
  auto r = co_await web_->Send(req, timeout_);
  co_return ClassifyHttp(r, "webhook");
}

asio::awaitable<Outcome> NtfySink::Deliver(const Delivery& d) {
  net::WebRequest req;
  req.url = url_;
  req.body = d.message.text;
  if (!d.message.title.empty()) req.headers.emplace_back("X-Title", d.message.title);
  // Quiet hours: priority 2 ("low") makes no sound on the phone.
  const int priority =
      d.message.silent ? std::min(2, d.message.priority) : std::clamp(d.message.priority, 1, 5);
  req.headers.emplace_back("X-Priority", std::to_string(priority));
  if (!d.message.tags.empty())
    req.headers.emplace_back("X-Tags", fmt::format("{}", fmt::join(d.message.tags, ",")));
  if (!authorization_.empty()) req.headers.emplace_back("Authorization", authorization_);
  req.headers.emplace_back("X-Plugwatch-Idempotency-Key", d.idempotency_key);
  auto r = co_await web_->Send(req, timeout_);
  co_return ClassifyHttp(r, "ntfy");
}

asio::awaitable<Outcome> DiscordSink::Deliver(const Delivery& d) {
  std::string content = d.message.title.empty() || d.message.text.starts_with(d.message.title)
                            ? d.message.text
                            : "**" + d.message.title + "**\n" + d.message.text;
  content = CutUtf8(content, kMaxContent);
  json::object o{{"content", content}};
  if (d.message.silent) o["flags"] = 4096;  // SUPPRESS_NOTIFICATIONS
  net::WebRequest req;
  req.url = url_;
  req.body = json::serialize(o);
  req.headers = {{"Content-Type", "application/json"}};
  auto r = co_await web_->Send(req, timeout_);
  Outcome out = ClassifyHttp(r, "discord");
  if (r && r->status == 429) {
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    if (!ec && v.is_object())
      if (auto* ra = v.as_object().if_contains("retry_after"); ra && ra->is_number())
        out.retry_after = Duration(std::llround(ra->to_number<double>() * 1000.0));
  }
  co_return out;
}

asio::awaitable<Outcome> ConsoleSink::Deliver(const Delivery& d) {
  const std::string line = fmt::format("[{}] {}: {}\n", name_, d.event_type, d.message.text);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  co_return Outcome::Delivered();
}

}  // namespace plugwatch::notify
