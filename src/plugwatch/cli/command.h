// The CLI: `plugwatch <command> …`, one file per command, each registering
// itself on the CLI11 app through the table in main.cc. Commands report
// failures through Exit: 0 success, 1 runtime failure, 2 usage or config
// error; the message goes to stderr in one line that says what to do.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "plugwatch/config/config.h"
#include "plugwatch/core/error.h"
#include "plugwatch/store/store.h"

namespace plugwatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Context {
  int exit_code = kExitOk;
};

// Thrown from a command's callback to end the program with a message.
struct Exit {
  int code;
  std::string message;
};

// "-c FILE" and "--db PATH", shared by every management command.
struct DbOptions {
  std::string config_path;
  std::string db_path;
  void Add(CLI::App& cmd);
  // The config (from -c, or ./plugwatch.toml when present), or nullopt;
  // read once per command. Throws Exit(2) when the file is given but invalid.
  const std::optional<config::Config>& LoadConfig() const;
  // The database named by --db, else by the config's storage.path. Throws
  // Exit with a hint when neither is known or the database cannot be opened.
  std::unique_ptr<store::Store> OpenStore(bool create = false) const;
  // The database path OpenStore uses.
  std::string DbPath() const;

 private:
  mutable std::optional<std::optional<config::Config>> config_;
};

// Throws Exit(code, error.context).
[[noreturn]] void Throw(const Error& e, int code = kExitFailure);

void RegisterServe(CLI::App& app, Context& ctx);
void RegisterDemo(CLI::App& app, Context& ctx);
void RegisterSim(CLI::App& app, Context& ctx);
void RegisterDevice(CLI::App& app, Context& ctx);
void RegisterEvents(CLI::App& app, Context& ctx);
void RegisterPower(CLI::App& app, Context& ctx);  // outages, stats
void RegisterHeartbeat(CLI::App& app, Context& ctx);
void RegisterAdmin(CLI::App& app, Context& ctx);   // init-db, check-config, cleanup, version
void RegisterNotify(CLI::App& app, Context& ctx);  // notify test, notify status

int Main(int argc, char** argv);

}  // namespace plugwatch::cli
