// `plugwatch notify test` and `plugwatch notify status`: try the configured
// sinks now, and see what the outbox holds per sink.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/net/run_until_done.h"
#include "plugwatch/notify/render.h"
#include "plugwatch/notify/runtime.h"

namespace plugwatch::cli {

void RegisterNotify(CLI::App& app, Context& ctx) {
  auto* notify = app.add_subcommand("notify", "notifications: try the sinks, see the outbox");
  notify->require_subcommand(1);

  struct TestArgs {
    DbOptions db;
    std::string sink;
  };
  auto ta = std::make_shared<TestArgs>();
  auto* test = notify->add_subcommand(
      "test", "send a test message through every [[sinks]] entry (or one) and say what happened");
  ta->db.Add(*test);
  test->add_option("--sink", ta->sink, "only this sink (its [[sinks]] name)");
  test->callback([ta, &ctx] {
    const auto& cfg = ta->db.LoadConfig();
    if (!cfg)
      throw Exit{kExitUsage,
                 "no config file — pass -c plugwatch.toml (the sinks are configured "
                 "there under [[sinks]])"};
    auto store = ta->db.OpenStore(/*create=*/true);
    boost::asio::io_context io;
    SystemClock clock;
    auto rt = notify::MakeNotifyRuntime(io.get_executor(), *cfg, *store, clock);
    if (!rt) Throw((rt.error()), kExitUsage);
    auto names = (*rt)->outbox->SinkNames();
    if (!ta->sink.empty()) {
      if (std::find(names.begin(), names.end(), ta->sink) == names.end())
        throw Exit{kExitUsage,
                   fmt::format("no sink named '{}' — the configured sinks are: {}", ta->sink,
                               names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")))};
      names = {ta->sink};
    }
    if (names.empty())
      throw Exit{kExitUsage,
                 "no sinks configured — add a [[sinks]] entry (see docs/notifications.md)"};
    int failed = 0;
    for (const auto& name : names) {
      auto sink = (*rt)->outbox->FindSink(name);
      notify::Delivery d;
      d.sink = name;
      d.event_type = "test";
      d.created_at = clock.Now();
      d.idempotency_key = fmt::format("test-{}-{}", name, UnixMillis(d.created_at));
      d.message = notify::RenderTest(notify::Catalog::Notifications(), "en", name);
      const notify::Outcome o = net::RunUntilDone(io, sink->Deliver(d));
      if (o.kind == notify::Outcome::Kind::kDelivered) {
        fmt::print("{}: delivered\n", name);
      } else {
        ++failed;
        const char* what =
            o.kind == notify::Outcome::Kind::kRetry ? "not delivered (temporary)" : "not delivered";
        fmt::print("{}: {} — {}\n", name, what, o.detail);
      }
    }
    if (failed) ctx.exit_code = kExitFailure;
  });

  struct StatusArgs {
    DbOptions db;
    bool json = false;
  };
  auto sa = std::make_shared<StatusArgs>();
  auto* status = notify->add_subcommand(
      "status", "notifications per sink: queued, delivered, failed, dropped (from the database)");
  sa->db.Add(*status);
  status->add_flag("--json", sa->json, "print JSON");
  status->callback([sa] {
    auto store = sa->db.OpenStore();
    auto counts = store->NotificationCounts();
    if (!counts) Throw(counts.error());
    if (sa->json) {
      boost::json::array arr;
      for (const auto& c : *counts)
        arr.push_back(boost::json::object{{"sink", c.sink},
                                          {"queued", c.queued},
                                          {"delivered", c.delivered},
                                          {"failed", c.failed},
                                          {"dropped", c.dropped},
                                          {"last_error", c.last_error}});
      fmt::print("{}\n", boost::json::serialize(arr));
      return;
    }
    if (counts->empty()) {
      fmt::print("no notifications yet\n");
      return;
    }
    fmt::print("{:<16} {:>8} {:>10} {:>8} {:>8}  {}\n", "SINK", "QUEUED", "DELIVERED", "FAILED",
               "DROPPED", "LAST ERROR");
    for (const auto& c : *counts)
      fmt::print("{:<16} {:>8} {:>10} {:>8} {:>8}  {}\n", c.sink, c.queued, c.delivered, c.failed,
                 c.dropped, c.last_error);
  });
}

}  // namespace plugwatch::cli
