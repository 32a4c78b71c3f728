#include <unistd.h>

#include "plugwatch/cli/command.h"

namespace plugwatch::cli {

void Throw(const Error& e, int code) { throw Exit{code, e.context}; }

void DbOptions::Add(CLI::App& cmd) {
  cmd.add_option("-c,--config", config_path, "config file (default: ./plugwatch.toml if present)");
  cmd.add_option("--db", db_path, "SQLite database (default: the config's storage.path)");
}

std::optional<config::Config> DbOptions::LoadConfig() const {
  std::string path = config_path;
  if (path.empty()) {
    if (access("plugwatch.toml", F_OK) != 0) return std::nullopt;
    path = "plugwatch.toml";
  }
  auto cfg = config::LoadFile(path);
  if (!cfg) Throw(cfg.error(), kExitUsage);
  return std::move(*cfg);
}

std::unique_ptr<store::Store> DbOptions::OpenStore(bool create) const {
  std::string path = db_path;
  if (path.empty()) {
    auto cfg = LoadConfig();
    if (!cfg)
      throw Exit{kExitUsage,
                 "no database given — pass --db PATH or -c FILE (or run where plugwatch.toml is)"};
    path = cfg->storage.path;
  }
  store::OpenOptions opts;
  opts.create = create;
  auto s = store::OpenSqlite(path, opts);
  if (!s) Throw(s.error());
  return std::move(*s);
}

}  // namespace plugwatch::cli
