// LiveStream: GET /api/stream — every event and every reading on the bus, as
// Server-Sent Events, to every connected client (the dashboard, scripts).
//
//   id: 1234                       an event: its id in the store
//   event: switched_off            its type
//   data: {"id":1234,"ts":…}       its JSON (the same as everywhere, core/event.h)
//
//   id: 1234.87                    a reading: <last event id>.<reading sequence>
//   event: reading
//   data: {"device":"washer","ts":…,"reachable":true,"power_w":412.5,"on":true}
//
//   : ping                         a comment every ping_every, so proxies and
//                                  clients see the connection is alive
//
// Ids: an event's id is its store id (monotonic for this service's events).
// A reading's id is the id of the last event published before it, a dot, and
// a per-process sequence number, so that every message has a distinct id and
// the part before the dot always says which events the client has seen.
// A client that reconnects with Last-Event-ID (browsers do so by themselves)
// first gets the stored events with a larger id — at most replay_max, the
// newest — then the live feed. Readings are not replayed: they are many, a
// newer one follows within a poll interval, and GET /api/readings has the
// history. Processes take event ids in blocks, so an event that another
// process (the CLI) recorded meanwhile can have an id above this service's
// later events: it is replayed without an "id:" line, so that the client's
// Last-Event-ID never skips the service's own events; it may then be
// replayed again after a later reconnect (its JSON has its id, to tell).
//
// Clients are independent: each has its own bounded queue (net::
// ResponseStream); one that reads too slowly is dropped (logged), never
// slowing the bus, the event loop or other clients. At most max_clients are
// connected at once (503 beyond). Stop() ends every stream.
//
// Single-threaded: on the service's event loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/core/clock.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/reading.h"
#include "plugwatch/net/http_message.h"

namespace plugwatch::engine {
class EventBus;
}
namespace plugwatch::store {
class Store;
}

namespace plugwatch::api {

struct StreamOptions {
  Duration ping_every{15'000};
  std::size_t max_queue_bytes = std::size_t{1} << 20;  // per client
  std::size_t max_clients = 64;
  std::size_t replay_max = 1000;

  // The defaults, overridden by PLUGWATCH_STREAM_PING (a duration, "15s"),
  // PLUGWATCH_STREAM_QUEUE_BYTES and PLUGWATCH_STREAM_MAX_CLIENTS: tuning
  // knobs for tests and unusual deployments. Invalid values are logged and
  // ignored.
  static StreamOptions FromEnvironment(const config::EnvLookup& env);
};

// The wire form of one event or reading (one SSE message, blank line included).
// with_id = false leaves out the "id:" line (see Replay).
std::string SseEvent(const Event& e, bool with_id = true);
std::string SseReading(const Reading& r, std::string_view id);

class LiveStream : public std::enable_shared_from_this<LiveStream> {
 public:
  // Subscribes to the bus (for the lifetime of the bus; the subscription
  // does nothing once the LiveStream is gone) and starts pinging.
  static std::shared_ptr<LiveStream> Start(boost::asio::any_io_executor ex, engine::EventBus& bus,
                                           store::Store& store, StreamOptions opts);
  LiveStream(const LiveStream&) = delete;
  LiveStream& operator=(const LiveStream&) = delete;

  // The answer to GET /api/stream: a stream registered for the live feed,
  // after the replay asked for by Last-Event-ID; or 503 when there are
  // max_clients already or the service is stopping.
  net::HttpResponse Open(const net::HttpRequest& req);
  // Ends every stream once it has sent what it queued; refuses new ones.
  void Stop();

  std::size_t clients() const { return clients_.size(); }
  long long dropped() const { return dropped_; }  // cut off for reading too slowly
  const StreamOptions& options() const { return opts_; }

 private:
  struct Client;
  LiveStream(boost::asio::any_io_executor ex, store::Store& store, StreamOptions opts);
  void OnEvent(const Event& e);
  void OnReading(const Reading& r);
  void Broadcast(std::string_view message);
  void Remove(const Client* c);
  // The replay for a client that last saw `last_id`.
  std::string Replay(long long last_id);
  static boost::asio::awaitable<void> Ping(std::weak_ptr<LiveStream> weak);

  boost::asio::any_io_executor ex_;
  store::Store& store_;
  StreamOptions opts_;
  std::vector<std::shared_ptr<Client>> clients_;
  // This process's newest events: the replay also covers events whose
  // write has not been committed yet.
  std::deque<Event> recent_;
  long long last_event_id_ = 0;
  long long reading_seq_ = 0;
  long long dropped_ = 0;
  bool stopped_ = false;
  std::shared_ptr<boost::asio::steady_timer> ping_timer_;
};

}  // namespace plugwatch::api
