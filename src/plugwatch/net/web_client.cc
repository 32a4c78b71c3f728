#include "plugwatch/net/web_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <map>
#include <optional>

#include "plugwatch/net/http_url.h"
#include "plugwatch/net/net_error.h"

namespace plugwatch::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxBody = 1024 * 1024;
constexpr std::size_t kMaxIdlePerOrigin = 2;
constexpr std::string_view kServiceHint = "is the service up and reachable from this machine?";

namespace {

// One connection: plain or TLS. Lives in a shared_ptr so that a Send that
// outlives nothing else still owns it.
struct Conn {
  explicit Conn(asio::any_io_executor ex, ssl::context* tls_ctx) {
    if (tls_ctx)
      tls.emplace(ex, *tls_ctx);
    else
      plain.emplace(ex);
  }
  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void Close() {
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().close();
  }
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
};

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

struct WebClient::Impl {
  explicit Impl(asio::any_io_executor e) : ex(std::move(e)), tls_ctx(ssl::context::tls_client) {
    tls_ctx.set_default_verify_paths();
    tls_ctx.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls_ctx.native_handle(), TLS1_2_VERSION);
  }
  asio::any_io_executor ex;
  ssl::context tls_ctx;
  std::map<std::string, std::vector<std::shared_ptr<Conn>>> idle;  // by origin
  std::map<std::string, std::vector<tcp::endpoint>> resolved;      // by host:port
  long long connects = 0;
};

WebClient::WebClient(asio::any_io_executor ex) : impl_(std::make_shared<Impl>(std::move(ex))) {}
WebClient::~WebClient() = default;
long long WebClient::connects() const { return impl_->connects; }

namespace {

std::string VerifyFailure(SSL* ssl) {
  const long v = SSL_get_verify_result(ssl);
  if (v == X509_V_OK) return {};
  return X509_verify_cert_error_string(v);
}

}  // namespace

asio::awaitable<Result<HttpResponse>> WebClient::Send(const WebRequest& req, Duration timeout) {
  std::shared_ptr<Impl> s = impl_;
  auto url = ParseHttpUrl(req.url);
  if (!url) co_return std::unexpected(url.error());
  const std::string where = url->Origin();
  const bool https = url->scheme == "https";
  if (req.method.empty() || HasLineBreak(req.method))
    co_return Fail(Errc::kInvalidArgument, where + ": HTTP method must be a single word");

  http::request<http::string_body> msg;
  msg.method_string(req.method);
  msg.target(url->target);
  msg.version(11);
  const bool v6 = url->host.find(':') != std::string::npos;
  const bool default_port = url->port == (https ? 443 : 80);
  std::string host_header = v6 ? "[" + url->host + "]" : url->host;
  if (!default_port) host_header += ":" + std::to_string(url->port);
  msg.set(http::field::host, host_header);
  msg.set(http::field::user_agent, "plugwatch");
  for (const auto& [k, v] : req.headers) {
    if (k.empty() || HasLineBreak(k) || HasLineBreak(v))
      co_return Fail(Errc::kInvalidArgument,
                     where + ": HTTP header names and values must not contain line breaks");
    if (IEquals(k, "Host") || IEquals(k, "Content-Length") || IEquals(k, "Transfer-Encoding") ||
        IEquals(k, "Connection"))
      continue;
    msg.set(k, v);
  }
  msg.body() = req.body;
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
    msg.prepare_payload();

  const auto deadline = std::chrono::steady_clock::now() + timeout;

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<Conn> c;
    bool reused = false;
    if (auto it = s->idle.find(where); it != s->idle.end() && !it->second.empty()) {
      c = std::move(it->second.back());
      it->second.pop_back();
      reused = true;
    } else {
      c = std::make_shared<Conn>(s->ex, https ? &s->tls_ctx : nullptr);
      c->tcp().expires_at(deadline);
      const std::string hostport = url->host + ":" + std::to_string(url->port);
      auto eps = s->resolved.find(hostport);
      if (eps == s->resolved.end()) {
        std::vector<tcp::endpoint> list;
        boost::system::error_code aec;
        const auto address = asio::ip::make_address(url->host, aec);
        if (!aec) {
          list.emplace_back(address, url->port);
        } else {
          tcp::resolver resolver(s->ex);
          const std::string service = std::to_string(url->port);
          auto [ec, results] = co_await resolver.async_resolve(url->host, service, kUse);
          if (ec)
            co_return Fail(Errc::kUnavailable,
                           fmt::format("{}: cannot resolve '{}': {} — check the host name and DNS",
                                       where, url->host, ec.message()));
          for (const auto& r : results) list.push_back(r.endpoint());
        }
        eps = s->resolved.emplace(hostport, std::move(list)).first;
      }
      auto [ec, ep] = co_await c->tcp().async_connect(eps->second, kUse);
      if (ec) {
        s->resolved.erase(hostport);  // resolve again next time
        co_return std::unexpected(NetError(ec, "connect", where, timeout, kServiceHint));
      }
      c->tcp().socket().set_option(tcp::no_delay(true));
      ++s->connects;
      if (https) {
        SSL* native = c->tls->native_handle();
        boost::system::error_code ip_ec;
        asio::ip::make_address(url->host, ip_ec);
        if (ip_ec && !SSL_set_tlsext_host_name(native, url->host.c_str()))
          co_return Fail(Errc::kInternal, where + ": cannot set TLS SNI host name");
        c->tls->set_verify_callback(ssl::host_name_verification(url->host));
        auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, kUse);
        if (hec) {
          c->Close();
          if (hec == beast::error::timeout || hec == asio::error::operation_aborted)
            co_return std::unexpected(NetError(hec, "TLS handshake", where, timeout, kServiceHint));
          const std::string verify = VerifyFailure(native);
          if (!verify.empty())
            co_return Fail(
                Errc::kUnavailable,
                fmt::format(
                    "{}: TLS: the server's certificate is not trusted ({}) — check that the "
                    "URL names the right host, or install the issuing CA on this machine "
                    "(or point SSL_CERT_FILE to it)",
                    where, verify));
          co_return Fail(Errc::kUnavailable,
                         fmt::format("{}: TLS handshake failed: {} — check that the server speaks "
                                     "HTTPS (TLS 1.2 or newer) on this port",
                                     where, hec.message()));
        }
      }
    }

    c->tcp().expires_at(deadline);
    beast::error_code wec;
    if (c->tls)
      std::tie(wec, std::ignore) = co_await http::async_write(*c->tls, msg, kUse);
    else
      std::tie(wec, std::ignore) = co_await http::async_write(*c->plain, msg, kUse);
    if (wec) {
      c->Close();
      if (reused && wec != beast::error::timeout) continue;
      co_return std::unexpected(NetError(wec, "write", where, timeout, kServiceHint));
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    parser.header_limit(16 * 1024);
    if (req.method == "HEAD") parser.skip(true);
    beast::error_code rec;
    if (c->tls)
      std::tie(rec, std::ignore) = co_await http::async_read(*c->tls, c->buffer, parser, kUse);
    else
      std::tie(rec, std::ignore) = co_await http::async_read(*c->plain, c->buffer, parser, kUse);
    if (rec) {
      c->Close();
      if (reused && (rec == http::error::end_of_stream || rec == asio::error::connection_reset ||
                     rec == asio::error::eof || rec == ssl::error::stream_truncated))
        continue;
      co_return std::unexpected(NetError(rec, "read", where, timeout, kServiceHint));
    }
    auto& res = parser.get();
    HttpResponse r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) r.headers.emplace_back(f.name_string(), f.value());
    r.body = std::move(res.body());
    if (res.keep_alive()) {
      c->tcp().expires_never();
      auto& pool = s->idle[where];
      if (pool.size() < kMaxIdlePerOrigin) pool.push_back(std::move(c));
    } else {
      c->Close();
    }
    co_return r;
  }
  co_return Fail(Errc::kUnavailable, where + ": connection closed by the peer twice");
}

}  // namespace plugwatch::net
