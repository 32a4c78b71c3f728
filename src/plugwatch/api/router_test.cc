#include "plugwatch/api/router.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "plugwatch/net/run_until_done.h"

namespace plugwatch::api {
namespace {

namespace asio = boost::asio;

net::HttpResponse Call(const Router& r, std::string method, std::string target) {
  asio::io_context io;
  net::HttpRequest req{.method = std::move(method), .target = std::move(target)};
  return net::RunUntilDone(io, r.Dispatch(req));
}

Router Make() {
  Router r;
  r.Add("GET", "/api/devices/{id}",
        [](net::HttpRequest&, const Params& p) -> asio::awaitable<net::HttpResponse> {
          co_return net::HttpResponse{.body = "device " + p.at("id")};
        });
  r.Add("DELETE", "/api/devices/{id}",
        [](net::HttpRequest&, const Params&) -> asio::awaitable<net::HttpResponse> {
          co_return net::HttpResponse{.status = 204};
        });
  return r;
}

TEST(Router, CapturesDecodedParams) {
  auto res = Call(Make(), "GET", "/api/devices/wash%2Der?x=1");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "device wash-er");
}

TEST(Router, HeadIsGet) { EXPECT_EQ(Call(Make(), "HEAD", "/api/devices/a").status, 200); }

TEST(Router, UnknownPathIs404AndWrongMethod405) {
  auto res = Call(Make(), "GET", "/api/nothing");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"error":"no such endpoint: GET /api/nothing — see /api/openapi.json"})");
  res = Call(Make(), "POST", "/api/devices/a");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.Header("Allow").value_or(""), "GET, DELETE");
}

}  // namespace
}  // namespace plugwatch::api
