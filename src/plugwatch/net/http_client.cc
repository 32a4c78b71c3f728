#include "plugwatch/net/http_client.h"

#include <fmt/format.h>
#include <strings.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <charconv>
#include <optional>

#include "plugwatch/net/net_error.h"

namespace plugwatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

struct HttpClient::Impl {
  Impl(asio::any_io_executor ex, std::string h, std::uint16_t p, ClientLimits l)
      : socket(ex), host(std::move(h)), port(p), limits(l) {
    // An IP literal needs no resolver (nor its per-object state).
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) endpoints.emplace(1, tcp::endpoint(address, port));
  }
  tcp::socket socket;
  std::unique_ptr<tcp::resolver> resolver;  // made on first use, for host names
  std::string host;
  std::uint16_t port;
  ClientLimits limits;
  bool connected = false;
  long long connects = 0;
  std::optional<std::vector<tcp::endpoint>> endpoints;  // resolved once
  std::string host_header;
  // The Deadline of the Send in flight (0: none), and whether it fired.
  std::uint64_t deadline_id = 0;
  std::uint64_t deadlines = 0;
  bool timed_out = false;
};

// One Send's deadline: a timer that lives in Send's frame and, when it fires,
// closes the socket, which ends whatever operation is pending with
// operation_aborted. Its handler can run after the Send ended, even after the
// client is gone, so it holds the Impl weakly and acts only while the Send
// that armed it is still in flight.
class HttpClient::Deadline {
 public:
  Deadline(const std::shared_ptr<Impl>& impl, Duration timeout)
      : impl_(*impl), id_(++impl->deadlines), timer_(impl->socket.get_executor()) {
    impl_.deadline_id = id_;
    impl_.timed_out = false;
    timer_.expires_after(timeout);
    timer_.async_wait([weak = std::weak_ptr<Impl>(impl), id = id_](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the Send ended in time
      const auto impl = weak.lock();
      if (impl == nullptr || impl->deadline_id != id) return;
      impl->timed_out = true;
      impl->socket.close(ec);
      if (impl->resolver) impl->resolver->cancel();
    });
  }
  ~Deadline() {
    if (impl_.deadline_id == id_) impl_.deadline_id = 0;
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

 private:
  Impl& impl_;
  std::uint64_t id_;
  asio::steady_timer timer_;  // its destructor cancels the wait
};

HttpClient::HttpClient(asio::any_io_executor ex, std::string host, std::uint16_t port,
                       ClientLimits limits)
    : impl_(std::make_shared<Impl>(ex, std::move(host), port, limits)) {
  impl_->host_header = impl_->host.find(':') != std::string::npos
                           ? fmt::format("[{}]:{}", impl_->host, port)
                           : fmt::format("{}:{}", impl_->host, port);
}

HttpClient::~HttpClient() = default;

void HttpClient::Close() {
  boost::system::error_code ec;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ec);
  impl_->socket.close(ec);
  impl_->connected = false;
}

const std::string& HttpClient::host() const { return impl_->host; }
std::uint16_t HttpClient::port() const { return impl_->port; }
long long HttpClient::connects() const { return impl_->connects; }

namespace {

constexpr std::string_view kDeviceHint = "is the device powered and on the network?";

// Per-thread scratch space for the steps of Send that run without
// suspending: rendering the request, and reading what has arrived. A client
// runs on one thread at a time, and neither buffer is used across a co_await.
struct Scratch {
  std::string wire;
  std::array<char, 16 * 1024> in;
};
thread_local Scratch scratch;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Fails with kInvalidArgument when a line break would let a value inject
// headers (checked before connecting).
Result<void> CheckRequest(const HttpRequestView& req) {
  if (req.method.empty() || req.target.empty() || HasLineBreak(req.method) ||
      HasLineBreak(req.target))
    return Fail(Errc::kInvalidArgument,
                "HTTP request needs a method and a target without line breaks");
  for (const auto& [k, v] : req.headers) {
    if (k.empty() || HasLineBreak(k) || HasLineBreak(v))
      return Fail(Errc::kInvalidArgument,
                  "HTTP header names and values must not contain line breaks");
  }
  return {};
}

// Renders a checked request as HTTP/1.1 bytes into `out`: Host first, the
// caller's headers in order, then Content-Length (keep-alive is implicit in
// HTTP/1.1). Host, Content-Length, Transfer-Encoding and Connection are this
// client's to set, so a caller's copies are dropped.
void RenderRequest(const HttpRequestView& req, std::string_view host_header, std::string& out) {
  std::size_t size =
      req.method.size() + req.target.size() + host_header.size() + 64 + req.body.size();
  for (const auto& [k, v] : req.headers) size += k.size() + v.size() + 4;
  out.clear();
  out.reserve(size);
  out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\nHost: ");
  out.append(host_header).append("\r\n");
  for (const auto& [k, v] : req.headers) {
    if (IEquals(k, "Host") || IEquals(k, "Content-Length") || IEquals(k, "Transfer-Encoding") ||
        IEquals(k, "Connection"))
      continue;
    out.append(k).append(": ").append(v).append("\r\n");
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, req.body.size()).ptr;
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n").append(req.body);
}

// Beast's HTTP/1.1 response parser, writing the status, the headers (when
// wanted) and the body straight into an HttpResponse.
class ResponseParser final : public http::basic_parser<false> {
 public:
  ResponseParser(HttpResponse& out, ResponseHeaders headers, const ClientLimits& limits)
      : out_(out), keep_headers_(headers == ResponseHeaders::kAll) {
    body_limit(limits.max_body);
    header_limit(16 * 1024);
    eager(true);  // the body in the same put as the header
  }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    out_.status = code;
  }
  void on_field_impl(http::field, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    if (keep_headers_) out_.headers.emplace_back(name, value);
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    // body_limit has been checked against the length already.
    if (length) out_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  HttpResponse& out_;
  bool keep_headers_;
};

// Feeds bytes that arrived to the parser. `pending` keeps what it could not
// take yet (a header cut in the middle) for the next call. Sets `extra` when
// bytes follow a complete response (nothing was asked for them).
beast::error_code Feed(ResponseParser& parser, std::string_view data, std::string& pending,
                       bool& extra) {
  if (!pending.empty()) {
    pending.append(data);
    data = pending;
  }
  beast::error_code ec;
  while (!data.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(asio::buffer(data.data(), data.size()), ec);
    data.remove_prefix(used);
    if (ec == http::error::need_more || (!ec && used == 0)) {
      ec = {};
      break;
    }
    if (ec) return ec;
  }
  extra = parser.is_done() && !data.empty();
  // `data` may point into `pending`: copy before replacing.
  std::string rest(parser.is_done() ? std::string_view() : data);
  pending.swap(rest);
  return ec;
}

// Writes what the kernel did not take at once (rare: a request is small);
// its own coroutine, so that Send's frame does not carry the write operation.
asio::awaitable<boost::system::error_code> WriteAll(tcp::socket& socket, const std::string& bytes) {
  const asio::const_buffer buffer = asio::buffer(bytes);
  auto [ec, n] = co_await asio::async_write(socket, buffer, kUse);
  co_return ec;
}

}  // namespace

// GCC 12 inlines Asio's coroutine frame allocation (aligned_alloc) next to its
// matching deallocation and then warns that they do not match: a false
// positive (the api module shows it too).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<Result<HttpResponse>> HttpClient::Send(const HttpRequest& req, Duration timeout,
                                                       ResponseHeaders headers) {
  const HttpRequestView view{req.method, req.target, req.headers, req.body};
  co_return co_await Send(view, timeout, headers);
}

asio::awaitable<Result<void>> HttpClient::Connect(Duration timeout) {
  Impl& s = *impl_;
  const std::string& where = s.host_header;
  if (!s.endpoints) {
    if (!s.resolver) s.resolver = std::make_unique<tcp::resolver>(s.socket.get_executor());
    const std::string service = std::to_string(s.port);
    auto [ec, results] = co_await s.resolver->async_resolve(s.host, service, kUse);
    if (ec) {
      if (s.timed_out) ec = asio::error::timed_out;
      co_return Fail(Errc::kUnavailable,
                     fmt::format("{}: cannot resolve '{}': {} — check the address", where, s.host,
                                 ec.message()));
    }
    s.endpoints.emplace(results.begin(), results.end());
  }
  auto [ec, ep] = co_await asio::async_connect(s.socket, *s.endpoints, kUse);
  if (ec || s.timed_out) {
    Close();
    if (s.timed_out) ec = asio::error::timed_out;
    co_return Fail(NetError(ec, "connect", where, timeout, kDeviceHint));
  }
  boost::system::error_code ignored;
  s.socket.set_option(tcp::no_delay(true), ignored);
  // Reads and writes in Send are tried at once and never block.
  s.socket.non_blocking(true, ignored);
  s.connected = true;
  ++s.connects;
  co_return Result<void>();
}

asio::awaitable<Result<HttpResponse>> HttpClient::Send(const HttpRequestView& req, Duration timeout,
                                                       ResponseHeaders headers) {
  Impl& s = *impl_;
  const std::string& where = s.host_header;
  if (auto r = CheckRequest(req); !r) co_return std::unexpected(Wrap(r.error(), where));

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.connected;
    Deadline deadline(impl_, timeout);
    // What an operation ended with, as the deadline saw it.
    auto outcome = [&s](boost::system::error_code ec) {
      return s.timed_out ? boost::system::error_code(asio::error::timed_out) : ec;
    };

    if (!s.connected) {
      auto connected = co_await Connect(timeout);
      if (!connected) co_return std::unexpected(connected.error());
    }

    // Write: usually the kernel takes the whole request at once. Rendered
    // here, with no co_await before write_some: other clients' Sends use the
    // same scratch buffer while this one waits for its connection.
    boost::system::error_code wec;
    RenderRequest(req, s.host_header, scratch.wire);
    std::size_t written = s.socket.write_some(asio::buffer(scratch.wire), wec);
    if (wec == asio::error::would_block) wec = {}, written = 0;
    if (!wec && written < scratch.wire.size()) {
      std::string rest = scratch.wire.substr(written);  // the scratch is not ours across co_await
      wec = co_await WriteAll(s.socket, rest);
    }
    if (wec || s.timed_out) {
      Close();
      if (reused && !s.timed_out) continue;
      co_return std::unexpected(NetError(outcome(wec), "write", where, timeout, kDeviceHint));
    }

    // Read: wait until the socket is readable, then take what is there.
    HttpResponse res;
    ResponseParser parser(res, headers, s.limits);
    std::string pending;  // bytes the parser could not take yet
    bool extra = false;
    boost::system::error_code rec;
    while (!parser.is_done()) {
      auto [ec] = co_await s.socket.async_wait(tcp::socket::wait_read, kUse);
      if (ec || s.timed_out) {
        rec = outcome(ec ? ec : asio::error::operation_aborted);
        break;
      }
      const std::size_t n = s.socket.read_some(asio::buffer(scratch.in), ec);
      if (ec == asio::error::would_block) continue;
      if (ec == asio::error::eof) {
        // A response that ends with the connection; or none at all.
        if (!parser.got_some()) {
          rec = http::error::end_of_stream;
          break;
        }
        parser.put_eof(rec);
        break;
      }
      if (ec) {
        rec = ec;
        break;
      }
      rec = Feed(parser, std::string_view(scratch.in.data(), n), pending, extra);
      if (rec) break;
    }
    if (rec) {
      Close();
      // A kept-alive connection the peer closed meanwhile: retry once.
      if (reused && !parser.got_some() &&
          (rec == http::error::end_of_stream || rec == asio::error::connection_reset))
        continue;
      co_return std::unexpected(NetError(rec, "read", where, timeout, kDeviceHint));
    }
    // Bytes nobody asked for would be taken for the next answer: start afresh.
    if (!parser.keep_alive() || extra) Close();
    co_return res;
  }
  co_return std::unexpected(
      MakeError(Errc::kUnavailable, fmt::format("{}: connection closed by the peer twice", where)));
}

#pragma GCC diagnostic pop

}  // namespace plugwatch::net
