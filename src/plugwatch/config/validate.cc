// The meaning of a typed Config: ranges, ids and cross-references. Kept apart
// from load.cc because configs also come from code (the demo) and devices from
// the CLI and the API, and all of them must obey the same rules.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include "plugwatch/config/config.h"
#include "plugwatch/core/event.h"
#include "plugwatch/core/ids.h"
#include "plugwatch/core/time.h"
#include "plugwatch/core/time_zone.h"

namespace plugwatch::config {
namespace {

// Faster polling overloads a plug's small HTTP server; slower polling misses
// whole appliance cycles.
constexpr Duration kMinPollInterval{100};
constexpr Duration kMaxPollInterval{3'600'000};
constexpr Duration kMinRequestTimeout{100};
constexpr Duration kMaxRequestTimeout{60'000};
constexpr Duration kMinRetention{3'600'000};
constexpr Duration kMinHeartbeatPeriod{1000};
constexpr Duration kMaxHeartbeatPeriod{3'600'000};
constexpr int kMaxConfirmChecks = 100;

std::string Field(std::string_view path, std::string_view field) {
  if (path.empty()) return std::string(field);
  return fmt::format("{}.{}", path, field);
}

std::unexpected<Error> Bad(std::string_view path, std::string_view problem) {
  return Fail(Errc::kInvalidArgument, fmt::format("{}: {}", path, problem));
}

bool IsLanguage(std::string_view lang) {
  return std::find(kLanguages.begin(), kLanguages.end(), lang) != kLanguages.end();
}

std::string BadLanguage(std::string_view lang) {
  return fmt::format("'{}' has no notification texts — use one of {}", lang,
                     fmt::join(kLanguages, ", "));
}

std::string BadId(std::string_view id) {
  return fmt::format("'{}' is not a valid id — {}", id, kIdRule);
}

// "host[:port]" with the same rules as net::ParseHostPort (IPv6 in brackets),
// which config cannot use without pulling Asio into every user of the config.
bool IsHostPort(std::string_view text, bool port_required) {
  std::string_view host, rest;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return false;
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos)
      return false;
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (host.empty()) return false;
  for (char c : host)
    if (c == ' ' || c == '/' || c == '?' || c == '#' || c == '@') return false;
  if (rest.empty()) return !port_required;
  rest.remove_prefix(1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
  return ec == std::errc() && p == rest.data() + rest.size() && port <= 65535;
}

std::string PollProblem(Duration d) {
  if (d < kMinPollInterval) return "must be ≥ 100ms — polling faster overloads the plug";
  if (d > kMaxPollInterval)
    return "must be ≤ 1h — a slower poll misses whole cycles; set enabled = false to stop "
           "polling";
  return "";
}

Result<void> ValidateActivity(const ActivitySettings& a, std::string_view path) {
  if (!(a.start_above_w >= 0) || !std::isfinite(a.start_above_w))
    return Bad(Field(path, "start_above_w"), "must be ≥ 0 — it is a power in watts");
  if (a.start_delay < Duration(0))
    return Bad(Field(path, "start_delay"), "must not be negative — use 0s to start at once");
  if (!(a.stop_below_w >= 0) || !std::isfinite(a.stop_below_w))
    return Bad(Field(path, "stop_below_w"), "must be ≥ 0 — it is a power in watts");
  if (a.stop_below_w > a.start_above_w)
    return Bad(Field(path, "stop_below_w"),
               fmt::format("must be ≤ start_above_w ({} W) — a power between the two would both "
                           "start and stop a cycle",
                           a.start_above_w));
  if (a.stop_delay < Duration(0))
    return Bad(Field(path, "stop_delay"), "must not be negative — use 0s to stop at once");
  if (!(a.price_per_kwh >= 0) || !std::isfinite(a.price_per_kwh))
    return Bad(Field(path, "price_per_kwh"), "must be ≥ 0 — use 0 when costs do not matter");
  return {};
}

// With no [[sites]] any site id is accepted: one implied site is the common
// single-house case and its name should not matter.
template <class T>
Result<void> CheckSiteDeclared(const Config& c, const T& item, std::string_view path) {
  if (c.sites.empty()) return {};
  std::string known;
  for (const SiteConfig& s : c.sites) {
    if (s.id == item.site) return {};
    known += known.empty() ? s.id : ", " + s.id;
  }
  return Bad(Field(path, "site"),
             fmt::format("unknown site '{}' — declare it in [[sites]] or use one of: {}", item.site,
                         known));
}

Result<void> ValidateServer(const ServerConfig& s) {
  if (!IsHostPort(s.listen, /*port_required=*/true))
    return Bad("server.listen", fmt::format("'{}' is not HOST:PORT — write e.g. "
                                            "\"127.0.0.1:8080\", \"0.0.0.0:8080\" or "
                                            "\"[::1]:8080\"",
                                            s.listen));
  return {};
}

Result<void> ValidateStorage(const StorageConfig& s) {
  if (s.path.empty())
    return Bad("storage.path", "missing — name the SQLite file, e.g. \"plugwatch.db\"");
  if (s.raw_retention < kMinRetention)
    return Bad("storage.raw_retention",
               "must be ≥ 1h — the dashboard and the rollups read the recent raw readings");
  if (s.minute_retention < kMinRetention)
    return Bad("storage.minute_retention",
               "must be ≥ 1h — the dashboard's day charts read the 1-minute rollups");
  return {};
}

Result<void> ValidateDefaults(const DefaultsConfig& d) {
  if (std::string p = PollProblem(d.poll_interval); !p.empty())
    return Bad("defaults.poll_interval", p);
  if (d.request_timeout < kMinRequestTimeout)
    return Bad("defaults.request_timeout",
               "must be ≥ 100ms — a device on the LAN needs that much to answer reliably");
  if (d.request_timeout > kMaxRequestTimeout)
    return Bad("defaults.request_timeout",
               "must be ≤ 1m — a longer deadline hides a dead device for too long");
  return {};
}

Result<void> ValidateLog(const LogConfig& l) {
  for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"})
    if (l.level == level) return {};
  return Bad("log.level", fmt::format("unknown level '{}' — use trace, debug, info, warn, error "
                                      "or off",
                                      l.level));
}

Result<void> ValidateSites(const std::vector<SiteConfig>& sites) {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < sites.size(); ++i) {
    const SiteConfig& s = sites[i];
    std::string path = fmt::format("sites[{}]", i);
    if (s.id.empty())
      return Bad(Field(path, "id"), "missing — give every site an id, e.g. id = \"home\"");
    if (!IsValidId(s.id)) return Bad(Field(path, "id"), BadId(s.id));
    if (auto [it, fresh] = seen.emplace(s.id, i); !fresh)
      return Bad(Field(path, "id"), fmt::format("'{}' is already used by sites[{}] — give each "
                                                "site its own id",
                                                s.id, it->second));
    if (s.timezone.empty())
      return Bad(Field(path, "timezone"), "missing — write an IANA name, e.g. \"Europe/Kyiv\"");
    if (auto z = TimeZone::Load(s.timezone); !z)
      return Bad(Field(path, "timezone"), z.error().message());
    if (!IsLanguage(s.language)) return Bad(Field(path, "language"), BadLanguage(s.language));
    if (auto w = ParseDailyWindow(s.quiet_hours); !w)
      return Bad(Field(path, "quiet_hours"), w.error().message());
    if (!(s.outage_quorum > 0 && s.outage_quorum <= 1))
      return Bad(Field(path, "outage_quorum"),
                 "must be > 0 and ≤ 1 — it is the fraction of probed devices that must be "
                 "unreachable, e.g. 0.5");
    if (s.confirm_checks < 1)
      return Bad(Field(path, "confirm_checks"),
                 "must be ≥ 1 — it counts consecutive failed checks, e.g. 2");
    if (s.confirm_checks > kMaxConfirmChecks)
      return Bad(Field(path, "confirm_checks"),
                 "must be ≤ 100 — more checks delay every offline alert");
  }
  return {};
}

Result<void> ValidateDevices(const Config& c) {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < c.devices.size(); ++i) {
    const DeviceSpec& d = c.devices[i];
    std::string path = fmt::format("devices[{}]", i);
    if (Result<void> r = ValidateDevice(d, path); !r) return r;
    if (auto [it, fresh] = seen.emplace(d.id, i); !fresh)
      return Bad(Field(path, "id"), fmt::format("'{}' is already used by devices[{}] — give "
                                                "each device its own id",
                                                d.id, it->second));
    if (Result<void> r = CheckSiteDeclared(c, d, path); !r) return r;
  }
  return {};
}

Result<void> ValidateHeartbeats(const Config& c) {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < c.heartbeats.size(); ++i) {
    const HeartbeatConfig& h = c.heartbeats[i];
    std::string path = fmt::format("heartbeats[{}]", i);
    if (h.label.empty())
      return Bad(Field(path, "label"),
                 "missing — name the power source the client watches, e.g. \"POWER\"");
    if (h.label.size() > 64)
      return Bad(Field(path, "label"), "must be at most 64 characters — it appears in messages");
    if (auto [it, fresh] = seen.emplace(h.label, i); !fresh)
      return Bad(Field(path, "label"), fmt::format("'{}' is already used by heartbeats[{}] — "
                                                   "give each heartbeat its own label",
                                                   h.label, it->second));
    if (h.period < kMinHeartbeatPeriod)
      return Bad(Field(path, "period"),
                 "must be ≥ 1s — a faster client only adds load; the grace decides how soon "
                 "a loss is noticed");
    if (h.period > kMaxHeartbeatPeriod)
      return Bad(Field(path, "period"), "must be ≤ 1h — a power loss would go unnoticed");
    if (h.grace < Duration(0))
      return Bad(Field(path, "grace"), "must not be negative — e.g. \"40s\"");
    if (!IsValidId(h.site)) return Bad(Field(path, "site"), BadId(h.site));
    if (Result<void> r = CheckSiteDeclared(c, h, path); !r) return r;
  }
  return {};
}

bool IsChatId(std::string_view channel) {
  if (channel.starts_with('@')) return channel.size() > 1;
  std::string_view digits = channel.starts_with('-') ? channel.substr(1) : channel;
  if (digits.empty()) return false;
  for (char ch : digits)
    if (ch < '0' || ch > '9') return false;
  return true;
}

Result<void> ValidateTelegram(const TelegramConfig& t) {
  if (t.token.empty())
    return Bad("telegram.token",
               "missing — create a bot with @BotFather and write token = \"${TELEGRAM_TOKEN}\"");
  if (!t.api_url.starts_with("https://") && !t.api_url.starts_with("http://"))
    return Bad("telegram.api_url", fmt::format("'{}' is not an http(s) URL — write e.g. "
                                               "\"https://api.telegram.org\"",
                                               t.api_url));
  if (!t.channel.empty() && !IsChatId(t.channel))
    return Bad("telegram.channel",
               fmt::format("'{}' is not a chat — write \"@channel_name\" or a numeric chat id "
                           "like \"-1001234567890\"",
                           t.channel));
  return {};
}

Result<void> ValidateSinks(const std::vector<SinkConfig>& sinks) {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < sinks.size(); ++i) {
    const SinkConfig& s = sinks[i];
    std::string path = fmt::format("sinks[{}]", i);
    if (s.name.empty())
      return Bad(Field(path, "name"), "missing — name the sink, e.g. name = \"phone\"");
    if (auto [it, fresh] = seen.emplace(s.name, i); !fresh)
      return Bad(Field(path, "name"), fmt::format("'{}' is already used by sinks[{}] — give "
                                                  "each sink its own name",
                                                  s.name, it->second));
    // Only presence is checked: the URL is a secret (never echoed) and its
    // schemes belong to the notifier, which says which ones it supports.
    if (s.url.empty())
      return Bad(Field(path, "url"),
                 "missing — e.g. \"ntfy://ntfy.sh/my-topic\" or \"https://example.com/hook\"");
    if (!s.language.empty() && !IsLanguage(s.language))
      return Bad(Field(path, "language"), BadLanguage(s.language));
    for (size_t j = 0; j < s.events.size(); ++j)
      if (!ParseEventType(s.events[j]))
        return Bad(fmt::format("{}.events[{}]", path, j),
                   fmt::format("unknown event '{}' — use device_active, cycle_finished, "
                               "device_offline, device_online, power_lost, power_restored, "
                               "switched_on or switched_off",
                               s.events[j]));
    for (size_t j = 0; j < s.devices.size(); ++j)
      if (!IsValidId(s.devices[j]))
        return Bad(fmt::format("{}.devices[{}]", path, j), BadId(s.devices[j]));
  }
  return {};
}

}  // namespace

Result<void> ValidateDevice(const DeviceSpec& d, std::string_view path) {
  if (d.id.empty())
    return Bad(Field(path, "id"), "missing — give every device an id, e.g. id = \"washer\"");
  if (!IsValidId(d.id)) return Bad(Field(path, "id"), BadId(d.id));
  if (d.kind.empty()) return Bad(Field(path, "kind"), "missing — use tapo, http or tcp");
  if (d.kind != "tapo" && d.kind != "http" && d.kind != "tcp")
    return Bad(Field(path, "kind"),
               fmt::format("unknown kind '{}' — use tapo, http or tcp", d.kind));
  if (d.address.empty())
    return Bad(Field(path, "address"),
               "missing — write the device's host[:port], e.g. \"192.168.1.50\"");
  if (!IsHostPort(d.address, /*port_required=*/false))
    return Bad(Field(path, "address"),
               fmt::format("'{}' is not HOST[:PORT] — write e.g. \"192.168.1.50\" or "
                           "\"plug.lan:80\", without a scheme or path",
                           d.address));
  // A TCP probe connects to one port; there is no default to fall back on.
  if (d.kind == "tcp" && !IsHostPort(d.address, /*port_required=*/true))
    return Bad(Field(path, "address"),
               fmt::format("'{}' has no port — a tcp probe needs HOST:PORT, e.g. "
                           "\"192.168.1.1:22\"",
                           d.address));
  if (d.protocol != "auto" && d.protocol != "klap" && d.protocol != "passthrough")
    return Bad(Field(path, "protocol"),
               fmt::format("unknown protocol '{}' — use auto, klap or passthrough", d.protocol));
  if (!IsValidId(d.site)) return Bad(Field(path, "site"), BadId(d.site));
  if (d.poll_interval) {
    if (std::string p = PollProblem(*d.poll_interval); !p.empty())
      return Bad(Field(path, "poll_interval"), p);
  }
  if (d.activity) return ValidateActivity(*d.activity, Field(path, "activity"));
  return {};
}

Result<void> Validate(const Config& c) {
  Result<void> r = ValidateServer(c.server);
  if (r) r = ValidateStorage(c.storage);
  if (r) r = ValidateDefaults(c.defaults);
  if (r) r = ValidateLog(c.log);
  if (r) r = ValidateSites(c.sites);
  if (r) r = ValidateDevices(c);
  if (r) r = ValidateHeartbeats(c);
  if (r && c.telegram) r = ValidateTelegram(*c.telegram);
  if (r) r = ValidateSinks(c.sinks);
  return r;
}

}  // namespace plugwatch::config
