// TOML → Config: syntax and types here, meaning in validate.cc. The reading
// order below is the order of docs/config.md, so the first error reported is
// the first one a reader of that page would meet.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <memory>
#include <utility>

#include "plugwatch/config/config.h"
#include "plugwatch/core/time.h"

namespace plugwatch::config {
namespace {

// A config file is a few kilobytes; anything bigger is the wrong file, and the
// limit keeps a stray multi-gigabyte path from being read into memory.
constexpr size_t kMaxConfigBytes = 1 << 20;

constexpr std::string_view kUnknownKeyHint =
    "check the spelling; see docs/config.md for the keys of this section";
constexpr std::string_view kUnknownSectionHint =
    "check the spelling; the sections are server, storage, defaults, log, sites, devices, "
    "heartbeats, telegram and sinks";

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::string IndexPath(std::string_view path, size_t i) { return fmt::format("{}[{}]", path, i); }

bool IsEnvNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsEnvNameChar(char c) { return IsEnvNameStart(c) || (c >= '0' && c <= '9'); }

// Replaces each "${NAME}" with the variable's value and "$${" with a literal
// "${". The value itself is never echoed in a message: it may be a secret.
Result<std::string> SubstituteEnv(std::string_view in, const EnvLookup& env) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    if (in.substr(i).starts_with("$${")) {
      out += "${";
      i += 3;
      continue;
    }
    if (!in.substr(i).starts_with("${")) {
      out += in[i++];
      continue;
    }
    size_t close = in.find('}', i + 2);
    if (close == std::string_view::npos)
      return Fail(Errc::kInvalidArgument,
                  "'${' without a closing '}' — write ${NAME}, or $${ for a literal ${");
    std::string_view name = in.substr(i + 2, close - i - 2);
    bool valid = !name.empty() && IsEnvNameStart(name.front());
    for (char c : name) valid = valid && IsEnvNameChar(c);
    if (!valid)
      return Fail(Errc::kInvalidArgument,
                  fmt::format("'${{{}}}' is not a variable name — use letters, digits and '_', "
                              "or $${{ for a literal ${{",
                              name));
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!value)
      return Fail(Errc::kInvalidArgument,
                  fmt::format("environment variable {} is not set — export it or write the "
                              "value in the file",
                              name));
    out += *value;
    i = close + 1;
  }
  return out;
}

// The first error wins and later reads become no-ops, so a section reads its
// keys top to bottom without an early return after each one.
class Errors {
 public:
  bool ok() const { return !first_.has_value(); }
  void Add(std::string_view path, std::string_view problem) {
    if (!first_) first_ = fmt::format("{}: {}", path, problem);
  }
  // Only called when !ok().
  const std::string& first() const {
    return *first_;  // NOLINT(bugprone-unchecked-optional-access)
  }

 private:
  std::optional<std::string> first_;
};

// One TOML table and its path in messages ("devices[2].activity").
class Section {
 public:
  Section(const toml::table& table, std::string path, const EnvLookup& env, Errors& errors)
      : table_(&table), path_(std::move(path)), env_(&env), errors_(&errors) {}

  // Reports the key that comes first in the file, not first alphabetically
  // (toml::table is a sorted map), so the message matches what the user reads.
  void AllowKeys(std::initializer_list<std::string_view> allowed,
                 std::string_view hint = kUnknownKeyHint) {
    if (!errors_->ok()) return;
    const toml::key* worst = nullptr;
    for (auto&& [key, node] : *table_) {
      bool known = false;
      for (std::string_view a : allowed) known = known || key.str() == a;
      if (known) continue;
      if (!worst || Before(key.source(), worst->source())) worst = &key;
    }
    if (worst) Fail(worst->str(), fmt::format("unknown key — {}", hint));
  }

  void Read(std::string_view key, std::string& out) {
    if (const toml::node* n = Find(key)) ReadString(*n, Path(key), out);
  }

  void Read(std::string_view key, bool& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (!n->is_boolean()) return Fail(key, "must be true or false");
    out = n->as_boolean()->get();
  }

  // Integers are accepted too: "start_above_w = 5" means 5.0 to anyone.
  void Read(std::string_view key, double& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (n->is_integer()) {
      out = static_cast<double>(n->as_integer()->get());
    } else if (n->is_floating_point()) {
      out = n->as_floating_point()->get();
      if (!std::isfinite(out)) return Fail(key, "must be a finite number");
    } else {
      return Fail(key, "must be a number");
    }
  }

  void Read(std::string_view key, int& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (!n->is_integer()) return Fail(key, "must be an integer");
    int64_t v = n->as_integer()->get();
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      return Fail(key, "is out of range");
    out = static_cast<int>(v);
  }

  void Read(std::string_view key, Duration& out) {
    std::optional<Duration> d;
    Read(key, d);
    if (d) out = *d;
  }

  void Read(std::string_view key, std::optional<Duration>& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (!n->is_string())
      return Fail(key,
                  "must be a string with a unit, e.g. \"5s\" — a bare number could mean seconds "
                  "or milliseconds");
    std::string text;
    ReadString(*n, Path(key), text);
    if (!errors_->ok()) return;
    Result<Duration> d = ParseDuration(text);
    if (!d) return Fail(key, d.error().context);
    out = *d;
  }

  void Read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (!n->is_array()) return Fail(key, "must be an array of strings, e.g. [\"a\", \"b\"]");
    std::vector<std::string> values;
    const toml::array& array = *n->as_array();
    for (size_t i = 0; i < array.size() && errors_->ok(); ++i) {
      std::string path = IndexPath(Path(key), i);
      if (!array[i].is_string()) return errors_->Add(path, "must be a string");
      ReadString(array[i], path, values.emplace_back());
    }
    out = std::move(values);
  }

  void Read(std::string_view key, std::vector<long long>& out) {
    const toml::node* n = Find(key);
    if (!n) return;
    if (!n->is_array()) return Fail(key, "must be an array of integers, e.g. [123456789]");
    std::vector<long long> values;
    for (size_t i = 0; const toml::node& item : *n->as_array()) {
      if (!item.is_integer())
        return errors_->Add(IndexPath(Path(key), i), "must be an integer, e.g. 123456789");
      values.push_back(item.as_integer()->get());
      ++i;
    }
    out = std::move(values);
  }

  // A sub-table, or std::nullopt when it is absent (defaults apply) or wrong.
  std::optional<Section> Table(std::string_view key, std::string_view hint) {
    const toml::node* n = Find(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) {
      Fail(key, fmt::format("must be a table — {}", hint));
      return std::nullopt;
    }
    return Section(*n->as_table(), Path(key), *env_, *errors_);
  }

  // Calls fn(Section&) for each table of an array of tables ([[key]]).
  template <class Fn>
  void EachTable(std::string_view key, Fn fn) {
    const toml::node* n = Find(key);
    if (!n) return;
    std::string hint = fmt::format("write [[{}]] before each entry", key);
    if (!n->is_array()) return Fail(key, fmt::format("must be an array of tables — {}", hint));
    const toml::array& array = *n->as_array();
    for (size_t i = 0; i < array.size() && errors_->ok(); ++i) {
      std::string path = IndexPath(Path(key), i);
      if (!array[i].is_table())
        return errors_->Add(path, fmt::format("must be a table — {}", hint));
      Section item(*array[i].as_table(), std::move(path), *env_, *errors_);
      fn(item);
    }
  }

 private:
  static bool Before(const toml::source_region& a, const toml::source_region& b) {
    return std::pair(a.begin.line, a.begin.column) < std::pair(b.begin.line, b.begin.column);
  }

  std::string Path(std::string_view key) const { return JoinPath(path_, key); }

  void Fail(std::string_view key, std::string_view problem) { errors_->Add(Path(key), problem); }

  const toml::node* Find(std::string_view key) const {
    if (!errors_->ok()) return nullptr;
    return table_->get(key);
  }

  void ReadString(const toml::node& n, std::string_view path, std::string& out) {
    if (!n.is_string()) return errors_->Add(path, "must be a string");
    Result<std::string> s = SubstituteEnv(n.as_string()->get(), *env_);
    if (!s) return errors_->Add(path, s.error().context);
    out = std::move(*s);
  }

  const toml::table* table_;
  std::string path_;
  const EnvLookup* env_;
  Errors* errors_;
};

void ReadActivity(Section& s, ActivitySettings& a) {
  s.AllowKeys(
      {"start_above_w", "start_delay", "stop_below_w", "stop_delay", "price_per_kwh", "currency"});
  s.Read("start_above_w", a.start_above_w);
  s.Read("start_delay", a.start_delay);
  s.Read("stop_below_w", a.stop_below_w);
  s.Read("stop_delay", a.stop_delay);
  s.Read("price_per_kwh", a.price_per_kwh);
  s.Read("currency", a.currency);
}

void ReadDevice(Section& s, DeviceSpec& d) {
  s.AllowKeys({"id", "name", "kind", "address", "username", "password", "site", "protocol",
               "enabled", "poll_interval", "in_quorum", "activity"});
  s.Read("id", d.id);
  s.Read("name", d.name);
  s.Read("kind", d.kind);
  s.Read("address", d.address);
  s.Read("username", d.username);
  s.Read("password", d.password);
  s.Read("site", d.site);
  s.Read("protocol", d.protocol);
  s.Read("enabled", d.enabled);
  s.Read("poll_interval", d.poll_interval);
  s.Read("in_quorum", d.in_quorum);
  if (auto a =
          s.Table("activity", "write [devices.activity] under the device, or activity = { … }")) {
    ReadActivity(*a, d.activity.emplace());
  }
  FillDeviceDefaults(d);
}

Config Read(Section& top, std::string_view source) {
  Config c;
  c.source = std::string(source);
  top.AllowKeys({"server", "storage", "defaults", "log", "sites", "devices", "heartbeats",
                 "telegram", "sinks"},
                kUnknownSectionHint);
  if (auto s = top.Table("server", "write [server]")) {
    s->AllowKeys({"listen", "api_token"});
    s->Read("listen", c.server.listen);
    s->Read("api_token", c.server.api_token);
  }
  if (auto s = top.Table("storage", "write [storage]")) {
    s->AllowKeys({"path", "raw_retention", "minute_retention"});
    s->Read("path", c.storage.path);
    s->Read("raw_retention", c.storage.raw_retention);
    s->Read("minute_retention", c.storage.minute_retention);
  }
  if (auto s = top.Table("defaults", "write [defaults]")) {
    s->AllowKeys({"poll_interval", "request_timeout"});
    s->Read("poll_interval", c.defaults.poll_interval);
    s->Read("request_timeout", c.defaults.request_timeout);
  }
  if (auto s = top.Table("log", "write [log]")) {
    s->AllowKeys({"level"});
    s->Read("level", c.log.level);
  }
  top.EachTable("sites", [&](Section& s) {
    SiteConfig& site = c.sites.emplace_back();
    s.AllowKeys({"id", "timezone", "language", "quiet_hours", "surge_window", "outage_quorum",
                 "confirm_checks"});
    s.Read("id", site.id);
    s.Read("timezone", site.timezone);
    s.Read("language", site.language);
    s.Read("quiet_hours", site.quiet_hours);
    s.Read("surge_window", site.surge_window);
    s.Read("outage_quorum", site.outage_quorum);
    s.Read("confirm_checks", site.confirm_checks);
  });
  top.EachTable("devices", [&](Section& s) { ReadDevice(s, c.devices.emplace_back()); });
  top.EachTable("heartbeats", [&](Section& s) {
    HeartbeatConfig& h = c.heartbeats.emplace_back();
    s.AllowKeys({"label", "token", "period", "grace", "site"});
    s.Read("label", h.label);
    s.Read("token", h.token);
    s.Read("period", h.period);
    s.Read("grace", h.grace);
    s.Read("site", h.site);
  });
  if (auto s = top.Table("telegram", "write [telegram]")) {
    TelegramConfig& t = c.telegram.emplace();
    s->AllowKeys({"token", "api_url", "channel", "bot", "admins"});
    s->Read("token", t.token);
    s->Read("api_url", t.api_url);
    s->Read("channel", t.channel);
    s->Read("bot", t.bot);
    s->Read("admins", t.admins);
  }
  top.EachTable("sinks", [&](Section& s) {
    SinkConfig& sink = c.sinks.emplace_back();
    s.AllowKeys({"name", "url", "events", "devices", "language"});
    s.Read("name", sink.name);
    s.Read("url", sink.url);
    s.Read("events", sink.events);
    s.Read("devices", sink.devices);
    s.Read("language", sink.language);
  });
  return c;
}

// SQLite's special names are not files and must not become paths.
bool IsFilePath(std::string_view p) {
  return !p.empty() && p != ":memory:" && !p.starts_with("file:");
}

}  // namespace

const SiteConfig& Config::Site(std::string_view id) const {
  for (const SiteConfig& s : sites)
    if (s.id == id) return s;
  static const SiteConfig kDefault;
  return kDefault;
}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<Config> LoadString(std::string_view text, std::string_view source, const EnvLookup& env) {
  if (text.size() > kMaxConfigBytes)
    return Fail(Errc::kInvalidArgument,
                fmt::format("{}: larger than 1 MiB — is this the right file?", source));
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Fail(Errc::kParse, fmt::format("{}:{}:{}: {}", source, e.source().begin.line,
                                          e.source().begin.column, e.description()));
  }
  Errors errors;
  Section top(root, "", env, errors);
  Config c = Read(top, source);
  if (!errors.ok())
    return Fail(Errc::kInvalidArgument, fmt::format("{}: {}", source, errors.first()));
  if (Result<void> v = Validate(c); !v) return Fail(Wrap(std::move(v.error()), source));
  return c;
}

Result<Config> LoadFile(const std::string& path, const EnvLookup& env) {
  auto cannot = [&](std::string_view why) {
    return Fail(Errc::kIo,
                fmt::format("{}: cannot read: {} — check the path and its permissions, or pass "
                            "-c FILE",
                            path, why));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return cannot(std::strerror(errno));
  std::string text(kMaxConfigBytes + 1, '\0');
  size_t n = std::fread(text.data(), 1, text.size(), f.get());
  if (std::ferror(f.get())) return cannot(std::strerror(errno));
  if (n > kMaxConfigBytes)
    return Fail(Errc::kIo, fmt::format("{}: larger than 1 MiB — is this the right file?", path));
  text.resize(n);

  Result<Config> c = LoadString(text, path, env);
  if (!c) return c;
  // The database sits beside the config file whatever the working directory
  // of the service is (systemd starts it in /).
  std::filesystem::path storage(c->storage.path);
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (IsFilePath(c->storage.path) && storage.is_relative() && !dir.empty())
    c->storage.path = (dir / storage).lexically_normal().string();
  return c;
}

}  // namespace plugwatch::config
