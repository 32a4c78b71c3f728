#include "plugwatch/net/web_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

TEST(WebClient, PlainHttpKeepsOneConnectionPerOrigin) {
  asio::io_context io;
  std::vector<std::string> seen;
  HttpServer server(io.get_executor(), [&](HttpRequest& req) -> asio::awaitable<HttpResponse> {
    HttpResponse r;
    seen.push_back(req.method + " " + req.target + " " +
                   std::string(req.Header("X-A").value_or("")) + " " + req.body);
    r.status = req.Path() == "/missing" ? 404 : 200;
    r.body = "ok";
    co_return r;
  });
  auto port = server.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port);
  WebClient client(io.get_executor());
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  auto statuses = RunUntilDone(io, [&]() -> asio::awaitable<std::string> {
    std::string out;
    for (const char* path : {"/a?x=1", "/missing", "/b"}) {
      WebRequest req{.url = base + path, .headers = {{"X-A", "1"}}, .body = "hi"};
      auto r = co_await client.Send(req, Duration(2000));
      out += r ? std::to_string(r->status) + r->body + ";" : r.error().context + ";";
    }
    co_return out;
  }());
  EXPECT_EQ(statuses, "200ok;404ok;200ok;");
  EXPECT_EQ(client.connects(), 1);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "POST /a?x=1 1 hi");
}

TEST(WebClient, RefusedAndTimeoutAndBadUrl) {
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto silent_port = silent.local_endpoint().port();
  tcp::acceptor closed(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto closed_port = closed.local_endpoint().port();
  closed.close();
  WebClient client(io.get_executor());
  auto errs = RunUntilDone(io, [&]() -> asio::awaitable<std::vector<Error>> {
    std::vector<Error> out;
    WebRequest a{.url = "http://127.0.0.1:" + std::to_string(closed_port) + "/"};
    WebRequest b{.url = "http://127.0.0.1:" + std::to_string(silent_port) + "/"};
    WebRequest c{.url = "ftp://x/"};
    for (auto* r : {&a, &b, &c}) {
      auto res = co_await client.Send(*r, Duration(300));
      if (!res) out.push_back(res.error());
    }
    co_return out;
  }());
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_TRUE(errs[0].Is(Errc::kUnavailable)) << errs[0].context;
  EXPECT_TRUE(errs[1].Is(Errc::kTimeout)) << errs[1].context;
  EXPECT_TRUE(errs[2].Is(Errc::kInvalidArgument)) << errs[2].context;
}

// A self-signed certificate for 127.0.0.1 made here with OpenSSL, written as
// PEM files into a temporary directory.
struct TestCert {
  std::filesystem::path dir, cert, key;
  TestCert() {
    dir = std::filesystem::temp_directory_path() /
          ("pw-webclient-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
    std::filesystem::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("plugwatch test"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~TestCert() { std::filesystem::remove_all(dir); }
};

// A one-connection-at-a-time HTTPS server answering "secure" to everything.
asio::awaitable<void> ServeTls(tcp::acceptor& acceptor, ssl::context& ctx) {
  constexpr auto use = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [aec, sock] = co_await acceptor.async_accept(use);
    if (aec) co_return;
    ssl::stream<tcp::socket> stream(std::move(sock), ctx);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use);
    if (hec) continue;
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [rec, rn] = co_await http::async_read(stream, buf, req, use);
      if (rec) break;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "secure " + std::string(req[http::field::host]);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, use);
      if (wec) break;
    }
  }
}

TEST(WebClient, HttpsRefusesUntrustedCertificateAndAcceptsTrustedOne) {
  TestCert cert;
  asio::io_context io;
  ssl::context server_ctx(ssl::context::tls_server);
  server_ctx.use_certificate_chain_file(cert.cert.string());
  server_ctx.use_private_key_file(cert.key.string(), ssl::context::pem);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string url =
      "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/x";
  asio::co_spawn(io, ServeTls(acceptor, server_ctx), asio::detached);

  const char* old = getenv("SSL_CERT_FILE");
  const std::string saved = old ? old : "";
  // Untrusted: an empty trust store.
  const auto empty = cert.dir / "empty.pem";
  std::ofstream(empty).put('\n');
  setenv("SSL_CERT_FILE", empty.c_str(), 1);
  {
    WebClient client(io.get_executor());
    auto r = RunUntilDone(io, [&]() -> asio::awaitable<Result<HttpResponse>> {
      WebRequest req{.method = "GET", .url = url};
      co_return co_await client.Send(req, Duration(3000));
    }());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().Is(Errc::kUnavailable));
    EXPECT_NE(r.error().context.find("certificate is not trusted"), std::string::npos)
        << r.error().context;
    EXPECT_NE(r.error().context.find("SSL_CERT_FILE"), std::string::npos);
  }
  // Trusted through SSL_CERT_FILE: works, and reuses the connection.
  setenv("SSL_CERT_FILE", cert.cert.c_str(), 1);
  {
    WebClient client(io.get_executor());
    auto r = RunUntilDone(io, [&]() -> asio::awaitable<std::string> {
      std::string out;
      for (int i = 0; i < 2; ++i) {
        WebRequest req{.method = "GET", .url = url};
        auto res = co_await client.Send(req, Duration(3000));
        out += res ? res->body + ";" : res.error().context + ";";
      }
      co_return out;
    }());
    const std::string host = "127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    EXPECT_EQ(r, "secure " + host + ";secure " + host + ";");
    EXPECT_EQ(client.connects(), 1);
  }
  // Hostname mismatch: the certificate is for 127.0.0.1, not localhost.
  {
    WebClient client(io.get_executor());
    auto r = RunUntilDone(io, [&]() -> asio::awaitable<Result<HttpResponse>> {
      WebRequest req{
          .method = "GET",
          .url = "https://localhost:" + std::to_string(acceptor.local_endpoint().port()) + "/"};
      co_return co_await client.Send(req, Duration(3000));
    }());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().Is(Errc::kUnavailable)) << r.error().context;
    EXPECT_NE(r.error().context.find("not trusted"), std::string::npos) << r.error().context;
  }
  if (old)
    setenv("SSL_CERT_FILE", saved.c_str(), 1);
  else
    unsetenv("SSL_CERT_FILE");
  acceptor.close();
}

}  // namespace
}  // namespace plugwatch::net
