// The dashboard's files as the browser gets them: the embedded build of web/,
// with content types, ETag revalidation, versioned asset URLs and the
// Content-Security-Policy (api/handlers/dashboard.cc).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <regex>

#include "plugwatch/api/api_server.h"
#include "plugwatch/core/embedded_file.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::api {
namespace {

net::HttpResponse Get(const Router& r, std::string target, net::Headers headers = {}) {
  boost::asio::io_context io;
  net::HttpRequest req{.method = "GET", .target = std::move(target), .headers = std::move(headers)};
  return net::RunUntilDone(io, r.Dispatch(req));
}

Router Dashboard() {
  Router r;
  AddDashboardRoutes(r);
  return r;
}

std::string H(const net::HttpResponse& res, std::string_view name) {
  return std::string(res.Header(name).value_or("<absent>"));
}

// The ?v= version index.html gives an asset.
std::string VersionIn(const std::string& index, const std::string& asset) {
  std::smatch m;
  const std::regex re("/assets/" + asset + R"re(\?v=([0-9a-f]{16})")re");
  if (!std::regex_search(index, m, re)) return "";
  return m[1];
}

TEST(Dashboard, EmbedsTheBuiltFiles) {
  for (const char* name : {"index.html", "app.js", "app.css", "favicon.svg"}) {
    auto f = embedded::Find(embedded::DashboardAssets(), name);
    ASSERT_TRUE(f) << name << " is not embedded";
    EXPECT_GT(f->size(), 100u) << name;
  }
}

TEST(Dashboard, IndexIsHtmlWithCspAndVersionedAssets) {
  auto res = Get(Dashboard(), "/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(H(res, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(H(res, "Cache-Control"), "no-cache");
  EXPECT_EQ(H(res, "Content-Security-Policy"),
            "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'");
  EXPECT_EQ(H(res, "X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(res.body.starts_with("<!doctype html>"));
  for (const char* asset : {"app.js", "app.css", "favicon.svg"})
    EXPECT_EQ(VersionIn(res.body, asset).size(), 16u) << asset << " is not versioned in\n"
                                                      << res.body;
  // Nothing refers to another host.
  EXPECT_EQ(res.body.find("http://"), std::string::npos);
  EXPECT_EQ(res.body.find("https://"), std::string::npos);
}

TEST(Dashboard, AssetsHaveTheirContentTypes) {
  const auto r = Dashboard();
  EXPECT_EQ(H(Get(r, "/assets/app.js"), "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(H(Get(r, "/assets/app.css"), "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(H(Get(r, "/assets/favicon.svg"), "Content-Type"), "image/svg+xml");
  auto js = Get(r, "/assets/app.js");
  EXPECT_EQ(js.body, embedded::Find(embedded::DashboardAssets(), "app.js").value_or(""));
  EXPECT_NE(H(js, "Content-Security-Policy"), "<absent>");
}

TEST(Dashboard, MatchingEtagGets304WithoutBody) {
  const auto r = Dashboard();
  for (const char* target : {"/", "/assets/app.js"}) {
    auto first = Get(r, target);
    const std::string etag = H(first, "ETag");
    ASSERT_TRUE(std::regex_match(etag, std::regex(R"("[0-9a-f]{16}")"))) << etag;
    auto again = Get(r, target, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304) << target;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(H(again, "ETag"), etag);
    // A list, a weak form of the same tag and "*" match; another tag does not.
    EXPECT_EQ(Get(r, target, {{"If-None-Match", "\"0000000000000000\", W/" + etag}}).status, 304);
    EXPECT_EQ(Get(r, target, {{"If-None-Match", "*"}}).status, 304);
    auto other = Get(r, target, {{"If-None-Match", "\"0000000000000000\""}});
    EXPECT_EQ(other.status, 200);
    EXPECT_EQ(other.body, first.body);
  }
}

TEST(Dashboard, CurrentVersionIsImmutableOthersRevalidate) {
  const auto r = Dashboard();
  const std::string v = VersionIn(Get(r, "/").body, "app.js");
  ASSERT_FALSE(v.empty());
  auto current = Get(r, "/assets/app.js?v=" + v);
  EXPECT_EQ(H(current, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ("\"" + v + "\"", H(current, "ETag"));
  EXPECT_EQ(H(Get(r, "/assets/app.js?v=0123456789abcdef"), "Cache-Control"), "no-cache");
  EXPECT_EQ(H(Get(r, "/assets/app.js"), "Cache-Control"), "no-cache");
}

TEST(Dashboard, UnknownAssetIs404) {
  auto res = Get(Dashboard(), "/assets/nope.js");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"error":"no dashboard file 'nope.js' — the dashboard starts at /"})");
  EXPECT_EQ(Get(Dashboard(), "/assets/..%2Findex.html").status, 404);
}

}  // namespace
}  // namespace plugwatch::api
