#include "plugwatch/net/host_port.h"

#include <gtest/gtest.h>

namespace plugwatch::net {

TEST(HostPort, ParsesForms) {
  struct Case {
    const char* in;
    const char* host;
    int port;
  } cases[] = {{"192.168.1.50", "192.168.1.50", 80},
               {"127.0.0.1:8080", "127.0.0.1", 8080},
               {"[::1]:9000", "::1", 9000},
               {"[::1]", "::1", 80},
               {"plug.lan:81", "plug.lan", 81}};
  for (auto& c : cases) {
    auto r = ParseHostPort(c.in, 80);
    ASSERT_TRUE(r) << c.in;
    EXPECT_EQ(r->host, c.host);
    EXPECT_EQ(r->port, c.port);
  }
  EXPECT_EQ(ParseHostPort("[::1]:9000", 80)->ToString(), "[::1]:9000");
}

TEST(HostPort, RejectsWithHint) {
  for (auto in : {"", ":80", "host:99999", "host:x", "::1", "[::1", "a b"})
    EXPECT_FALSE(ParseHostPort(in, 80)) << in;
  EXPECT_EQ(ParseHostPort("host:99999", 80).error().context,
            "'host:99999' is not HOST[:PORT] (port must be 0–65535) — write e.g. 192.168.1.50, "
            "127.0.0.1:8080 or [::1]:8080");
}

TEST(HostPort, Loopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.2"));
}

}  // namespace plugwatch::net
