#include "plugwatch/devices/tapo/session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "plugwatch/devices/tapo/klap_session.h"
#include "plugwatch/devices/tapo/transport_probe.h"
#include "plugwatch/net/http_server.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::tapo {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(ParseSessionCookie, OneHeaderWithTimeout) {
  auto c = ParseSessionCookie({{"Set-Cookie", "TP_SESSIONID=ABC123;TIMEOUT=86400"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->Header(), "TP_SESSIONID=ABC123");
  EXPECT_EQ(c->timeout, std::chrono::seconds(86400));
}

TEST(ParseSessionCookie, SeveralHeadersSpacesAndOtherAttributes) {
  auto c = ParseSessionCookie({{"Content-Type", "text/html"},
                               {"set-cookie", "TP_SESSIONID=X1; Path=/"},
                               {"Set-Cookie", "TIMEOUT=1440"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->Header(), "TP_SESSIONID=X1");
  EXPECT_EQ(c->timeout, std::chrono::seconds(1440));
}

TEST(ParseSessionCookie, LegacySessionIdAndMissingCookie) {
  auto c = ParseSessionCookie({{"Set-Cookie", "SESSIONID=S;TIMEOUT=x"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->Header(), "SESSIONID=S");
  EXPECT_FALSE(c->timeout);
  EXPECT_FALSE(ParseSessionCookie({{"Set-Cookie", "TIMEOUT=5"}}));
  EXPECT_FALSE(ParseSessionCookie({}));
}

TEST(RenewAfter, TwentyMinutesEarlyOrAtHalfLife) {
  EXPECT_EQ(RenewAfter(86400s), Duration(std::chrono::seconds(86400 - 1200)));
  EXPECT_EQ(RenewAfter(3600s), Duration(std::chrono::seconds(2400)));
  EXPECT_EQ(RenewAfter(600s), Duration(std::chrono::seconds(300)));
}

// A device that answers every path with a fixed status.
class FixedStatusTest : public ::testing::Test {
 protected:
  void Serve(int handshake1_status) {
    server_ = std::make_unique<net::HttpServer>(
        io_.get_executor(),
        [handshake1_status](net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
          net::HttpResponse r;
          if (req.Path() == "/app") {
            r.body = R"({"error_code":1003})";
          } else {
            r.status = handshake1_status;
          }
          co_return r;
        });
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port);
    client_ = std::make_unique<net::HttpClient>(io_.get_executor(), "127.0.0.1", *port);
  }

  asio::io_context io_;
  ManualClock clock_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::HttpClient> client_;
};

TEST_F(FixedStatusTest, Handshake1Forbidden) {
  Serve(403);
  KlapSession session(*client_, SessionConfig{"a@b.c", "pw", Duration(1000), &clock_});
  auto r = net::RunUntilDone(io_, session.Handshake());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kUnauthorized));
  EXPECT_EQ(r.error().context,
            "handshake1: HTTP 403 — enable Third-Party Compatibility in the Tapo app (Me → "
            "Third-Party Compatibility), and toggle it off and on after a firmware update");
  EXPECT_FALSE(session.established());
  EXPECT_EQ(session.handshakes(), 1);
}

TEST_F(FixedStatusTest, Handshake1NotFoundMeansNoKlap) {
  Serve(404);
  KlapSession session(*client_, SessionConfig{"a@b.c", "pw", Duration(1000), &clock_});
  auto r = net::RunUntilDone(io_, session.Request(R"({"method":"get_device_info"})"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kNotSupported));
}

TEST_F(FixedStatusTest, ProbeSees1003AsKlap) {
  Serve(404);
  auto kind = net::RunUntilDone(io_, ProbeTransport(*client_, Duration(1000)));
  ASSERT_TRUE(kind);
  EXPECT_EQ(*kind, TransportKind::kKlap);
}

TEST_F(FixedStatusTest, ShortHandshake1AnswerIsAProtocolError) {
  Serve(200);  // 200 with an empty body
  KlapSession session(*client_, SessionConfig{"a@b.c", "pw", Duration(1000), &clock_});
  auto r = net::RunUntilDone(io_, session.Handshake());
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().Is(Errc::kProtocol));
  EXPECT_EQ(r.error().context, "handshake1: answer of 0 bytes, expected 48");
}

}  // namespace
}  // namespace plugwatch::tapo
