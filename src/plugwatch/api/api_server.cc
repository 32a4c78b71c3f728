#include "plugwatch/api/api_server.h"

#include <fmt/format.h>

#include "plugwatch/api/auth.h"
#include "plugwatch/api/live_stream.h"
#include "plugwatch/core/log.h"
#include "plugwatch/engine/service.h"
#include "plugwatch/net/host_port.h"
#include "plugwatch/net/http_server.h"

namespace plugwatch::api {

struct ApiServer::Impl {
  std::unique_ptr<net::HttpServer> server;
  bool has_token = false;
};

ApiServer::ApiServer(boost::asio::any_io_executor ex, ApiContext ctx)
    : impl_(std::make_unique<Impl>()) {
  impl_->has_token = !ctx.api_token.empty();
  auto shared = std::make_shared<ApiContext>(ctx);
  AddHealthRoutes(router_, *shared);
  AddDeviceRoutes(router_, *shared);
  AddHistoryRoutes(router_, *shared);
  AddPowerRoutes(router_, *shared);
  auto heartbeat_route = AddHeartbeatRoutes(router_, *shared, ex);
  AddControlRoutes(router_, *shared);
  live_ = LiveStream::Start(ex, ctx.service.bus(), ctx.service.store(),
                            StreamOptions::FromEnvironment(config::ProcessEnv()));
  shared->live = live_;
  AddMetricsRoutes(router_, *shared);
  AddStreamRoutes(router_, live_);
  AddDashboardRoutes(router_);
  impl_->server = std::make_unique<net::HttpServer>(
      ex, [this, shared](net::HttpRequest& req) { return router_.Dispatch(req); },
      net::ServerLimits{.max_body = 64 * 1024});
  impl_->server->SetFastRoute(std::move(heartbeat_route));
}

ApiServer::~ApiServer() { Stop(); }

Result<std::uint16_t> ApiServer::Listen(const std::string& listen) {
  auto hp = net::ParseHostPort(listen, 8080);
  if (!hp) return Fail(Wrap(hp.error(), "server.listen"));
  if (!impl_->has_token && !net::IsLoopbackHost(hp->host))
    return Fail(Errc::kInvalidArgument,
                fmt::format("server.listen: refusing to listen on {} without server.api_token — "
                            "set api_token (e.g. \"${{PLUGWATCH_API_TOKEN}}\") or listen on "
                            "127.0.0.1",
                            hp->ToString()));
  return impl_->server->Listen(hp->host, hp->port);
}

void ApiServer::Stop() {
  if (live_) live_->Stop();
  if (impl_->server) impl_->server->Stop();
}

void ApiServer::Shutdown(Duration grace, std::function<void()> done) {
  live_->Stop();
  impl_->server->Shutdown(grace, std::move(done));
}

Handler RequireToken(const ApiContext& ctx, Handler h) {
  return [&ctx, h = std::move(h)](net::HttpRequest& req,
                                  const Params& p) -> boost::asio::awaitable<net::HttpResponse> {
    if (!Authorized(req, ctx.api_token))
      co_return net::JsonError(401,
                               "missing or wrong API token — send 'Authorization: Bearer "
                               "<server.api_token>'");
    co_return co_await h(req, p);
  };
}

}  // namespace plugwatch::api
