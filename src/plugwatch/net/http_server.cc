#include "plugwatch/net/http_server.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <list>
#include <unordered_set>

#include "plugwatch/core/log.h"

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
  o["error"] = message;
  r.body = boost::json::serialize(o);
  return r;
}

struct HttpServer::Impl {
  Impl(asio::any_io_executor e, Handler h, ServerLimits l)
      : ex(e), handler(std::move(h)), limits(l) {}
  asio::any_io_executor ex;
  Handler handler;
  ServerLimits limits;
  std::list<tcp::acceptor> acceptors;
  std::unordered_set<beast::tcp_stream*> streams;
  bool stopped = false;

  // Each coroutine owns a reference to Impl from the moment it is spawned:
  // it may first run after the HttpServer is gone.
  asio::awaitable<void> Accept(std::shared_ptr<Impl> self, tcp::acceptor& acceptor);
  asio::awaitable<void> Serve(std::shared_ptr<Impl> self, beast::tcp_stream stream);
};

HttpServer::HttpServer(asio::any_io_executor ex, Handler handler, ServerLimits limits)
    : impl_(std::make_shared<Impl>(ex, std::move(handler), limits)) {}

HttpServer::~HttpServer() { Stop(); }

std::size_t HttpServer::connections() const { return impl_->streams.size(); }

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
  asio::co_spawn(impl_->ex, impl_->Accept(impl_, a), [](std::exception_ptr e) {
    if (e) try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("http server: accept loop failed: {}", ex.what());
      }
  });
  return bound;
}

void HttpServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  beast::error_code ec;
  for (auto& a : impl_->acceptors) a.close(ec);
  for (auto* s : impl_->streams) s->socket().close(ec);
}

asio::awaitable<void> HttpServer::Impl::Accept(std::shared_ptr<Impl> self,
                                               tcp::acceptor& acceptor) {
  while (!stopped) {
    auto [ec, socket] = co_await acceptor.async_accept(kUse);
    if (ec) {
      if (stopped || ec == asio::error::operation_aborted) co_return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off instead of spinning.
        log::warn("http server: accept failed: {} — raise the open-files limit (ulimit -n)",
                  ec.message());
        asio::steady_timer t(ex, std::chrono::milliseconds(100));
        co_await t.async_wait(kUse);
      }
      continue;
    }
    if (streams.size() >= limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ex, Serve(self, beast::tcp_stream(std::move(socket))), [](std::exception_ptr e) {
      if (e) try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::error("http server: connection failed: {}", ex.what());
        }
    });
  }
}

asio::awaitable<void> HttpServer::Impl::Serve(std::shared_ptr<Impl> self,
                                              beast::tcp_stream stream) {
  streams.insert(&stream);
  struct Untrack {
    Impl* impl;
    beast::tcp_stream* s;
    ~Untrack() { impl->streams.erase(s); }
  } untrack{this, &stream};

  beast::error_code ec;
  std::string remote;
  auto rep = stream.socket().remote_endpoint(ec);
  if (!ec) remote = rep.address().to_string();
  beast::flat_buffer buffer;
  bool first = true;

  while (!stopped) {
    // An idle keep-alive connection waits idle_timeout for the next request to
    // start; once it starts, the whole request must arrive within read_timeout.
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body);
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    stream.expires_after(first ? limits.read_timeout : limits.idle_timeout);
    first = false;
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
      res = JsonError(431, "request headers too large");
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
      req.remote = remote;
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
    }

    if (auto c = res.Header("Connection"); c && *c == "close") keep_alive = false;
    http::response<http::string_body> out;
    out.version(11);
    out.result(static_cast<unsigned>(res.status));
    for (auto& [k, v] : res.headers)
      if (k != "Connection") out.insert(k, v);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head) out.body().clear();  // HEAD: the GET's headers, no body
    stream.expires_after(limits.read_timeout);
    auto [wec, wn] = co_await http::async_write(stream, out, kUse);
    if (wec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

}  // namespace plugwatch::net
