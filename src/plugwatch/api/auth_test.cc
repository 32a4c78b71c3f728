#include "plugwatch/api/auth.h"

#include <gtest/gtest.h>

namespace plugwatch::api {

TEST(Auth, BearerToken) {
  net::HttpRequest req;
  EXPECT_TRUE(Authorized(req, ""));
  EXPECT_FALSE(Authorized(req, "s3cret"));
  req.headers.emplace_back("Authorization", "Bearer s3cret");
  EXPECT_TRUE(Authorized(req, "s3cret"));
  EXPECT_FALSE(Authorized(req, "s3cret2"));
  req.headers[0].second = "bearer s3cret";
  EXPECT_TRUE(Authorized(req, "s3cret"));
  req.headers[0].second = "Basic s3cret";
  EXPECT_FALSE(Authorized(req, "s3cret"));
}

TEST(Auth, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace plugwatch::api
