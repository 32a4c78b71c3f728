// The typed configuration, loaded from one TOML file (docs/config.md).
//
// Every field has a default and a comment; unknown keys and bad values are
// errors that name the path and say what to do
// ("devices[2].poll_interval: must be ≥ 100ms"). Secrets are written as
// "${ENV_NAME}" and resolved from the environment at load time; Describe()
// prints the effective config with every secret masked. Values; thread-safe
// once loaded.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/error.h"

namespace plugwatch::config {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT of the HTTP API and dashboard
  std::string api_token;                  // secret; required for writes beyond loopback
};

struct StorageConfig {
  std::string path = "plugwatch.db";  // SQLite file; relative paths are relative to the config file
  Duration raw_retention{7LL * 86'400'000};      // raw readings kept this long
  Duration minute_retention{90LL * 86'400'000};  // 1-minute rollups kept this long
};

struct DefaultsConfig {
  Duration poll_interval{5000};     // how often a device is polled
  Duration request_timeout{3000};   // deadline for one device request
};

struct SiteConfig {
  std::string id = "home";
  std::string timezone = "UTC";
  double outage_quorum = 0.5;  // fraction of probed devices unreachable that means an outage
  int confirm_checks = 2;      // consecutive failed/successful polls before offline/online
};

struct HeartbeatConfig {
  std::string label;       // "POWER", "GENERATOR", …
  std::string token;       // secret; Bearer token the client must send (empty = none)
  Duration period{10'000};
  Duration grace{40'000};
  std::string site = "home";
};

struct TelegramConfig {
  std::string token;  // secret
  std::string api_url = "https://api.telegram.org";
  std::string channel;  // optional chat or channel to post every routed event to
  bool bot = true;
  std::vector<long long> admins;
};

struct SinkConfig {
  std::string name;
  std::string url;  // secret-bearing (tokens live in URLs): masked in Describe()
  std::vector<std::string> events;   // empty = all
  std::vector<std::string> devices;  // empty = all
};

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error
};

struct Config {
  std::string source;  // the file it came from, or "<built-in>"
  ServerConfig server;
  StorageConfig storage;
  DefaultsConfig defaults;
  LogConfig log;
  std::vector<SiteConfig> sites;  // if empty, one site "home" is implied
  std::vector<DeviceSpec> devices;
  std::vector<HeartbeatConfig> heartbeats;
  std::optional<TelegramConfig> telegram;
  std::vector<SinkConfig> sinks;

  const SiteConfig& Site(std::string_view id) const;  // the site, or the defaults
  Duration PollInterval(const DeviceSpec& d) const {
    return d.poll_interval.value_or(defaults.poll_interval);
  }
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnv();

// Parses TOML text. `source` names the file in messages. Fails with
// kInvalidArgument (or kParse for TOML syntax) and a message of the form
// "<source>: <path>: <what is wrong> — <what to do>".
Result<Config> LoadString(std::string_view text, std::string_view source,
                          const EnvLookup& env = ProcessEnv());
// Reads and parses a file. Fails with kIo when it cannot be read.
Result<Config> LoadFile(const std::string& path, const EnvLookup& env = ProcessEnv());

// The effective config as TOML, every secret replaced by "********" (an empty
// secret stays empty so the user sees it is unset).
std::string Describe(const Config& c);

// Validates one device (used by the config loader, the CLI and the API).
// `path` prefixes messages, e.g. "devices[2]". Fails with kInvalidArgument.
Result<void> ValidateDevice(const DeviceSpec& d, std::string_view path);

}  // namespace plugwatch::config
