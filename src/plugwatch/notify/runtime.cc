#include "plugwatch/notify/runtime.h"

#include <fmt/format.h>

#include "plugwatch/core/log.h"

namespace plugwatch::notify {

std::vector<NotifyExtension>& NotifyExtensions() {
  static std::vector<NotifyExtension> extensions;
  return extensions;
}

Result<std::unique_ptr<NotifyRuntime>> MakeNotifyRuntime(boost::asio::any_io_executor ex,
                                                         engine::Service& service,
                                                         const Clock& clock) {
  auto rt = std::make_unique<NotifyRuntime>();
  rt->web = std::make_shared<net::WebClient>(ex);
  rt->context.web = rt->web;
  rt->outbox = std::make_unique<Outbox>(ex, service.store(), clock);
  const engine::Service* svc = &service;
  rt->notifier =
      std::make_unique<Notifier>(service.config(), *rt->outbox, Catalog::Notifications(),
                                 [svc](const std::string& id) -> std::string {
                                   for (const auto& d : svc->config().devices)
                                     if (d.id == id) return d.name.empty() ? d.id : d.name;
                                   std::string name = id;
                                   svc->ForEachDevice([&](const DeviceSpec& spec, const auto&) {
                                     if (spec.id == id && !spec.name.empty()) name = spec.name;
                                   });
                                   return name;
                                 });
  for (const auto& ext : NotifyExtensions())
    if (auto r = ext(*rt, service); !r) return Fail(r.error());
  for (const auto& s : service.config().sinks) {
    auto sink = rt->registry.Make(s.name, s.url, rt->context);
    if (!sink) return Fail(sink.error());
    rt->outbox->AddSink(*sink);
    log::info("notify: sink {} → {}", s.name, MaskSinkUrl(s.url));
  }
  rt->notifier->Attach(service.bus());
  return rt;
}

namespace {

std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string NotifyMetrics(const OutboxStats& stats) {
  std::string out =
      "# HELP plugwatch_notifications_total Notification delivery attempts by sink and result.\n"
      "# TYPE plugwatch_notifications_total counter\n";
  for (const auto& [sink, results] : stats.results)
    for (const char* r : {"delivered", "retry", "failed", "dropped", "moved"}) {
      auto it = results.find(r);
      out += fmt::format("plugwatch_notifications_total{{sink=\"{}\",result=\"{}\"}} {}\n",
                         Escape(sink), r, it == results.end() ? 0 : it->second);
    }
  out +=
      "# HELP plugwatch_notifications_queued Notifications waiting in the outbox, by sink.\n"
      "# TYPE plugwatch_notifications_queued gauge\n";
  for (const auto& [sink, n] : stats.queued)
    out += fmt::format("plugwatch_notifications_queued{{sink=\"{}\"}} {}\n", Escape(sink), n);
  return out;
}

}  // namespace plugwatch::notify
