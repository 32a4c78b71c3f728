#include "plugwatch/net/http_client.h"

#include <fmt/format.h>
#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <optional>

namespace plugwatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

struct HttpClient::Impl {
  Impl(asio::any_io_executor ex, std::string h, std::uint16_t p, ClientLimits l)
      : stream(ex), host(std::move(h)), port(p), limits(l) {
    // An IP literal needs no resolver (nor its per-object state).
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (!ec) endpoints.emplace(1, tcp::endpoint(address, port));
  }
  beast::tcp_stream stream;
  std::optional<tcp::resolver> resolver;  // made on first use, for host names
  beast::flat_buffer buffer;
  std::string host;
  std::uint16_t port;
  ClientLimits limits;
  bool connected = false;
  long long connects = 0;
  std::optional<std::vector<tcp::endpoint>> endpoints;  // resolved once
  std::string host_header;
};

HttpClient::HttpClient(asio::any_io_executor ex, std::string host, std::uint16_t port,
                       ClientLimits limits)
    : impl_(std::make_unique<Impl>(ex, std::move(host), port, limits)) {
  impl_->host_header = impl_->host.find(':') != std::string::npos
                           ? fmt::format("[{}]:{}", impl_->host, port)
                           : fmt::format("{}:{}", impl_->host, port);
}

HttpClient::~HttpClient() = default;

void HttpClient::Close() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  impl_->stream.close();
  impl_->connected = false;
  impl_->buffer.clear();
}

const std::string& HttpClient::host() const { return impl_->host; }
std::uint16_t HttpClient::port() const { return impl_->port; }
long long HttpClient::connects() const { return impl_->connects; }

namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Renders `req` as HTTP/1.1 bytes into `out`: Host first, the caller's headers
// in order, then Content-Length (keep-alive is implicit in HTTP/1.1). Host,
// Content-Length, Transfer-Encoding and Connection are this client's to set,
// so a caller's copies are dropped. Fails with kInvalidArgument when a line
// break would let a value inject headers.
Result<void> RenderRequest(const HttpRequest& req, std::string_view host_header, std::string& out) {
  if (req.method.empty() || req.target.empty() || HasLineBreak(req.method) ||
      HasLineBreak(req.target))
    return Fail(Errc::kInvalidArgument,
                "HTTP request needs a method and a target without line breaks");
  std::size_t size =
      req.method.size() + req.target.size() + host_header.size() + 64 + req.body.size();
  for (const auto& [k, v] : req.headers) {
    if (k.empty() || HasLineBreak(k) || HasLineBreak(v))
      return Fail(Errc::kInvalidArgument,
                  "HTTP header names and values must not contain line breaks");
    size += k.size() + v.size() + 4;
  }
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
  return {};
}

Error NetError(const beast::error_code& ec, std::string_view stage, const std::string& where,
               Duration timeout) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted)
    return MakeError(Errc::kTimeout, fmt::format("{}: {}: no answer within {} ms — is the device "
                                                 "powered and on the network?",
                                                 where, stage, timeout.count()));
  if (ec == asio::error::connection_refused)
    return MakeError(
        Errc::kUnavailable,
        fmt::format("{}: {}: connection refused — check the address and port", where, stage));
  if (ec == http::error::body_limit || ec == http::error::header_limit)
    return MakeError(Errc::kProtocol, fmt::format("{}: {}: response too large", where, stage));
  if (ec.category() == beast::http::make_error_code(http::error::bad_version).category())
    return MakeError(Errc::kProtocol, fmt::format("{}: {}: malformed HTTP response ({})", where,
                                                  stage, ec.message()));
  return MakeError(Errc::kUnavailable, fmt::format("{}: {}: {}", where, stage, ec.message()));
}

}  // namespace

asio::awaitable<Result<HttpResponse>> HttpClient::Send(const HttpRequest& req, Duration timeout) {
  Impl& s = *impl_;
  const std::string& where = s.host_header;

  std::string wire;
  if (auto r = RenderRequest(req, s.host_header, wire); !r)
    co_return std::unexpected(Wrap(r.error(), where));

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.connected;
    s.stream.expires_after(timeout);
    if (!s.connected) {
      if (!s.endpoints) {
        if (!s.resolver) s.resolver.emplace(s.stream.get_executor());
        const std::string service = std::to_string(s.port);
        auto [ec, results] = co_await s.resolver->async_resolve(s.host, service, kUse);
        if (ec) {
          co_return std::unexpected(MakeError(
              Errc::kUnavailable, fmt::format("{}: cannot resolve '{}': {} — check the address",
                                              where, s.host, ec.message())));
        }
        s.endpoints.emplace(results.begin(), results.end());
      }
      auto [ec, ep] = co_await s.stream.async_connect(*s.endpoints, kUse);
      if (ec) {
        s.stream.close();
        co_return std::unexpected(NetError(ec, "connect", where, timeout));
      }
      s.stream.socket().set_option(tcp::no_delay(true));
      s.connected = true;
      ++s.connects;
      s.buffer.clear();
    }

    const asio::const_buffer bytes = asio::buffer(wire);
    auto [wec, wn] = co_await asio::async_write(s.stream, bytes, kUse);
    if (wec) {
      Close();
      if (reused && wec != beast::error::timeout) continue;
      co_return std::unexpected(NetError(wec, "write", where, timeout));
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(s.limits.max_body);
    parser.header_limit(16 * 1024);
    auto [rec, rn] = co_await http::async_read(s.stream, s.buffer, parser, kUse);
    if (rec) {
      Close();
      // A kept-alive connection the peer closed meanwhile: retry once.
      if (reused && (rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
                     rec == asio::error::eof))
        continue;
      co_return std::unexpected(NetError(rec, "read", where, timeout));
    }
    auto& res = parser.get();
    HttpResponse r;
    r.status = static_cast<int>(res.result_int());
    r.headers.reserve(static_cast<std::size_t>(std::distance(res.begin(), res.end())));
    for (const auto& f : res) r.headers.emplace_back(f.name_string(), f.value());
    r.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    // Idle clients hold no read buffer (one per device adds up over a fleet).
    if (s.buffer.size() == 0) s.buffer.shrink_to_fit();
    co_return r;
  }
  co_return std::unexpected(
      MakeError(Errc::kUnavailable, fmt::format("{}: connection closed by the peer twice", where)));
}

}  // namespace plugwatch::net
