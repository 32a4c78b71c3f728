// The OpenAPI document (docs/openapi.json, served at /api/openapi.json)
// describes exactly the routes the API registers, and docs/api.md names
// every one of them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "plugwatch/api/api_server.h"
#include "plugwatch/core/embedded_file.h"
#include "plugwatch/engine/service.h"

namespace plugwatch::api {
namespace {

using Route = std::pair<std::string, std::string>;  // method (lower case), path

std::set<Route> Registered() {
  boost::asio::io_context io;
  config::Config cfg;
  auto store = store::OpenSqlite(":memory:");
  EXPECT_TRUE(store);
  SystemClock clock;
  engine::Service service(io, cfg, std::move(*store), clock);
  ApiServer server(io.get_executor(), ApiContext{service, clock, ""});
  std::set<Route> out;
  for (const auto& r : server.router().routes()) {
    std::string m = r.method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace(m, r.pattern);
  }
  return out;
}

boost::json::object Document() {
  auto text = embedded::Find(embedded::ApiDocuments(), "openapi.json");
  EXPECT_TRUE(text);
  return boost::json::parse(text.value_or("{}")).as_object();
}

std::set<Route> Documented() {
  std::set<Route> out;
  const auto doc = Document();
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object())
      if (method != "parameters") out.emplace(std::string(method), std::string(path));
  return out;
}

TEST(OpenApi, DescribesExactlyTheRegisteredRoutes) {
  const auto registered = Registered();
  const auto documented = Documented();
  for (const auto& r : registered)
    EXPECT_TRUE(documented.contains(r))
        << r.first << " " << r.second << " is served but not in docs/openapi.json";
  for (const auto& d : documented)
    EXPECT_TRUE(registered.contains(d))
        << d.first << " " << d.second << " is in docs/openapi.json but not served";
  EXPECT_GE(registered.size(), 20u);
}

TEST(OpenApi, EveryPathIsInTheApiGuide) {
  std::ifstream f(std::string(PLUGWATCH_DOCS_DIR) + "/api.md");
  std::stringstream text;
  text << f.rdbuf();
  ASSERT_FALSE(text.str().empty());
  const auto doc = Document();
  for (const auto& [path, item] : doc.at("paths").as_object())
    EXPECT_NE(text.str().find(std::string(path)), std::string::npos)
        << path << " is not mentioned in docs/api.md";
}

TEST(OpenApi, IsAnOpenApi3Document) {
  auto doc = Document();
  EXPECT_TRUE(std::string_view(doc.at("openapi").as_string()).starts_with("3."));
  EXPECT_TRUE(doc.at("info").as_object().contains("title"));
}

}  // namespace
}  // namespace plugwatch::api
