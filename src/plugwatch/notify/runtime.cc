#include "plugwatch/notify/runtime.h"

#include <fmt/format.h>

#include "plugwatch/core/log.h"

namespace plugwatch::notify {

std::vector<NotifyExtension>& NotifyExtensions() {
  static std::vector<NotifyExtension> extensions;
  return extensions;
}

Result<std::unique_ptr<NotifyRuntime>> MakeNotifyRuntime(boost::asio::any_io_executor ex,
                                                         const config::Config& cfg,
                                                         store::Store& store, const Clock& clock,
                                                         const engine::LiveStatus* live) {
  auto rt = std::make_unique<NotifyRuntime>();
  rt->ex = ex;
  rt->live = live;
  rt->web = std::make_shared<net::WebClient>(ex);
  rt->context.web = rt->web;
  rt->outbox = std::make_unique<Outbox>(ex, store, clock);
  const config::Config* c = &cfg;
  store::Store* st = &store;
  rt->notifier = std::make_unique<Notifier>(cfg, *rt->outbox, Catalog::Notifications(), clock,
                                            [c, st](const std::string& id) -> std::string {
                                              for (const auto& d : c->devices)
                                                if (d.id == id)
                                                  return d.name.empty() ? d.id : d.name;
                                              if (auto d = st->GetDevice(id);
                                                  d && *d && !(*d)->spec.name.empty())
                                                return (*d)->spec.name;
                                              return id;
                                            });
  for (const auto& ext : NotifyExtensions())
    if (auto r = ext(*rt, cfg, store); !r) return Fail(r.error());
  for (const auto& s : cfg.sinks) {
    auto sink = rt->registry.Make(s.name, s.url, rt->context);
    if (!sink) return Fail(sink.error());
    rt->outbox->AddSink(*sink);
    log::info("notify: sink {} → {}", s.name, MaskSinkUrl(s.url));
  }
  return rt;
}

void NotifyRuntime::Start() {
  outbox->Start();
  for (const auto& f : on_start) f();
}

void NotifyRuntime::Stop() {
  for (const auto& f : on_stop) f();
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
