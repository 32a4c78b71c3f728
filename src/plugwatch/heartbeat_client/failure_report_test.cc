#include "plugwatch/heartbeat_client/failure_report.h"

#include <gtest/gtest.h>

namespace plugwatch::heartbeat_client {
namespace {

class JudgeTest : public ::testing::Test {
 protected:
  AttemptReport Answer(int status, std::string body = "", net::Headers headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return Judge(r, Ctx());
  }
  AttemptReport Fails(Errc code, std::string context) {
    return Judge(Fail(code, std::move(context)), Ctx());
  }
  ReportContext Ctx() const { return {url_, "POWER", has_token_, Duration(5000)}; }

  net::HttpUrl url_ = *net::ParseHttpUrl("http://10.0.0.5:8080/api/heartbeat");
  bool has_token_ = true;
};

bool Has(const AttemptReport& r, std::string_view text) {
  return r.message.find(text) != std::string::npos;
}

TEST_F(JudgeTest, TwoHundredsAreDelivered) {
  for (int s : {200, 202, 204}) {
    auto r = Answer(s);
    EXPECT_EQ(r.verdict, Verdict::kDelivered) << s;
    EXPECT_EQ(r.status, s);
    EXPECT_TRUE(r.message.empty());
  }
}

TEST_F(JudgeTest, RejectedTokenSaysWhichLabelAndWhatToCheck) {
  auto r = Answer(401, R"({"error":"wrong or missing token"})");
  EXPECT_EQ(r.verdict, Verdict::kGiveUp);
  EXPECT_EQ(r.kind, "http401");
  EXPECT_EQ(r.message,
            "the server rejected the token for label 'POWER' (HTTP 401) — check that --token (or "
            "PLUGWATCH_HEARTBEAT_TOKEN) matches the token of the [[heartbeats]] entry with label "
            "= \"POWER\" in the server's config");
  has_token_ = false;
  auto none = Answer(401);
  EXPECT_TRUE(Has(none, "none was given — pass --token or set PLUGWATCH_HEARTBEAT_TOKEN"))
      << none.message;
}

TEST_F(JudgeTest, UnknownLabelVersusWrongPath) {
  auto label = Answer(404, R"({"error":"unknown heartbeat label 'POWER' — add a [[heartbeats]]"})");
  EXPECT_EQ(label.verdict, Verdict::kGiveUp);
  EXPECT_TRUE(Has(label,
                  "does not know label 'POWER' (HTTP 404) — add a [[heartbeats]] entry "
                  "with label = \"POWER\""))
      << label.message;
  auto path = Answer(404, R"({"error":"no such endpoint"})");
  EXPECT_TRUE(Has(path,
                  "nothing answers at http://10.0.0.5:8080/api/heartbeat: no such endpoint "
                  "(HTTP 404) — check the path in --url"))
      << path.message;
}

TEST_F(JudgeTest, ServerFailuresAreRetriedAndQuoteTheServer) {
  auto r = Answer(503, R"({"error":"database is locked"})");
  EXPECT_EQ(r.verdict, Verdict::kRetry);
  EXPECT_EQ(r.kind, "http503");
  EXPECT_TRUE(Has(r, "the server failed (HTTP 503): database is locked — ")) << r.message;
  // A proxy's HTML page is cut short and kept on one line.
  auto html = Answer(502, "<html>\n<body>" + std::string(500, 'x') + "</body></html>");
  EXPECT_EQ(html.verdict, Verdict::kRetry);
  EXPECT_EQ(html.message.find('\n'), std::string::npos);
  EXPECT_LT(html.message.size(), 400u);
  EXPECT_EQ(Answer(408).verdict, Verdict::kRetry);
}

TEST_F(JudgeTest, TooManyRequestsPausesForRetryAfter) {
  auto r = Answer(429, "", {{"Retry-After", "30"}});
  EXPECT_EQ(r.verdict, Verdict::kPause);
  EXPECT_EQ(r.pause, Duration(30'000));
  EXPECT_TRUE(Has(r, "pausing 30s")) << r.message;
  EXPECT_EQ(Answer(429).pause, Duration(60'000));                            // no header
  EXPECT_EQ(Answer(429, "", {{"Retry-After", "0"}}).pause, Duration(1000));  // at least 1 s
}

TEST_F(JudgeTest, OtherAnswersGiveUpUntilTheNextHeartbeat) {
  auto redirect = Answer(301, "", {{"Location", "https://x/"}});
  EXPECT_EQ(redirect.verdict, Verdict::kGiveUp);
  EXPECT_TRUE(Has(redirect, "a redirect to https://x/) — redirects are not followed"));
  auto bad = Answer(400, R"({"error":"no label"})");
  EXPECT_EQ(bad.verdict, Verdict::kGiveUp);
  EXPECT_TRUE(Has(bad, "refused the heartbeat (HTTP 400): no label — check --label"));
}

TEST_F(JudgeTest, TransportFailuresAreRetriedWithAHint) {
  auto refused = Fails(Errc::kUnavailable,
                       "10.0.0.5:8080: connect: connection refused — check the address and port");
  EXPECT_EQ(refused.verdict, Verdict::kRetry);
  EXPECT_EQ(refused.kind, "refused");
  EXPECT_EQ(refused.status, 0);
  EXPECT_TRUE(Has(refused,
                  "connection refused by http://10.0.0.5:8080 — is the plugwatch service "
                  "running"))
      << refused.message;
  auto timeout = Fails(Errc::kTimeout, "10.0.0.5:8080: read: no answer within 5000 ms");
  EXPECT_EQ(timeout.kind, "timeout");
  EXPECT_TRUE(Has(timeout, "did not answer within 5s — is the server reachable"));
  auto dns = Fails(Errc::kUnavailable, "x.lan:80: cannot resolve 'x.lan': Host not found");
  EXPECT_EQ(dns.kind, "dns");
  EXPECT_EQ(Fails(Errc::kUnavailable, "read: connection reset by peer").kind, "network");
  EXPECT_EQ(Fails(Errc::kProtocol, "malformed").verdict, Verdict::kRetry);
}

}  // namespace
}  // namespace plugwatch::heartbeat_client
