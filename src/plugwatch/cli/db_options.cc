#include <unistd.h>

#include "plugwatch/cli/command.h"

namespace plugwatch::cli {

void Throw(const Error& e, int code) { throw Exit{code, e.context}; }

void DbOptions::Add(CLI::App& cmd) {
  cmd.add_option("-c,--config", config_path, "config file (default: ./plugwatch.toml if present)");
  cmd.add_option("--db", db_path, "SQLite database (default: the config's storage.path)");
}

const std::optional<config::Config>& DbOptions::LoadConfig() const {
  if (config_) return *config_;
  std::string path = config_path;
  // ./plugwatch.toml is the default only when nothing else names the database.
  if (path.empty() && db_path.empty() && access("plugwatch.toml", F_OK) == 0)
    path = "plugwatch.toml";
  if (path.empty()) {
    config_.emplace(std::nullopt);
    return *config_;
  }
  auto cfg = config::LoadFile(path);
  if (!cfg) Throw(cfg.error(), kExitUsage);
  config_.emplace(std::move(*cfg));
  return *config_;
}

std::string DbOptions::DbPath() const {
  if (!db_path.empty()) return db_path;
  const auto& cfg = LoadConfig();
  if (!cfg)
    throw Exit{kExitUsage,
               "no database given — pass --db PATH or -c FILE (or run where plugwatch.toml is)"};
  return cfg->storage.path;
}

std::unique_ptr<store::Store> DbOptions::OpenStore(bool create) const {
  const std::string path = DbPath();
  store::OpenOptions opts;
  opts.create = create;
  auto s = store::OpenSqlite(path, opts);
  if (!s) Throw(s.error());
  return std::move(*s);
}

}  // namespace plugwatch::cli
