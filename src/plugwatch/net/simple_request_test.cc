// ParseSimpleRequest: what it takes (complete plain HTTP/1.1 requests), what
// it waits for (every split of a request), and what it leaves to the generic
// parser (anything unusual, anything over a limit).
#include "plugwatch/net/simple_request.h"

#include <gtest/gtest.h>

#include <string>

namespace plugwatch::net {
namespace {

constexpr std::size_t kHeader = 16 * 1024;
constexpr std::size_t kBody = 64 * 1024;

const std::string kPost =
    "POST /api/heartbeat?x=1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Content-Type: application/json\r\n"
    "Authorization:   Bearer tok \t\r\n"
    "Content-Length: 17\r\n"
    "\r\n"
    "{\"label\":\"POWER\"}";

SimpleParse Parse(std::string_view in, SimpleRequest& out) {
  return ParseSimpleRequest(in, kHeader, kBody, out);
}

TEST(SimpleRequest, ParsesAPlainPost) {
  SimpleRequest r;
  ASSERT_EQ(Parse(kPost, r), SimpleParse::kComplete);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/heartbeat?x=1");
  EXPECT_EQ(r.Path(), "/api/heartbeat");
  EXPECT_EQ(r.Query(), "x=1");
  EXPECT_EQ(r.field_count, 4u);
  EXPECT_EQ(r.Header("authorization"), "Bearer tok");  // case-insensitive, trimmed
  EXPECT_EQ(r.Header("content-length"), "17");
  EXPECT_FALSE(r.Header("Cookie"));
  EXPECT_EQ(r.body, "{\"label\":\"POWER\"}");
  EXPECT_EQ(r.size, kPost.size());
}

TEST(SimpleRequest, ParsesAGetWithoutBodyOrFields) {
  SimpleRequest r;
  const std::string get = "GET /heartbeat?label=POWER&timestamp=1 HTTP/1.1\r\n\r\n";
  ASSERT_EQ(Parse(get, r), SimpleParse::kComplete);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.Query(), "label=POWER&timestamp=1");
  EXPECT_EQ(r.field_count, 0u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.size, get.size());
}

TEST(SimpleRequest, EveryPrefixIsIncompleteAndTheWholeIsComplete) {
  for (std::size_t n = 0; n < kPost.size(); ++n) {
    SimpleRequest r;
    EXPECT_EQ(Parse(std::string_view(kPost).substr(0, n), r), SimpleParse::kIncomplete)
        << "split after " << n << " bytes";
  }
  SimpleRequest r;
  EXPECT_EQ(Parse(kPost, r), SimpleParse::kComplete);
}

TEST(SimpleRequest, PipelinedRequestsAreTakenOneAtATime) {
  const std::string two = kPost + "GET /heartbeat?label=POWER HTTP/1.1\r\nHost: h\r\n\r\n";
  SimpleRequest r;
  ASSERT_EQ(Parse(two, r), SimpleParse::kComplete);
  EXPECT_EQ(r.size, kPost.size());
  EXPECT_EQ(r.body, "{\"label\":\"POWER\"}");
  std::string_view rest = std::string_view(two).substr(r.size);
  ASSERT_EQ(Parse(rest, r), SimpleParse::kComplete);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.Header("Host"), "h");
  EXPECT_EQ(r.size, rest.size());
}

TEST(SimpleRequest, KeepAliveIsPlainButOtherConnectionValuesAreNot) {
  SimpleRequest r;
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n", r), SimpleParse::kComplete);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", r), SimpleParse::kOther);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nConnection: Upgrade\r\n\r\n", r), SimpleParse::kOther);
}

TEST(SimpleRequest, UnusualRequestsAreLeftToTheGenericParser) {
  const char* cases[] = {
      "GET / HTTP/1.0\r\n\r\n",                    // another version
      "GET / HTTP/1.1\nHost: h\r\n\r\n",           // bare LF
      "GET /\tx HTTP/1.1\r\n\r\n",                 // control character in the target
      "get / HTTP/1.1\r\n\r\n",                    // lower-case method
      "GET  / HTTP/1.1\r\n\r\n",                   // two spaces
      "GET * HTTP/1.1\r\n\r\n",                    // not an origin-form target
      "GET http://h/ HTTP/1.1\r\n\r\n",            // absolute-form
      "GET / HTTP/1.1 \r\n\r\n",                   // trailing space
      " GET / HTTP/1.1\r\n\r\n",                   // leading space
      "GET /\r\n\r\n",                             // no version
      "GET / HTTP/1.1\r\nHost h\r\n\r\n",          // no colon
      "GET / HTTP/1.1\r\n: v\r\n\r\n",             // empty name
      "GET / HTTP/1.1\r\nHo st: h\r\n\r\n",        // space in the name
      "GET / HTTP/1.1\r\nHost : h\r\n\r\n",        // space before the colon
      "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",      // obsolete line folding
      "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",         // bare CR in a value
      "GET / HTTP/1.1\r\nA: \x01\r\n\r\n",         // control character in a value
      "GET / HTTP/1.1\r\nA: caf\xc3\xa9\r\n\r\n",  // obs-text
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 1234567890\r\n\r\n",
      "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
  };
  for (const char* c : cases) {
    SimpleRequest r;
    EXPECT_EQ(Parse(c, r), SimpleParse::kOther) << c;
  }
}

TEST(SimpleRequest, TooManyFieldsAreLeftToTheGenericParser) {
  std::string many = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i < SimpleRequest::kMaxFields; ++i) many += "X-A: b\r\n";
  SimpleRequest r;
  EXPECT_EQ(Parse(many + "\r\n", r), SimpleParse::kComplete);
  EXPECT_EQ(Parse(many + "X-A: b\r\n\r\n", r), SimpleParse::kOther);
}

TEST(SimpleRequest, OverTheLimitsIsLeftToTheGenericParser) {
  SimpleRequest r;
  // A head of exactly max_header bytes is taken; one more is not.
  const std::string line = "GET / HTTP/1.1\r\n";
  std::string head = line + "X: " + std::string(100 - line.size() - 3 - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 100u);
  EXPECT_EQ(ParseSimpleRequest(head, 100, kBody, r), SimpleParse::kComplete);
  EXPECT_EQ(ParseSimpleRequest(head, 99, kBody, r), SimpleParse::kOther);
  // A head still arriving that already exceeds the limit.
  EXPECT_EQ(ParseSimpleRequest(std::string(200, 'G'), 100, kBody, r), SimpleParse::kOther);
  // A body over max_body, before any of it has arrived.
  EXPECT_EQ(ParseSimpleRequest("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", kHeader, 10, r),
            SimpleParse::kOther);
  EXPECT_EQ(ParseSimpleRequest("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n", kHeader, 10, r),
            SimpleParse::kIncomplete);
}

}  // namespace
}  // namespace plugwatch::net
