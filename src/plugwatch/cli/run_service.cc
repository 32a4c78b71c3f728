#include "plugwatch/cli/run_service.h"

#include <fmt/format.h>

#include "plugwatch/api/api_server.h"
#include "plugwatch/cli/command.h"
#include "plugwatch/core/log.h"
#include "plugwatch/notify/runtime.h"

namespace plugwatch::cli {

int RunWithApi(boost::asio::io_context& io, config::Config cfg, engine::ServiceOptions opts,
               std::function<void(std::uint16_t)> ready) {
  static SystemClock clock;
  std::unique_ptr<api::ApiServer> server;
  // Notifications: sinks from [[sinks]] (and the Telegram sink, which the
  // Telegram module adds through notify::NotifyExtensions()), subscribed to
  // the bus before the service starts so events published while it comes
  // back are notified too.
  std::unique_ptr<notify::NotifyRuntime> notifications;
  std::unique_ptr<engine::LiveStatus> live;
  const std::string listen = cfg.server.listen;
  const std::string token = cfg.server.api_token;
  engine::ServiceHooks hooks;
  hooks.before_start = [&](engine::Service& service) {
    live = engine::MakeLiveStatus(service);
    auto rt = notify::MakeNotifyRuntime(io.get_executor(), service.config(), service.store(), clock,
                                        live.get());
    if (!rt) Throw(rt.error(), kExitUsage);
    notifications = std::move(*rt);
    notifications->notifier->Attach(service.bus());
  };
  hooks.setup = [&](engine::Service& service) {
    notifications->Start();  // the outbox, then the Telegram bot's long polling
    api::ApiContext ctx{service, clock, token};
    notify::Outbox* outbox = notifications->outbox.get();
    ctx.extra_metrics = [outbox] { return notify::NotifyMetrics(outbox->Stats()); };
    server = std::make_unique<api::ApiServer>(io.get_executor(), std::move(ctx));
    auto port = server->Listen(listen);
    if (!port) Throw(port.error());
    log::info("api: listening on {} (port {})", listen, *port);
    if (ready) ready(*port);
  };
  hooks.drain = [&](std::function<void()> drained) {
    // The bot stops asking for updates: nothing new is accepted while the
    // service goes down (updates not yet confirmed are fetched again later).
    notifications->Stop();
    // Requests in progress (a heartbeat waiting for its commit) get 5 s.
    server->Shutdown(Duration(5000), std::move(drained));
  };
  return engine::RunService(io, std::move(cfg), opts, std::move(hooks));
}

}  // namespace plugwatch::cli
