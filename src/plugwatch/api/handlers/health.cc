// /api/health and /api/openapi.json: is it up, and what does it offer.
#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"
#include "plugwatch/core/embedded_file.h"

namespace plugwatch::api {

void AddHealthRoutes(Router& r, ApiContext&) {
  r.Add("GET", "/api/health",
        [](net::HttpRequest&, const Params&) -> boost::asio::awaitable<net::HttpResponse> {
          co_return Json(boost::json::object{{"status", "ok"}});
        });
  r.Add("GET", "/api/openapi.json",
        [](net::HttpRequest&, const Params&) -> boost::asio::awaitable<net::HttpResponse> {
          net::HttpResponse res;
          res.headers.emplace_back("Content-Type", "application/json");
          res.body =
              std::string(embedded::Find(embedded::ApiDocuments(), "openapi.json").value_or("{}"));
          co_return res;
        });
}

}  // namespace plugwatch::api
