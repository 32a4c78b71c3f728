#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/time.h"
#include "plugwatch/engine/event_line.h"

namespace plugwatch::cli {

void RegisterEvents(CLI::App& app, Context&) {
  auto* cmd = app.add_subcommand("events", "list recorded events, newest first");
  struct Args {
    DbOptions db;
    double hours = 24;
    std::string type, device;
    bool json = false;
    int limit = 1000;
  };
  auto a = std::make_shared<Args>();
  a->db.Add(*cmd);
  cmd->add_option("--hours", a->hours, "how far back")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--type", a->type, "only this event type (e.g. cycle_finished)");
  cmd->add_option("--device", a->device, "only this device");
  cmd->add_option("--limit", a->limit, "at most this many")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", a->json, "print a JSON array");
  cmd->callback([a] {
    store::EventQuery q;
    q.since = SystemClock().Now() - Duration(static_cast<long long>(a->hours * 3'600'000));
    q.limit = a->limit;
    if (!a->type.empty()) {
      q.type = ParseEventType(a->type);
      if (!q.type)
        throw Exit{kExitUsage,
                   fmt::format("unknown event type '{}' — use one of device_active, "
                               "cycle_finished, device_offline, device_online, power_lost, "
                               "power_restored, switched_on, switched_off",
                               a->type)};
    }
    if (!a->device.empty()) q.device = a->device;
    auto store = a->db.OpenStore();
    auto events = store->QueryEvents(q);
    if (!events) Throw(events.error());
    if (a->json) {
      boost::json::array arr;
      for (const auto& e : *events) arr.push_back(ToJson(e));
      fmt::print("{}\n", boost::json::serialize(arr));
      return;
    }
    if (events->empty()) {
      fmt::print("no events in the last {} h\n", a->hours);
      return;
    }
    for (const auto& e : *events) fmt::print("{}\n", engine::FormatEventLine(e));
  });
}

}  // namespace plugwatch::cli
