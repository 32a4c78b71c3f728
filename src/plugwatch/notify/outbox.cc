#include "plugwatch/notify/outbox.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <set>

#include "plugwatch/core/log.h"

namespace plugwatch::notify {

namespace asio = boost::asio;
namespace json = boost::json;

std::string MessageToJson(const Message& m) {
  json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  json::object o{{"title", m.title},        {"text", m.text},     {"priority", m.priority},
                 {"tags", std::move(tags)}, {"silent", m.silent}, {"data", m.data_json}};
  return json::serialize(o);
}

Message MessageFromJson(std::string_view text) {
  Message m;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    m.text = std::string(text);
    return m;
  }
  const auto& o = v.as_object();
  if (auto* x = o.if_contains("title"); x && x->is_string()) m.title = x->as_string();
  if (auto* x = o.if_contains("text"); x && x->is_string()) m.text = x->as_string();
  if (auto* x = o.if_contains("priority"); x && x->is_int64())
    m.priority = static_cast<int>(x->as_int64());
  if (auto* x = o.if_contains("silent"); x && x->is_bool()) m.silent = x->as_bool();
  if (auto* x = o.if_contains("data"); x && x->is_string()) m.data_json = x->as_string();
  if (auto* x = o.if_contains("tags"); x && x->is_array())
    for (const auto& t : x->as_array())
      if (t.is_string()) m.tags.emplace_back(t.as_string());
  return m;
}

struct Outbox::State {
  State(asio::any_io_executor e, store::Store& st, const Clock& c, RetryPolicy p)
      : ex(e), store(st), clock(c), policy(p), timer(e), rng(std::random_device{}()) {}
  asio::any_io_executor ex;
  store::Store& store;
  const Clock& clock;
  RetryPolicy policy;
  asio::steady_timer timer;
  std::mt19937 rng;
  std::map<std::string, std::shared_ptr<Sink>, std::less<>> sinks;
  std::vector<RecipientHook> hooks;
  bool running = false;
  bool dirty = false;
  std::set<std::pair<std::string, std::string>> busy;  // (sink, recipient) in flight
  std::set<long long> done;                            // finished, maybe not yet committed
  std::map<long long, store::OutboxEntry> pending;     // retried, maybe not yet committed

  mutable std::mutex stats_mu;
  OutboxStats stats;

  void Wake() {
    dirty = true;
    timer.cancel();
  }
  void Count(const std::string& sink, const std::string& result) {
    std::lock_guard lk(stats_mu);
    ++stats.results[sink][result];
  }
  double Random() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

  void Finish(const store::OutboxEntry& row, const std::string& result) {
    if (row.state == "queued")
      pending[row.id] = row;
    else {
      done.insert(row.id);
      pending.erase(row.id);
    }
    store.UpdateNotification(row);
    Count(row.sink, result);
  }
};

Outbox::Outbox(asio::any_io_executor ex, store::Store& store, const Clock& clock,
               RetryPolicy policy)
    : s_(std::make_shared<State>(ex, store, clock, policy)) {}

Outbox::~Outbox() { Stop(); }

void Outbox::AddSink(std::shared_ptr<Sink> sink) {
  const std::string name = sink->name();
  s_->sinks[name] = std::move(sink);
  std::lock_guard lk(s_->stats_mu);
  s_->stats.results[name];  // counters exist from the start (metrics show zeros)
}

std::shared_ptr<Sink> Outbox::FindSink(std::string_view name) const {
  auto it = s_->sinks.find(name);
  return it == s_->sinks.end() ? nullptr : it->second;
}

std::vector<std::string> Outbox::SinkNames() const {
  std::vector<std::string> out;
  for (const auto& [n, _] : s_->sinks) out.push_back(n);
  return out;
}

void Outbox::OnRecipientChange(RecipientHook hook) { s_->hooks.push_back(std::move(hook)); }

Result<int> Outbox::Enqueue(const std::vector<Item>& items) {
  if (items.empty()) return 0;
  std::vector<store::OutboxEntry> rows;
  const TimePoint now = s_->clock.Now();
  for (const auto& i : items) {
    store::OutboxEntry e;
    e.sink = i.sink;
    e.recipient = i.recipient;
    e.event_type = i.event_type;
    e.idempotency_key = i.idempotency_key;
    e.message_json = MessageToJson(i.message);
    e.created_at = now;
    rows.push_back(std::move(e));
  }
  auto ids = s_->store.EnqueueNotifications(std::move(rows));
  if (!ids) return Fail(Wrap(ids.error(), "notification outbox"));
  int added = 0;
  for (long long id : *ids) added += id != 0;
  s_->Wake();
  return added;
}

Result<int> Outbox::Enqueue(std::string sink, std::string recipient, std::string event_type,
                            std::string idempotency_key, Message message) {
  const std::vector<Item> items{{std::move(sink), std::move(recipient), std::move(event_type),
                                 std::move(idempotency_key), std::move(message)}};
  return Enqueue(items);
}

OutboxStats Outbox::Stats() const {
  std::lock_guard lk(s_->stats_mu);
  return s_->stats;
}

namespace {

asio::awaitable<void> Deliver(std::shared_ptr<Outbox::State> s, store::OutboxEntry row,
                              std::shared_ptr<Sink> sink) {
  Delivery d;
  d.id = row.id;
  d.sink = row.sink;
  d.recipient = row.recipient;
  d.event_type = row.event_type;
  d.idempotency_key = row.idempotency_key;
  d.created_at = row.created_at;
  d.attempt = row.attempts + 1;
  d.message = MessageFromJson(row.message_json);
  Outcome o;
  try {
    o = co_await sink->Deliver(d);
  } catch (const std::exception& e) {
    o = Outcome::Retry(fmt::format("sink {} threw: {}", row.sink, e.what()));
  }
  const auto key = std::make_pair(row.sink, row.recipient);
  auto next = Decide(s->policy, row, o, s->clock.Now(), s->Random());
  std::string result = next.state == "queued" ? "retry" : next.state;
  using K = Outcome::Kind;
  if (o.kind == K::kRecipientGone || o.kind == K::kMoved) {
    const std::string to = o.kind == K::kMoved ? o.moved_to : std::string();
    if (auto r = s->store.MoveNotifications(row.sink, row.recipient, to, o.detail); !r)
      log::error("notify[{}]: {}", row.sink, r.error().message());
    if (o.kind == K::kMoved) next.recipient = o.moved_to;
    if (o.kind == K::kRecipientGone) {
      // The recipient's other queued rows were dropped with it: forget them.
      for (auto it = s->pending.begin(); it != s->pending.end();)
        if (it->second.sink == row.sink && it->second.recipient == row.recipient)
          it = s->pending.erase(it);
        else
          ++it;
    }
    for (const auto& hook : s->hooks) hook(row.sink, row.recipient, o);
    result = o.kind == K::kMoved ? "moved" : "dropped";
  }
  if (o.kind == K::kRetry)
    log::warn("notify[{}]: message {} attempt {}: {}", row.sink, row.id, next.attempts, o.detail);
  else if (next.state == "failed" || next.state == "dropped")
    log::error("notify[{}]: message {} {}: {}", row.sink, row.id, next.state, next.last_error);
  s->Finish(next, result);
  s->busy.erase(key);
  s->Wake();
}

asio::awaitable<void> Run(std::shared_ptr<Outbox::State> s) {
  constexpr int kLimit = 2000;
  while (s->running) {
    s->dirty = false;
    auto rows = s->store.QueuedNotifications(kLimit);
    const TimePoint now = s->clock.Now();
    TimePoint next_due = now + Duration(1000);  // also picks up rows other processes queue
    if (!rows) {
      log::error("notification outbox: {}", rows.error().message());
    } else {
      std::set<long long> present;
      std::map<std::string, long long> queued;
      std::set<std::pair<std::string, std::string>> seen;
      for (auto& row : *rows) {
        present.insert(row.id);
        if (s->done.contains(row.id)) continue;
        if (auto p = s->pending.find(row.id); p != s->pending.end()) row = p->second;
        ++queued[row.sink];
        const auto key = std::make_pair(row.sink, row.recipient);
        if (!seen.insert(key).second || s->busy.contains(key)) continue;  // not the head
        if (Expired(s->policy, row, now)) {
          row.state = "dropped";
          row.last_error = "older than the maximum age; not sent";
          log::error("notify[{}]: message {} dropped: {}", row.sink, row.id, row.last_error);
          s->Finish(row, "dropped");
          s->dirty = true;
          continue;
        }
        if (row.next_attempt_at > now) {
          next_due = std::min(next_due, row.next_attempt_at);
          continue;
        }
        auto sink = s->sinks.find(row.sink);
        if (sink == s->sinks.end()) {
          auto next = Decide(s->policy, row,
                             Outcome::Retry(fmt::format("no sink named '{}' is configured — add it "
                                                        "to [[sinks]] or its messages are dropped "
                                                        "after the maximum age",
                                                        row.sink)),
                             now, s->Random());
          s->Finish(next, next.state == "queued" ? "retry" : next.state);
          continue;
        }
        s->busy.insert(key);
        asio::co_spawn(s->ex, Deliver(s, row, sink->second), asio::detached);
      }
      if (static_cast<int>(rows->size()) < kLimit) {
        std::erase_if(s->done, [&](long long id) { return !present.contains(id); });
        std::erase_if(s->pending, [&](const auto& p) { return !present.contains(p.first); });
      }
      std::lock_guard lk(s->stats_mu);
      for (auto& [sink, n] : s->stats.queued) n = 0;
      for (const auto& [sink, n] : queued) s->stats.queued[sink] = n;
      for (const auto& [sink, _] : s->sinks) s->stats.queued[sink];
    }
    if (s->dirty || !s->running) continue;
    const auto wait = std::max(Duration(0), next_due - s->clock.Now());
    s->timer.expires_after(wait);
    auto [ec] = co_await s->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
}

}  // namespace

void Outbox::Start() {
  if (s_->running) return;
  s_->running = true;
  asio::co_spawn(s_->ex, Run(s_), asio::detached);
}

void Outbox::Stop() {
  s_->running = false;
  s_->timer.cancel();
}

}  // namespace plugwatch::notify
