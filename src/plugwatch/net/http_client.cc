#include "plugwatch/net/http_client.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

namespace plugwatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

struct HttpClient::Impl {
  Impl(asio::any_io_executor ex, std::string h, std::uint16_t p, ClientLimits l)
      : stream(ex), resolver(ex), host(std::move(h)), port(p), limits(l) {}
  beast::tcp_stream stream;
  tcp::resolver resolver;
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
  const std::string where = s.host_header;

  http::request<http::string_body> out;
  out.method_string(req.method);
  out.target(req.target);
  out.version(11);
  out.set(http::field::host, s.host_header);
  for (const auto& [k, v] : req.headers) out.set(k, v);
  out.body() = req.body;
  out.prepare_payload();
  out.keep_alive(true);

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.connected;
    s.stream.expires_after(timeout);
    if (!s.connected) {
      if (!s.endpoints) {
        auto [ec, results] =
            co_await s.resolver.async_resolve(s.host, std::to_string(s.port), kUse);
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

    auto [wec, wn] = co_await http::async_write(s.stream, out, kUse);
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
    for (const auto& f : res) r.headers.emplace_back(f.name_string(), f.value());
    r.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    co_return r;
  }
  co_return std::unexpected(
      MakeError(Errc::kUnavailable, fmt::format("{}: connection closed by the peer twice", where)));
}

}  // namespace plugwatch::net
