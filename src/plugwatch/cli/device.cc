// plugwatch device add|list|remove|test|on|off
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/device_spec_json.h"
#include "plugwatch/core/time.h"
#include "plugwatch/devices/driver.h"
#include "plugwatch/net/run_until_done.h"

namespace plugwatch::cli {
namespace {

namespace asio = boost::asio;

std::vector<store::StoredDevice> Devices(store::Store& s) {
  auto list = s.ListDevices();
  if (!list) Throw(list.error());
  return std::move(*list);
}

store::StoredDevice Find(store::Store& s, const std::string& id) {
  auto d = s.GetDevice(id);
  if (!d) Throw(d.error());
  if (!*d)
    throw Exit{kExitFailure,
               fmt::format("device '{}' does not exist — see `plugwatch device list`", id)};
  return std::move(**d);
}

boost::json::object SpecJson(const store::StoredDevice& d) {
  boost::json::object o = ToJson(d.spec);
  o["source"] = d.source;
  return o;
}

// Runs one job against a device's driver on a private event loop.
template <class F>
auto WithDriver(const DeviceSpec& spec, Duration timeout, F job) {
  asio::io_context io(1);
  SystemClock clock;
  devices::DriverContext ctx{io.get_executor(), timeout, &clock};
  auto driver = devices::MakeDriver(spec, ctx);
  if (!driver) Throw(driver.error());
  return net::RunUntilDone(io, job(**driver));
}

void RegisterAdd(CLI::App& device) {
  auto* cmd = device.add_subcommand("add", "add a device");
  struct Args {
    DbOptions db;
    DeviceSpec spec;
    std::string poll, start_delay = "10s", stop_delay = "3m";
    double start_above = 5, stop_below = 2, price = 0;
    std::string currency;
    bool activity = false;
  };
  auto a = std::make_shared<Args>();
  a->db.Add(*cmd);
  cmd->add_option("id", a->spec.id, "device id: a-z, 0-9, '_' and '-'")->required();
  cmd->add_option("--kind", a->spec.kind, "tapo | http | tcp")->required();
  cmd->add_option("--address", a->spec.address, "HOST[:PORT]")->required();
  cmd->add_option("--name", a->spec.name, "human name (default: the id)");
  cmd->add_option("--username", a->spec.username, "Tapo account e-mail");
  cmd->add_option("--password", a->spec.password,
                  "Tapo account password ('-' reads it from standard input)");
  cmd->add_option("--site", a->spec.site, "site id")->capture_default_str();
  cmd->add_option("--protocol", a->spec.protocol, "tapo: auto | klap | passthrough")
      ->capture_default_str();
  cmd->add_option("--poll-interval", a->poll, "e.g. 5s (default: the config's)");
  cmd->add_flag("--activity", a->activity,
                "detect appliance cycles (implied by the options below)");
  cmd->add_option("--start-above-w", a->start_above, "cycle starts above this power")
      ->capture_default_str();
  cmd->add_option("--start-delay", a->start_delay, "… sustained this long")->capture_default_str();
  cmd->add_option("--stop-below-w", a->stop_below, "cycle ends below this power")
      ->capture_default_str();
  cmd->add_option("--stop-delay", a->stop_delay, "… sustained this long")->capture_default_str();
  cmd->add_option("--price-per-kwh", a->price, "for the cost of a cycle")->capture_default_str();
  cmd->add_option("--currency", a->currency, "shown after the cost, e.g. €");
  cmd->callback([a, cmd] {
    DeviceSpec spec = a->spec;
    if (spec.password == "-") std::getline(std::cin, spec.password);
    auto dur = [](const std::string& text, const char* flag) {
      auto d = ParseDuration(text);
      if (!d) throw Exit{kExitUsage, fmt::format("{}: {}", flag, d.error().context)};
      return *d;
    };
    if (!a->poll.empty()) spec.poll_interval = dur(a->poll, "--poll-interval");
    bool activity = a->activity;
    for (const char* f : {"--start-above-w", "--start-delay", "--stop-below-w", "--stop-delay",
                          "--price-per-kwh", "--currency"})
      activity = activity || cmd->count(f) > 0;
    if (activity)
      spec.activity = ActivitySettings{a->start_above, dur(a->start_delay, "--start-delay"),
                                       a->stop_below,  dur(a->stop_delay, "--stop-delay"),
                                       a->price,       a->currency};
    config::FillDeviceDefaults(spec);
    if (auto v = config::ValidateDevice(spec, "device"); !v) Throw(v.error(), kExitUsage);
    auto store = a->db.OpenStore(/*create=*/true);
    if (auto r = store->AddDevice(spec, "cli"); !r)
      Throw(r.error(), r.error().Is(Errc::kAlreadyExists) ? kExitUsage : kExitFailure);
    fmt::print("added {} ({} at {}); a running service starts polling it within 2 s\n", spec.id,
               spec.kind, spec.address);
  });
}

void RegisterList(CLI::App& device) {
  auto* cmd = device.add_subcommand("list", "list devices");
  auto db = std::make_shared<DbOptions>();
  auto json = std::make_shared<bool>(false);
  db->Add(*cmd);
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([db, json] {
    auto store = db->OpenStore();
    auto list = Devices(*store);
    if (*json) {
      boost::json::array arr;
      for (const auto& d : list) arr.push_back(SpecJson(d));
      fmt::print("{}\n", boost::json::serialize(arr));
      return;
    }
    if (list.empty()) {
      fmt::print(
          "no devices — add one with `plugwatch device add ID --kind tapo --address HOST`\n");
      return;
    }
    fmt::print("{:<16} {:<24} {:<5} {:<22} {:<8} {:<8} {}\n", "ID", "NAME", "KIND", "ADDRESS",
               "SITE", "ENABLED", "SOURCE");
    for (const auto& d : list)
      fmt::print("{:<16} {:<24} {:<5} {:<22} {:<8} {:<8} {}\n", d.spec.id, d.spec.name, d.spec.kind,
                 d.spec.address, d.spec.site, d.spec.enabled ? "yes" : "no", d.source);
  });
}

void RegisterRemove(CLI::App& device) {
  auto* cmd = device.add_subcommand("remove", "remove a device (its history stays)");
  auto db = std::make_shared<DbOptions>();
  auto id = std::make_shared<std::string>();
  db->Add(*cmd);
  cmd->add_option("id", *id, "device id")->required();
  cmd->callback([db, id] {
    auto store = db->OpenStore();
    if (auto r = store->RemoveDevice(*id); !r) Throw(r.error());
    fmt::print("removed {}\n", *id);
  });
}

void RegisterTest(CLI::App& device, Context& ctx) {
  auto* cmd = device.add_subcommand("test", "poll devices once and show what they answer");
  auto db = std::make_shared<DbOptions>();
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  db->Add(*cmd);
  cmd->add_option("id", *id, "device id (default: every device)");
  cmd->add_flag("--json", *json, "print a JSON array");
  cmd->callback([&ctx, db, id, json] {
    auto store = db->OpenStore();
    std::vector<store::StoredDevice> list;
    if (id->empty())
      list = Devices(*store);
    else
      list.push_back(Find(*store, *id));
    const auto& cfg = db->LoadConfig();
    Duration timeout = cfg ? cfg->defaults.request_timeout : Duration(3000);
    boost::json::array out;
    int failed = 0;
    for (const auto& d : list) {
      boost::json::object row;
      row["id"] = d.spec.id;
      auto [info, reading] = WithDriver(
          d.spec, timeout,
          [](devices::Driver& drv)
              -> asio::awaitable<std::pair<Result<boost::json::object>, Result<Reading>>> {
            auto i = co_await drv.Info();
            auto r = co_await drv.Poll();
            co_return std::pair{std::move(i), std::move(r)};
          });
      if (!reading) {
        ++failed;
        row["ok"] = false;
        row["error"] = reading.error().context;
        if (!*json) fmt::print("{:<16} FAILED  {}\n", d.spec.id, reading.error().context);
      } else {
        row["ok"] = true;
        if (info) row["info"] = *info;
        if (reading->power_w) row["power_w"] = *reading->power_w;
        if (reading->relay_on) row["on"] = *reading->relay_on;
        if (reading->device_energy_wh) row["today_energy_wh"] = *reading->device_energy_wh;
        row["latency_ms"] = reading->latency.count();
        if (!*json) {
          std::string what;
          if (info) {
            auto str = [&](const char* k) {
              auto* v = info->if_contains(k);
              return v && v->is_string() ? std::string(v->as_string()) : std::string();
            };
            what = fmt::format("{} {} {}", str("model"), str("protocol"), str("nickname"));
          }
          if (reading->power_w) what += fmt::format("  power {:.1f} W", *reading->power_w);
          if (reading->relay_on)
            what += fmt::format("  relay {}", *reading->relay_on ? "on" : "off");
          if (reading->device_energy_wh)
            what += fmt::format("  today {:.0f} Wh", *reading->device_energy_wh);
          fmt::print("{:<16} ok      {}  ({} ms)\n", d.spec.id, what, reading->latency.count());
        }
      }
      out.push_back(std::move(row));
    }
    if (*json) fmt::print("{}\n", boost::json::serialize(out));
    if (failed) ctx.exit_code = kExitFailure;
  });
}

void RegisterSwitch(CLI::App& device, bool on) {
  auto* cmd =
      device.add_subcommand(on ? "on" : "off", on ? "switch a plug on" : "switch a plug off");
  auto db = std::make_shared<DbOptions>();
  auto id = std::make_shared<std::string>();
  db->Add(*cmd);
  cmd->add_option("id", *id, "device id")->required();
  cmd->callback([db, id, on] {
    auto store = db->OpenStore();
    auto d = Find(*store, *id);
    // Reads the relay first: an event means the relay changed, so switching a
    // plug that is already in that state records nothing.
    auto r = WithDriver(d.spec, Duration(5000),
                        [on](devices::Driver& drv) -> asio::awaitable<Result<bool>> {
                          auto now = co_await drv.Poll();
                          if (!now) co_return std::unexpected(now.error());
                          if (now->relay_on == on) co_return false;
                          auto sw = co_await drv.Switch(on);
                          if (!sw) co_return std::unexpected(sw.error());
                          co_return true;
                        });
    if (!r) Throw(r.error());
    if (!*r) {
      fmt::print("{} is already {}\n", d.spec.id, on ? "on" : "off");
      return;
    }
    // Recorded here with source "cli"; a running service that sees the relay
    // change finds this event and does not announce it a second time.
    Event e = MakeEvent(on ? EventType::kSwitchedOn : EventType::kSwitchedOff, SystemClock().Now(),
                        d.spec.id, d.spec.site);
    e.data["source"] = "cli";
    store->RecordEvent(std::move(e));
    if (auto f = store->Flush(); !f) Throw(f.error());
    fmt::print("{} switched {}\n", d.spec.id, on ? "on" : "off");
  });
}

}  // namespace

void RegisterDevice(CLI::App& app, Context& ctx) {
  auto* device = app.add_subcommand("device", "manage, probe and switch devices");
  device->require_subcommand(1);
  RegisterAdd(*device);
  RegisterList(*device);
  RegisterRemove(*device);
  RegisterTest(*device, ctx);
  RegisterSwitch(*device, true);
  RegisterSwitch(*device, false);
}

}  // namespace plugwatch::cli
