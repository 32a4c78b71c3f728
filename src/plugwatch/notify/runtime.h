// NotifyRuntime: the notification side of a running service, assembled by
// the composition root (cli/run_service.cc): one WebClient, the SinkRegistry,
// the Outbox with a Sink per [[sinks]] entry, and the Notifier subscribed to
// the service's bus.
//
// The Telegram module plugs in through a NotifyExtension, called after the
// registry exists and before [[sinks]] are built: it registers the "tgram"
// scheme, adds the "telegram" sink for [telegram], a RecipientSource for its
// subscribers (notifier->AddRecipientSource), the channel
// (notifier->AddRecipient) and its recipient hook
// (outbox->OnRecipientChange), and the bot's loop (on_start / on_stop).
//
// In the service, MakeNotifyRuntime and notifier->Attach(bus) run before
// Service::Start (events published while the service comes back are
// notified); outbox->Start() then starts delivering and Start() runs
// on_start (the Telegram bot's long polling); on the first SIGTERM Stop()
// runs on_stop. `plugwatch notify test` makes the same runtime without a bus
// or live state, never starts it, and calls the sinks directly.
// Threading: the engine's event loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "plugwatch/config/config.h"
#include "plugwatch/engine/live_status.h"
#include "plugwatch/net/web_client.h"
#include "plugwatch/notify/notifier.h"
#include "plugwatch/notify/outbox.h"
#include "plugwatch/notify/sink_url.h"
#include "plugwatch/store/store.h"

namespace plugwatch::notify {

struct NotifyRuntime {
  boost::asio::any_io_executor ex;  // the engine's event loop
  std::shared_ptr<net::WebClient> web;
  SinkRegistry registry;
  SinkContext context;
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<Notifier> notifier;
  // The running service's live state (the bot's /status, /devices); null in
  // `notify test`.
  const engine::LiveStatus* live = nullptr;
  // Run by Start() after the outbox starts, and by Stop() (extensions add
  // their own loops here).
  std::vector<std::function<void()>> on_start;
  std::vector<std::function<void()>> on_stop;

  void Start();
  void Stop();
};

using NotifyExtension =
    std::function<Result<void>(NotifyRuntime&, const config::Config&, store::Store&)>;

// The extensions every service gets (the Telegram module adds itself here at
// start-up, before the service is made).
std::vector<NotifyExtension>& NotifyExtensions();

// Fails with kInvalidArgument naming the [[sinks]] entry whose URL is wrong.
// `cfg`, `store` and `live` must outlive the runtime.
Result<std::unique_ptr<NotifyRuntime>> MakeNotifyRuntime(boost::asio::any_io_executor ex,
                                                         const config::Config& cfg,
                                                         store::Store& store, const Clock& clock,
                                                         const engine::LiveStatus* live = nullptr);

// The outbox's counters in Prometheus text format:
// plugwatch_notifications_total{sink,result} and plugwatch_notifications_queued{sink}.
std::string NotifyMetrics(const OutboxStats& stats);

}  // namespace plugwatch::notify
