#include "plugwatch/net/http_server.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <list>
#include <unordered_set>
#include <utility>
#include <vector>

#include "plugwatch/core/log.h"
#include "plugwatch/core/utf8.h"
#include "plugwatch/net/response_stream.h"
#include "plugwatch/net/simple_request.h"

namespace plugwatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

HttpResponse JsonError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  boost::json::object o;
  // Messages quote what the client sent (a path, a query value), which may
  // be any bytes; the answer must still be JSON.
  o["error"] = ValidUtf8(message);
  r.body = boost::json::serialize(o);
  return r;
}

using Steady = std::chrono::steady_clock;

struct ServerConn;

// The lanes to continue once the answers now being sent are out: one post
// for all of them, not one per answer. Run goes through them in the order
// their answers were written.
struct LaneQueue {
  explicit LaneQueue(asio::any_io_executor e) : ex(std::move(e)) {}
  asio::any_io_executor ex;
  std::vector<ServerConn*> ready, running;
  bool posted = false;

  void Push(ServerConn* c) {
    ready.push_back(c);
    if (posted) return;
    posted = true;
    // Each queued lane's coroutine holds the server (and this queue) alive.
    asio::post(ex, [this] { Run(); });
  }
  void Run();
};

// One accepted connection, tracked so that Stop and Shutdown can reach it.
// Lives in its Serve coroutine's frame.
//
// With a fast route, the connection's reads and the requests the route takes
// run as plain callbacks on the executor — the lane — while the coroutine
// waits on `wake`: no coroutine resumption per request (ADR 0015). The lane
// hands the connection back to the coroutine when a request is not the
// route's (kGeneric) or the connection is done (kClosed). Only the lane's
// own callbacks and the route's answer refer to the connection, and the
// lane hands back only when neither is outstanding, so the frame outlives
// both.
struct ServerConn {
  enum class Lane { kOff, kRunning, kGeneric, kClosed };

  beast::tcp_stream* stream;
  const bool* draining;  // the server's: answers sent while draining close
  const ServerLimits* limits;
  const HttpServer::FastRoute* route;
  beast::flat_buffer* buffer;  // the connection's, shared with the generic path
  asio::steady_timer* wake;    // the coroutine waits on it while the lane runs
  LaneQueue* queue;            // the server's
  std::string remote;
  bool first = true;               // no request yet: read_timeout, not idle_timeout
  bool busy = false;               // a request has started and is not answered yet
  ResponseStream* body = nullptr;  // sending a streamed response
  Steady::time_point read_deadline = Steady::time_point::max();  // a fast read's (Sweep)
  Lane lane = Lane::kOff;
  bool pending = false;  // the route took a request and its answer is not written yet
  bool head = false;     // the request taken was a HEAD: the answer's head only
  std::string framed;    // the answer as sent, reused from request to request
  SimpleRequest simple;

  // Whether the connection serves another request: it is open and, while
  // the server drains, only one already received — it came behind an
  // answer that kept the connection alive, so it is answered (and that
  // answer closes the connection); nothing more is read.
  bool Continues() const {
    return stream->socket().is_open() && (!*draining || buffer->size() > 0);
  }

  // The lane's next step: the next request if one is buffered, else a read.
  // Queued after an answer, so that the answers of one commit all go out
  // before any of their connections reads again: by then its client has
  // usually sent the next request, so the read succeeds at once, with no
  // failed speculative recv and no epoll round, and the connections of one
  // commit come back together for the next.
  void Next(Steady::time_point now) {
    if (!Continues()) return End(Lane::kClosed);
    if (buffer->size() > 0) return Take();
    // A connection waits read_timeout (new) or idle_timeout (kept alive)
    // for a request to start; Sweep keeps the deadline, not a timer per read.
    read_deadline = now + (first ? limits->read_timeout : limits->idle_timeout);
    Read();
  }

  // Reads what has arrived; waits for the socket to become readable first
  // when nothing has.
  void Read() {
    beast::error_code ec;
    const std::size_t n = stream->socket().read_some(buffer->prepare(1024), ec);
    if (ec == asio::error::would_block) {
      stream->socket().async_wait(tcp::socket::wait_read, [this](const beast::error_code& wec) {
        if (wec) return End(Lane::kClosed);  // closed: Stop, Shutdown or Sweep
        Read();
      });
      return;
    }
    read_deadline = Steady::time_point::max();
    if (ec) return End(Lane::kClosed);
    buffer->commit(n);
    first = false;
    Take();
  }

  // Offers the buffered request to the route; what it does not take goes to
  // the coroutine's generic path, with the bytes still in the buffer.
  void Take() {
    busy = true;
    const std::string_view in(static_cast<const char*>(buffer->cdata().data()), buffer->size());
    if (ParseSimpleRequest(in, limits->max_header, limits->max_body, simple) ==
        SimpleParse::kComplete) {
      pending = true;
      head = simple.method == "HEAD";
      const std::size_t used = simple.size;
      bool taken = false;
      try {
        taken = (*route)(simple, remote, FastReply(this));
      } catch (const std::exception& e) {
        log::error("http server: the fast route failed ({}) on a request from {}", e.what(),
                   remote);
        // Answered before it threw: Written has already queued or ended the
        // lane, which goes on as if the route had returned true.
        taken = !pending;
        if (!taken) {
          // As an exception in the coroutine would: this connection ends.
          pending = false;
          beast::error_code ignored;
          stream->socket().close(ignored);
          return End(Lane::kClosed);
        }
      }
      if (taken) {
        // Send may already have run; what follows it is queued.
        buffer->consume(used);
        return;
      }
      pending = false;
    }
    End(Lane::kGeneric);
  }

  void End(Lane how) {
    lane = how;
    wake->cancel();
  }

  // The answer is out (or failed): a closing or failed connection is closed.
  void Written(const beast::error_code& ec, bool keep_alive) {
    pending = false;
    busy = false;
    if (ec || !keep_alive) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream->socket().close(ignored);
      return End(Lane::kClosed);
    }
    queue->Push(this);
  }
};

void LaneQueue::Run() {
  posted = false;
  running.swap(ready);
  const auto now = Steady::now();
  for (ServerConn* c : running) c->Next(now);
  running.clear();
}

namespace {

// A fast route's answer, framed as the generic path frames it (Beast's
// serializer of the same fields: status line, Content-Type, Connection when
// closing, Content-Length).
void FrameAnswer(int status, std::string_view content_type, std::string_view body, bool head,
                 bool keep_alive, std::string& out) {
  const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  char number[24];
  out.assign("HTTP/1.1 ");
  out.append(number, std::to_chars(number, number + sizeof number, status).ptr);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nContent-Type: ";
  out += content_type;
  out += keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  out += "Content-Length: ";
  out.append(number, std::to_chars(number, number + sizeof number, body.size()).ptr);
  out += "\r\n\r\n";
  if (!head) out += body;
}

}  // namespace

void FastReply::Send(int status, std::string_view content_type, std::string_view body) const {
  ServerConn& c = *conn_;
  const bool keep_alive = !*c.draining;
  FrameAnswer(status, content_type, body, c.head, keep_alive, c.framed);
  // A small answer almost always fits the socket's send buffer: sent at once
  // (the socket is non-blocking), what does not fit the usual way, under the
  // write deadline.
  beast::error_code ec;
  const std::size_t sent = c.stream->socket().write_some(asio::buffer(c.framed), ec);
  if (ec == asio::error::would_block) ec = {};
  if (!ec && sent < c.framed.size()) {
    c.stream->expires_after(c.limits->write_timeout);
    asio::async_write(*c.stream, asio::buffer(c.framed) + sent,
                      [&c, keep_alive](const beast::error_code& wec, std::size_t) {
                        c.Written(wec, keep_alive);
                      });
    return;
  }
  c.Written(ec, keep_alive);
}

namespace {

using Conn = ServerConn;

// Whether the coroutine that watches a streaming peer has finished.
struct PeerWatch {
  explicit PeerWatch(asio::any_io_executor ex) : finished(ex) {}
  bool done = false;
  asio::steady_timer finished;
};

void LogFailure(std::string_view what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::error("http server: {} failed: {}", what, ex.what());
  }
}

// Reads (and discards) whatever the peer of a stream sends until it closes
// its side or the socket is closed, then aborts the stream.
asio::awaitable<void> WatchPeer(tcp::socket& socket, std::shared_ptr<ResponseStream> body,
                                std::shared_ptr<PeerWatch> watch) {
  std::array<char, 512> scratch;
  for (;;) {
    auto into = asio::buffer(scratch);
    auto [ec, n] = co_await socket.async_read_some(into, kUse);
    if (ec) break;
  }
  body->Abort();
  watch->done = true;
  watch->finished.cancel();
}

}  // namespace

struct HttpServer::Impl {
  Impl(asio::any_io_executor e, Handler h, ServerLimits l)
      : ex(e), handler(std::move(h)), limits(l) {}
  asio::any_io_executor ex;
  Handler handler;
  FastRoute fast_route;
  ServerLimits limits;
  std::list<tcp::acceptor> acceptors;
  std::unordered_set<Conn*> conns;
  bool draining = false;  // no new connections or requests (Shutdown or Stop)
  bool stopped = false;   // every connection closed (Stop)
  // While draining: cancelled when the last connection is gone.
  std::shared_ptr<asio::steady_timer> drained;
  bool drain_running = false;
  std::vector<std::function<void()>> on_drained;  // Shutdown's `done`s
  // Fast reads carry no timer of their own: Sweep closes the connections
  // whose read deadline has passed.
  asio::steady_timer sweep{ex};
  bool sweeping = false;
  LaneQueue lanes{ex};

  void CloseAcceptors() {
    beast::error_code ec;
    for (auto& a : acceptors) a.close(ec);
  }
  void MarkStopped() {
    stopped = true;
    sweep.cancel();
  }
  void Untrack(Conn* c) {
    conns.erase(c);
    if (conns.empty() && drained) drained->cancel();
  }

  // Each coroutine owns a reference to Impl from the moment it is spawned:
  // it may first run after the HttpServer is gone.
  asio::awaitable<void> Accept(std::shared_ptr<Impl> self, tcp::acceptor& acceptor);
  asio::awaitable<void> Serve(std::shared_ptr<Impl> self, beast::tcp_stream stream);
  asio::awaitable<void> Sweep(std::shared_ptr<Impl> self);
  asio::awaitable<void> ServeStream(beast::tcp_stream& stream, Conn& conn, HttpResponse& res);
  // Waits up to `grace` for the connections to finish, closes the rest,
  // then runs on_drained.
  asio::awaitable<void> Drain(std::shared_ptr<Impl> self, Duration grace);
};

HttpServer::HttpServer(asio::any_io_executor ex, Handler handler, ServerLimits limits)
    : impl_(std::make_shared<Impl>(ex, std::move(handler), limits)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::SetFastRoute(FastRoute route) {
  impl_->fast_route = std::move(route);
  if (impl_->sweeping || impl_->stopped) return;
  impl_->sweeping = true;
  asio::co_spawn(impl_->ex, impl_->Sweep(impl_),
                 [](std::exception_ptr e) { LogFailure("read deadlines", e); });
}

std::size_t HttpServer::connections() const { return impl_->conns.size(); }

std::size_t HttpServer::streams() const {
  std::size_t n = 0;
  for (const Conn* c : impl_->conns) n += c->body != nullptr;
  return n;
}

Result<std::uint16_t> HttpServer::Listen(std::string_view host, std::uint16_t port) {
  auto where = host.find(':') != std::string_view::npos ? fmt::format("[{}]:{}", host, port)
                                                        : fmt::format("{}:{}", host, port);
  beast::error_code ec;
  auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : std::string(host), ec);
  if (ec)
    return Fail(Errc::kInvalidArgument,
                fmt::format("{}: '{}' is not an IP address — listen on an address such as "
                            "127.0.0.1, 0.0.0.0 or ::1",
                            where, host));
  tcp::endpoint ep(addr, port);
  tcp::acceptor acceptor(impl_->ex);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string hint = ec == asio::error::address_in_use
                           ? "stop the other process or choose another port"
                           : "check the address and your permissions";
    return Fail(Errc::kUnavailable, fmt::format("{}: {} — {}", where, ec.message(), hint));
  }
  std::uint16_t bound = acceptor.local_endpoint().port();
  auto& a = impl_->acceptors.emplace_back(std::move(acceptor));
  asio::co_spawn(impl_->ex, impl_->Accept(impl_, a),
                 [](std::exception_ptr e) { LogFailure("accept loop", e); });
  return bound;
}

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->MarkStopped();
  impl_->draining = true;
  impl_->CloseAcceptors();
  beast::error_code ec;
  for (Conn* c : impl_->conns) {
    c->stream->socket().close(ec);
    if (c->body) c->body->Abort();
  }
}

void HttpServer::Shutdown(Duration grace, std::function<void()> done) {
  if (done) impl_->on_drained.push_back(std::move(done));
  if (impl_->drain_running) return;
  if (impl_->stopped) {
    // Stopped already: every connection is closed.
    asio::post(impl_->ex, [impl = impl_] {
      for (auto& f : std::exchange(impl->on_drained, {})) f();
    });
    return;
  }
  impl_->draining = true;
  impl_->drain_running = true;
  impl_->CloseAcceptors();
  beast::error_code ec;
  for (Conn* c : impl_->conns) {
    if (c->body)
      c->body->End();
    else if (!c->busy && c->buffer->size() == 0)  // idle: no request has arrived
      c->stream->socket().close(ec);
  }
  asio::co_spawn(impl_->ex, impl_->Drain(impl_, grace),
                 [](std::exception_ptr e) { LogFailure("shutdown", e); });
}

asio::awaitable<void> HttpServer::Impl::Drain([[maybe_unused]] std::shared_ptr<Impl> self,
                                              Duration grace) {
  if (!conns.empty() && !stopped) {
    auto timer = std::make_shared<asio::steady_timer>(ex, grace);
    drained = timer;
    co_await timer->async_wait(kUse);
    drained.reset();
  }
  if (!stopped) {
    if (!conns.empty())
      log::warn("http server: closing {} connection(s) still busy after the grace period",
                conns.size());
    MarkStopped();
    beast::error_code ec;
    for (Conn* c : conns) {
      c->stream->socket().close(ec);
      if (c->body) c->body->Abort();
    }
  }
  // Every socket is closed now (a handler still running finds it closed).
  drain_running = false;
  for (auto& f : std::exchange(on_drained, {})) f();
}

asio::awaitable<void> HttpServer::Impl::Sweep([[maybe_unused]] std::shared_ptr<Impl> self) {
  // Often enough that a deadline is kept to within an eighth of the shorter
  // timeout (and a second).
  const Duration shortest = std::min(limits.read_timeout, limits.idle_timeout);
  const auto period = std::clamp<Duration>(shortest / 8, Duration(5), Duration(1000));
  while (!stopped) {
    sweep.expires_after(period);
    co_await sweep.async_wait(kUse);
    const auto now = Steady::now();
    beast::error_code ignored;
    for (Conn* c : conns)
      if (c->read_deadline <= now) {
        c->read_deadline = Steady::time_point::max();
        c->stream->socket().close(ignored);
      }
  }
}

asio::awaitable<void> HttpServer::Impl::Accept(std::shared_ptr<Impl> self,
                                               tcp::acceptor& acceptor) {
  while (!draining) {
    auto [ec, socket] = co_await acceptor.async_accept(kUse);
    if (ec) {
      if (draining || ec == asio::error::operation_aborted) co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off instead of spinning.
        log::warn("http server: accept failed: {} — raise the open-files limit (ulimit -n)",
                  ec.message());
        asio::steady_timer t(ex, std::chrono::milliseconds(100));
        co_await t.async_wait(kUse);
      }
      continue;
    }
    if (draining || conns.size() >= limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ex, Serve(self, beast::tcp_stream(std::move(socket))),
                   [](std::exception_ptr e) { LogFailure("connection", e); });
  }
}

asio::awaitable<void> HttpServer::Impl::Serve([[maybe_unused]] std::shared_ptr<Impl> self,
                                              beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  asio::steady_timer wake(ex);
  Conn conn{&stream, &draining, &limits, &fast_route, &buffer, &wake, &lanes};
  conns.insert(&conn);
  struct Untracker {
    Impl* impl;
    Conn* c;
    ~Untracker() { impl->Untrack(c); }
  } untrack{this, &conn};

  beast::error_code ec;
  auto rep = stream.socket().remote_endpoint(ec);
  if (!ec) conn.remote = rep.address().to_string();
  // The lane's reads and answers do not block: they return would_block.
  if (fast_route) {
    beast::error_code nec;
    stream.socket().non_blocking(true, nec);
    if (nec) {
      log::warn(
          "http server: closing the connection from {}: cannot make its socket "
          "non-blocking: {}",
          conn.remote, nec.message());
      stream.close();
      co_return;
    }
  }

  while (conn.Continues()) {
    if (fast_route) {
      // The lane serves the connection until a request is not the route's.
      conn.lane = Conn::Lane::kRunning;
      conn.Next(Steady::now());
      while (conn.lane == Conn::Lane::kRunning) {
        wake.expires_at(asio::steady_timer::time_point::max());
        co_await wake.async_wait(kUse);
      }
      if (conn.lane == Conn::Lane::kClosed) break;
    } else if (buffer.size() == 0) {
      // A connection waits read_timeout (new) or idle_timeout (kept alive)
      // for a request to start; once it has started, the whole request must
      // arrive within read_timeout.
      stream.expires_after(conn.first ? limits.read_timeout : limits.idle_timeout);
      auto [sec, sn] = co_await stream.async_read_some(buffer.prepare(1024), kUse);
      if (sec) break;
      buffer.commit(sn);
    }
    conn.first = false;
    conn.busy = true;
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    stream.expires_after(limits.read_timeout);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kUse);
    HttpResponse res;
    bool keep_alive = true;
    bool head = false;
    if (rec == http::error::end_of_stream || rec == asio::error::eof ||
        rec == beast::error::timeout || rec == asio::error::operation_aborted ||
        rec == asio::error::connection_reset) {
      break;
    } else if (rec == http::error::body_limit) {
      res = JsonError(
          413, fmt::format("request body larger than {} bytes — send less", limits.max_body));
      keep_alive = false;
    } else if (rec == http::error::header_limit) {
      res = JsonError(431, "request headers too large — send fewer or shorter headers");
      keep_alive = false;
    } else if (rec) {
      res = JsonError(400, fmt::format("malformed HTTP request: {}", rec.message()));
      keep_alive = false;
    } else {
      auto& in = parser.get();
      HttpRequest req;
      req.method = std::string(in.method_string());
      req.target = std::string(in.target());
      for (const auto& f : in) req.headers.emplace_back(f.name_string(), f.value());
      req.body = std::move(in.body());
      req.remote = conn.remote;
      keep_alive = in.keep_alive();
      head = req.method == "HEAD";
      res = co_await handler(req);
      if (res.hang) {
        // Fault injection: keep the connection open without answering until
        // the peer gives up.
        stream.expires_after(limits.idle_timeout);
        buffer.consume(buffer.size());
        char byte;
        co_await stream.async_read_some(asio::buffer(&byte, 1), kUse);
        break;
      }
      if (res.stream && !head && !stopped) {
        co_await ServeStream(stream, conn, res);
        break;
      }
      // HEAD of a stream: the headers only.
      if (res.stream) std::exchange(res.stream, nullptr)->Close();
    }

    if (auto c = res.Header("Connection"); c && *c == "close") keep_alive = false;
    if (draining) keep_alive = false;
    http::response<http::string_body> out;
    out.version(11);
    out.result(static_cast<unsigned>(res.status));
    for (auto& [k, v] : res.headers)
      if (k != "Connection") out.insert(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head) out.body().clear();  // HEAD: the GET's headers, no body
    stream.expires_after(limits.write_timeout);
    auto [wec, wn] = co_await http::async_write(stream, out, kUse);
    conn.busy = false;
    if (wec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

asio::awaitable<void> HttpServer::Impl::ServeStream(beast::tcp_stream& stream, Conn& conn,
                                                    HttpResponse& res) {
  std::shared_ptr<ResponseStream> body = std::move(res.stream);
  conn.body = body.get();
  conn.busy = false;  // Shutdown ends streams rather than waiting for them
  if (draining) body->End();

  if (limits.stream_send_buffer > 0) {
    beast::error_code ignored;
    stream.socket().set_option(asio::socket_base::send_buffer_size(limits.stream_send_buffer),
                               ignored);
  }
  http::response<http::empty_body> out;
  out.version(11);
  out.result(static_cast<unsigned>(res.status));
  for (auto& [k, v] : res.headers)
    if (k != "Connection" && k != "Content-Length" && k != "Transfer-Encoding") out.insert(k, v);
  out.keep_alive(false);
  out.chunked(true);
  http::response_serializer<http::empty_body> serializer(out);
  stream.expires_after(limits.write_timeout);
  auto [hec, hn] = co_await http::async_write_header(stream, serializer, kUse);
  if (!hec) {
    auto watch = std::make_shared<PeerWatch>(ex);
    // The watcher reads the socket in this frame: it is waited for below.
    asio::co_spawn(ex, WatchPeer(stream.socket(), body, watch),
                   [](std::exception_ptr e) { LogFailure("stream watcher", e); });
    asio::steady_timer wake(ex);
    body->SetWake([&wake, &stream, b = body.get()] {
      wake.cancel();
      // Cut off or aborted: a write in flight to a stalled peer ends now.
      beast::error_code ignored;
      if (b->aborted()) stream.socket().close(ignored);
    });
    for (;;) {
      if (body->aborted()) break;
      std::string data = body->Take();
      if (data.empty()) {
        if (body->ending()) {
          auto last = http::make_chunk_last();
          stream.expires_after(limits.write_timeout);
          co_await asio::async_write(stream, last, kUse);
          break;
        }
        wake.expires_at(asio::steady_timer::time_point::max());
        co_await wake.async_wait(kUse);
        continue;
      }
      auto chunk = http::make_chunk(asio::buffer(data));
      stream.expires_after(limits.write_timeout);
      auto [wec, wn] = co_await asio::async_write(stream, chunk, kUse);
      if (wec) break;
      body->Sent();
    }
    body->SetWake(nullptr);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.socket().close(ec);
    while (!watch->done) {
      watch->finished.expires_at(asio::steady_timer::time_point::max());
      co_await watch->finished.async_wait(kUse);
    }
  }
  conn.body = nullptr;
  body->Close();
}

}  // namespace plugwatch::net
