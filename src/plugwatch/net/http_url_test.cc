#include "plugwatch/net/http_url.h"

#include <gtest/gtest.h>

namespace plugwatch::net {

TEST(HttpUrl, ParsesForms) {
  struct Case {
    const char* in;
    const char* scheme;
    const char* host;
    int port;
    const char* target;
    bool explicit_path;
  } cases[] = {
      {"http://127.0.0.1:8080", "http", "127.0.0.1", 8080, "/", false},
      {"http://127.0.0.1:8080/", "http", "127.0.0.1", 8080, "/", false},
      {"HTTP://power.lan/api/heartbeat", "http", "power.lan", 80, "/api/heartbeat", true},
      {"http://[::1]:9000/heartbeat?x=1&y=a%20b", "http", "::1", 9000, "/heartbeat?x=1&y=a%20b",
       true},
      {"https://example.org", "https", "example.org", 443, "/", false},
      {"http://10.0.0.2?label=POWER", "http", "10.0.0.2", 80, "/?label=POWER", false},
  };
  for (const auto& c : cases) {
    auto r = ParseHttpUrl(c.in);
    ASSERT_TRUE(r) << c.in << ": " << r.error().context;
    EXPECT_EQ(r->scheme, c.scheme) << c.in;
    EXPECT_EQ(r->host, c.host) << c.in;
    EXPECT_EQ(r->port, c.port) << c.in;
    EXPECT_EQ(r->target, c.target) << c.in;
    EXPECT_EQ(r->explicit_path, c.explicit_path) << c.in;
  }
}

TEST(HttpUrl, PrintsWithoutCredentialsAndWithBrackets) {
  EXPECT_EQ(ParseHttpUrl("http://[::1]:9000/a")->ToString(), "http://[::1]:9000/a");
  EXPECT_EQ(ParseHttpUrl("http://h")->Origin(), "http://h:80");
}

TEST(HttpUrl, RejectsWithHint) {
  for (auto in : {"", "127.0.0.1:8080", "ftp://h/", "http://", "http://u:p@h/", "http://h/#x",
                  "http://h:0/", "http://h:70000/", "http://h:x/", "/api/heartbeat"})
    EXPECT_FALSE(ParseHttpUrl(in)) << in;
  EXPECT_EQ(ParseHttpUrl("127.0.0.1:8080").error().context,
            "'127.0.0.1:8080' is not an http:// URL (it needs a scheme) — write e.g. "
            "http://192.168.1.10:8080 or http://power.lan:8080/api/heartbeat");
  EXPECT_NE(ParseHttpUrl("http://u:p@h/").error().context.find("credentials go in a header"),
            std::string::npos);
  EXPECT_TRUE(ParseHttpUrl("ftp://h/").error().Is(Errc::kInvalidArgument));
}

}  // namespace plugwatch::net
