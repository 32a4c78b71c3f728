#include "plugwatch/api/api_server.h"
#include "plugwatch/api/respond.h"

namespace plugwatch::api {

void AddHealthRoutes(Router& r, ApiContext&) {
  r.Add("GET", "/api/health",
        [](net::HttpRequest&, const Params&) -> boost::asio::awaitable<net::HttpResponse> {
          co_return Json(boost::json::object{{"status", "ok"}});
        });
}

}  // namespace plugwatch::api
