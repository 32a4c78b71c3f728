// GET /api/stream: the live feed of events and readings (api/live_stream.h).
// Open to read, like every GET.
#include "plugwatch/api/api_server.h"
#include "plugwatch/api/live_stream.h"

namespace plugwatch::api {

void AddStreamRoutes(Router& r, std::shared_ptr<LiveStream> live) {
  r.Add("GET", "/api/stream",
        [live](net::HttpRequest& req, const Params&) -> boost::asio::awaitable<net::HttpResponse> {
          co_return live->Open(req);
        });
}

}  // namespace plugwatch::api
