// The typed configuration, loaded from one TOML file (docs/config.md).
//
// Every field has a default and a comment; unknown keys and bad values are
// errors that name the path and say what to do
// ("devices[2].poll_interval: must be ≥ 100ms"). Secrets are written as
// "${ENV_NAME}" and resolved from the environment at load time ("$${" writes
// a literal "${"); Describe() prints the effective config with every secret
// masked. Config and its parts are plain values: build them in code (the demo
// does) and check them with Validate(), or load them with LoadString() /
// LoadFile(). Thread-safe once loaded; nothing here keeps state between calls.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/error.h"

namespace plugwatch::config {

// The languages notifications are written in (data/notify/<lang>.toml; a
// notify unit test keeps the two lists equal).
inline constexpr std::array<std::string_view, 4> kLanguages{"en", "uk", "ru", "cs"};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT of the HTTP API and dashboard
  std::string api_token;                  // secret; required for writes beyond loopback

  bool operator==(const ServerConfig&) const = default;
};

struct StorageConfig {
  std::string path = "plugwatch.db";  // SQLite file; relative paths are relative to the config file
  Duration raw_retention{7LL * 86'400'000};      // raw readings kept this long
  Duration minute_retention{90LL * 86'400'000};  // 1-minute rollups kept this long

  bool operator==(const StorageConfig&) const = default;
};

struct DefaultsConfig {
  Duration poll_interval{5000};    // how often a device is polled
  Duration request_timeout{3000};  // deadline for one device request

  bool operator==(const DefaultsConfig&) const = default;
};

struct SiteConfig {
  std::string id = "home";
  std::string timezone = "UTC";  // IANA name: local days, quiet hours
  double outage_quorum = 0.5;    // fraction of probed devices unreachable that means an outage
  int confirm_checks = 2;        // consecutive failed/successful polls before offline/online
  std::string language = "en";   // notifications for this site: en, uk, ru, cs
  // Local time when Telegram subscribers who turned night sound off get
  // silent messages; "off" for never.
  std::string quiet_hours = "22:00-08:00";
  // Power that changes again within this long gets a "could be a power
  // surge" hint in its notification; 0s for never.
  Duration surge_window{5 * 60 * 1000};

  bool operator==(const SiteConfig&) const = default;
};

struct HeartbeatConfig {
  std::string label;        // "POWER", "GENERATOR", …
  std::string token;        // secret; Bearer token the client must send (empty = none)
  Duration period{10'000};  // how often the client sends
  Duration grace{40'000};   // power counts as lost after period + grace of silence
  std::string site = "home";

  bool operator==(const HeartbeatConfig&) const = default;
};

struct TelegramConfig {
  std::string token;  // secret
  std::string api_url = "https://api.telegram.org";
  std::string channel;            // optional chat or channel to post every routed event to
  bool bot = true;                // answer commands and notify subscribers
  std::vector<long long> admins;  // Telegram user ids allowed to run admin commands

  bool operator==(const TelegramConfig&) const = default;
};

struct SinkConfig {
  std::string name;                  // required, unique: the outbox and rate limits key on it
  std::string url;                   // secret-bearing (tokens live in URLs): masked in Describe()
  std::vector<std::string> events;   // empty = all
  std::vector<std::string> devices;  // empty = all
  std::string language;              // empty = the language of the event's site

  bool operator==(const SinkConfig&) const = default;
};

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error | off

  bool operator==(const LogConfig&) const = default;
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

  // The site with this id. When none matches (no [[sites]] declared, or an id
  // the loader did not check, e.g. a device added through the API) it returns
  // a static default-constructed SiteConfig, whose id is "home" whatever was
  // asked: use the id you hold, not the returned one, to name the site.
  const SiteConfig& Site(std::string_view id) const;
  Duration PollInterval(const DeviceSpec& d) const {
    return d.poll_interval.value_or(defaults.poll_interval);
  }
};

// Resolves "${NAME}" references; std::nullopt means "not set" (an error),
// while an empty string is a value. Tests pass a map-backed lookup.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment (getenv). Do not call setenv concurrently.
EnvLookup ProcessEnv();

// Parses TOML text. `source` names the file in messages. Fails with
// kInvalidArgument (or kParse for TOML syntax) and a message of the form
// "<source>: <path>: <what is wrong> — <what to do>"; text over 1 MiB is
// rejected before parsing.
Result<Config> LoadString(std::string_view text, std::string_view source,
                          const EnvLookup& env = ProcessEnv());
// Reads and parses a file; `path` is the source in messages, and a relative
// storage.path is resolved against the file's directory. Fails with kIo
// ("<path>: cannot read: <reason> — …") when it cannot be read or is larger
// than 1 MiB, otherwise as LoadString.
Result<Config> LoadFile(const std::string& path, const EnvLookup& env = ProcessEnv());

// The effective config as TOML, every secret replaced by kSecretMask (an
// empty secret stays empty so the user sees it is unset). Loading the text
// again gives the same Config, with the masks as the secrets' values.
std::string Describe(const Config& c);

inline constexpr std::string_view kSecretMask = "********";
// kSecretMask for a non-empty secret, "" for an empty one: what drivers and
// sinks print in place of a password, token or secret-bearing URL.
inline std::string MaskSecret(std::string_view secret) {
  return secret.empty() ? std::string() : std::string(kSecretMask);
}

// Checks every value and every cross-reference of a Config that is already
// typed (ids unique, sites declared, ranges). LoadString runs it; a config
// built in code should too. Fails with kInvalidArgument and
// "<path>: <what is wrong> — <what to do>", without a source prefix.
Result<void> Validate(const Config& c);

// Validates one device (used by the config loader, the CLI and the API).
// `path` prefixes messages, e.g. "devices[2]" gives
// "devices[2].kind: unknown kind 'x' — use tapo, http or tcp"; an empty path
// gives "kind: …". It does not know the sites, so Validate() checks that
// reference. An empty name is accepted (see FillDeviceDefaults).
// Fails with kInvalidArgument.
Result<void> ValidateDevice(const DeviceSpec& d, std::string_view path);

// Fills what a device may leave out: an empty name becomes the id. The loader
// does this; the CLI and the API should before storing a device.
inline void FillDeviceDefaults(DeviceSpec& d) {
  if (d.name.empty()) d.name = d.id;
}

}  // namespace plugwatch::config
