// init-db, check-config, cleanup, version: small administration commands.
#include <fmt/format.h>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/time.h"

namespace plugwatch::cli {

void RegisterAdmin(CLI::App& app, Context&) {
  {
    auto* cmd = app.add_subcommand("init-db", "create the database (or migrate it) and exit");
    auto db = std::make_shared<DbOptions>();
    db->Add(*cmd);
    cmd->callback([db] {
      auto store = db->OpenStore(/*create=*/true);
      fmt::print("database ready: {}\n", db->DbPath());
    });
  }
  {
    auto* cmd = app.add_subcommand("check-config",
                                   "validate a config file and print the effective config, "
                                   "secrets masked");
    auto path = std::make_shared<std::string>("plugwatch.toml");
    cmd->add_option("-c,--config", *path, "config file")->capture_default_str();
    cmd->callback([path] {
      auto cfg = config::LoadFile(*path);
      if (!cfg) Throw(cfg.error(), kExitUsage);
      fmt::print("# {}: OK\n{}", *path, config::Describe(*cfg));
    });
  }
  {
    auto* cmd = app.add_subcommand(
        "cleanup", "delete raw readings older than N days (rollups, events and cycles stay)");
    auto db = std::make_shared<DbOptions>();
    db->Add(*cmd);
    auto days = std::make_shared<int>(0);
    cmd->add_option("--days", *days, "keep raw readings of the last N days")
        ->required()
        ->check(CLI::Range(1, 100000));
    cmd->callback([db, days] {
      auto store = db->OpenStore();
      const auto& cfg = db->LoadConfig();
      Duration minute_keep = cfg ? cfg->storage.minute_retention : Duration(90LL * 86'400'000);
      Duration raw_keep(static_cast<long long>(*days) * 86'400'000);
      if (minute_keep < raw_keep) minute_keep = raw_keep;
      auto r = store->Cleanup(SystemClock().Now(), raw_keep, minute_keep);
      if (!r) Throw(r.error());
      fmt::print(
          "deleted {} raw readings older than {} days, {} 1-minute rollups older than {} and {} "
          "finished notifications older than {}\n",
          r->raw_readings_deleted, *days, r->minute_rollups_deleted, FormatDuration(minute_keep),
          r->notifications_deleted, FormatDuration(store::kFinishedNotificationsKept));
    });
  }
  {
    auto* cmd = app.add_subcommand("version", "print the version");
    cmd->callback([] { fmt::print("plugwatch {}\n", PLUGWATCH_VERSION); });
  }
}

}  // namespace plugwatch::cli
