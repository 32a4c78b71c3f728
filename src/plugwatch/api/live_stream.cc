#include "plugwatch/api/live_stream.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <map>

#include "plugwatch/core/log.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/event_bus.h"
#include "plugwatch/net/http_server.h"
#include "plugwatch/net/response_stream.h"
#include "plugwatch/store/store.h"

namespace plugwatch::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Events of this process kept in memory for the replay (far more than one
// group commit's worth).
constexpr std::size_t kRecentEvents = 256;
// Browsers wait this long before reconnecting a dropped stream.
constexpr std::string_view kHello = "retry: 3000\n\n";
constexpr std::string_view kPing = ": ping\n\n";

template <class T>
bool ParseWhole(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The event id a client last saw, from its Last-Event-ID ("1234" or "1234.87").
std::optional<long long> LastSeenEventId(std::string_view last_event_id) {
  long long id = 0;
  if (!ParseWhole(last_event_id.substr(0, last_event_id.find('.')), id) || id < 0)
    return std::nullopt;
  return id;
}

}  // namespace

StreamOptions StreamOptions::FromEnvironment(const config::EnvLookup& env) {
  StreamOptions o;
  if (auto v = env("PLUGWATCH_STREAM_PING")) {
    auto d = ParseDuration(*v);
    if (d && d->count() > 0)
      o.ping_every = *d;
    else
      log::warn("PLUGWATCH_STREAM_PING='{}' is not a positive duration such as 15s — using {}", *v,
                FormatDuration(o.ping_every));
  }
  auto count = [&](const char* name, std::size_t& out) {
    auto v = env(name);
    if (!v) return;
    std::size_t n = 0;
    if (ParseWhole(*v, n) && n > 0)
      out = n;
    else
      log::warn("{}='{}' is not a positive whole number — using {}", name, *v, out);
  };
  count("PLUGWATCH_STREAM_QUEUE_BYTES", o.max_queue_bytes);
  count("PLUGWATCH_STREAM_MAX_CLIENTS", o.max_clients);
  return o;
}

std::string SseEvent(const Event& e, bool with_id) {
  const std::string data = json::serialize(ToJson(e));
  if (!with_id) return fmt::format("event: {}\ndata: {}\n\n", ToString(e.type), data);
  return fmt::format("id: {}\nevent: {}\ndata: {}\n\n", e.id, ToString(e.type), data);
}

std::string SseReading(const Reading& r, std::string_view id) {
  json::object o;
  o["device"] = r.device;
  o["ts"] = FormatTimestamp(r.at);
  o["reachable"] = r.reachable;
  o["power_w"] = r.power_w ? json::value(*r.power_w) : json::value();
  o["on"] = r.relay_on ? json::value(*r.relay_on) : json::value();
  return fmt::format("id: {}\nevent: reading\ndata: {}\n\n", id, json::serialize(o));
}

struct LiveStream::Client {
  std::shared_ptr<net::ResponseStream> stream;
  std::string remote;
};

LiveStream::LiveStream(asio::any_io_executor ex, store::Store& store, StreamOptions opts)
    : ex_(ex), store_(store), opts_(opts), ping_timer_(std::make_shared<asio::steady_timer>(ex)) {}

std::shared_ptr<LiveStream> LiveStream::Start(asio::any_io_executor ex, engine::EventBus& bus,
                                              store::Store& store, StreamOptions opts) {
  std::shared_ptr<LiveStream> self(new LiveStream(ex, store, opts));
  store::EventQuery newest;
  newest.limit = 1;
  if (auto e = store.QueryEvents(newest); e && !e->empty()) self->last_event_id_ = e->front().id;
  std::weak_ptr<LiveStream> weak = self;
  bus.OnEvent([weak](const Event& e) {
    if (auto s = weak.lock()) s->OnEvent(e);
  });
  bus.OnReading([weak](const Reading& r) {
    if (auto s = weak.lock()) s->OnReading(r);
  });
  asio::co_spawn(ex, Ping(weak), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("api: live stream pings stopped: {}", ex.what());
    }
  });
  return self;
}

net::HttpResponse LiveStream::Open(const net::HttpRequest& req) {
  if (stopped_) {
    auto res = net::JsonError(503, "the service is shutting down — reconnect in a moment");
    res.headers.emplace_back("Retry-After", "5");
    return res;
  }
  if (clients_.size() >= opts_.max_clients) {
    auto res = net::JsonError(
        503, fmt::format("too many live stream clients ({}) — close another dashboard or stream "
                         "client, then retry",
                         opts_.max_clients));
    res.headers.emplace_back("Retry-After", "5");
    return res;
  }
  auto client = std::make_shared<Client>();
  client->stream = std::make_shared<net::ResponseStream>(opts_.max_queue_bytes);
  client->remote = req.remote;
  std::string first(kHello);
  if (auto last = req.Header("Last-Event-ID")) {
    if (auto id = LastSeenEventId(*last))
      first += Replay(*id);
    else
      log::warn(
          "api: live stream client {}: ignoring Last-Event-ID '{}' (not an id this "
          "service sent)",
          req.remote, *last);
  }
  // Registered in the same turn as the replay is read: no event falls between.
  client->stream->Write(first);
  std::weak_ptr<LiveStream> weak = weak_from_this();
  client->stream->OnClose([weak, raw = client.get()] {
    if (auto s = weak.lock()) s->Remove(raw);
  });
  clients_.push_back(client);

  net::HttpResponse res;
  res.headers.emplace_back("Content-Type", "text/event-stream");
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
  res.stream = client->stream;
  return res;
}

void LiveStream::Stop() {
  if (stopped_) return;
  stopped_ = true;
  ping_timer_->cancel();
  for (auto& c : clients_) c->stream->End();
}

std::string LiveStream::Replay(long long last_id) {
  std::map<long long, const Event*> by_id;
  store::EventQuery q;  // since the epoch, newest first
  q.limit = static_cast<int>(opts_.replay_max);
  auto stored = store_.QueryEvents(q);
  bool truncated = false;
  if (!stored) {
    log::warn("api: live stream replay: {}", stored.error().context);
  } else {
    for (const auto& e : *stored)
      if (e.id > last_id) by_id.emplace(e.id, &e);
    truncated = stored->size() == opts_.replay_max && stored->back().id > last_id + 1;
  }
  for (const auto& e : recent_)
    if (e.id > last_id) by_id.emplace(e.id, &e);
  // The newest events that fit replay_max and half the client's queue (so the
  // live feed has room behind them), oldest first.
  std::vector<std::string> messages;
  std::size_t bytes = 0;
  for (auto it = by_id.rbegin(); it != by_id.rend(); ++it) {
    std::string m = SseEvent(*it->second, it->first <= last_event_id_);
    if (messages.size() == opts_.replay_max || bytes + m.size() > opts_.max_queue_bytes / 2) {
      truncated = true;
      break;
    }
    bytes += m.size();
    messages.push_back(std::move(m));
  }
  std::string out;
  if (truncated)
    out +=
        fmt::format(": replay limited to the newest {} events — GET /api/events for older ones\n\n",
                    messages.size());
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) out += *it;
  return out;
}

void LiveStream::OnEvent(const Event& e) {
  last_event_id_ = std::max(last_event_id_, e.id);
  recent_.push_back(e);
  if (recent_.size() > kRecentEvents) recent_.pop_front();
  if (clients_.empty()) return;
  Broadcast(SseEvent(e));
}

void LiveStream::OnReading(const Reading& r) {
  if (clients_.empty()) return;  // the poll path pays nothing without clients
  Broadcast(SseReading(r, fmt::format("{}.{}", last_event_id_, ++reading_seq_)));
}

void LiveStream::Broadcast(std::string_view message) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto& c = **it;
    if (c.stream->Write(message)) {
      ++it;
      continue;
    }
    if (c.stream->cut_off()) {
      ++dropped_;
      log::warn("api: live stream client {} dropped: it read too slowly (over {} bytes waiting)",
                c.remote, opts_.max_queue_bytes);
    }
    it = clients_.erase(it);
  }
}

void LiveStream::Remove(const Client* c) {
  std::erase_if(clients_, [c](const auto& p) { return p.get() == c; });
}

asio::awaitable<void> LiveStream::Ping(std::weak_ptr<LiveStream> weak) {
  for (;;) {
    std::shared_ptr<asio::steady_timer> timer;
    {
      auto self = weak.lock();
      if (!self || self->stopped_) co_return;
      timer = self->ping_timer_;
      timer->expires_after(self->opts_.ping_every);
    }
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    auto self = weak.lock();
    if (!self || self->stopped_) co_return;
    if (!self->clients_.empty()) self->Broadcast(kPing);
  }
}

}  // namespace plugwatch::api
