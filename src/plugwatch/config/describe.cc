// Config → TOML, for `plugwatch check-config` and the start-up log. Written by
// hand rather than with toml++'s formatter so that keys keep the order of
// docs/config.md (toml::table sorts them) and defaults can be shown as
// comments where printing them would change what a reload means.
#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

#include "plugwatch/config/config.h"
#include "plugwatch/core/time.h"

namespace plugwatch::config {
namespace {

// A TOML basic string. "${" is written as "$${" so that loading the text does
// not try to substitute a value that was already substituted.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '$':
        out += s.substr(i).starts_with("${") ? "$$" : "$";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", c);
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string Secret(std::string_view s) { return Quote(MaskSecret(s)); }

// Shortest exact form, always with a fraction or exponent so it reads as a float.
std::string Number(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 'n': inf and nan
  return s;
}

std::string Dur(Duration d) { return Quote(FormatDuration(d)); }

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out + "]";
}

std::string IntArray(const std::vector<long long>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", v[i]);
  return out + "]";
}

class Writer {
 public:
  void Line(std::string_view text = "") {
    out_ += text;
    out_ += '\n';
  }
  void Key(std::string_view key, std::string_view value) {
    fmt::format_to(std::back_inserter(out_), "{} = {}\n", key, value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string Describe(const Config& c) {
  Writer w;
  w.Line(fmt::format("# Effective configuration of {}; secrets are shown as {}.",
                     c.source.empty() ? "<unnamed>" : c.source, Quote(kSecretMask)));
  w.Line();
  w.Line("[server]");
  w.Key("listen", Quote(c.server.listen));
  w.Key("api_token", Secret(c.server.api_token));
  w.Line();
  w.Line("[storage]");
  w.Key("path", Quote(c.storage.path));
  w.Key("raw_retention", Dur(c.storage.raw_retention));
  w.Key("minute_retention", Dur(c.storage.minute_retention));
  w.Line();
  w.Line("[defaults]");
  w.Key("poll_interval", Dur(c.defaults.poll_interval));
  w.Key("request_timeout", Dur(c.defaults.request_timeout));
  w.Line();
  w.Line("[log]");
  w.Key("level", Quote(c.log.level));

  if (c.sites.empty()) {
    w.Line();
    w.Line("# No [[sites]]: one site \"home\" with the defaults is implied.");
  }
  for (const SiteConfig& s : c.sites) {
    w.Line();
    w.Line("[[sites]]");
    w.Key("id", Quote(s.id));
    w.Key("timezone", Quote(s.timezone));
    w.Key("language", Quote(s.language));
    w.Key("quiet_hours", Quote(s.quiet_hours));
    w.Key("surge_window", Dur(s.surge_window));
    w.Key("outage_quorum", Number(s.outage_quorum));
    w.Key("confirm_checks", fmt::format("{}", s.confirm_checks));
  }

  for (const DeviceSpec& d : c.devices) {
    w.Line();
    w.Line("[[devices]]");
    w.Key("id", Quote(d.id));
    w.Key("name", Quote(d.name));
    w.Key("kind", Quote(d.kind));
    w.Key("address", Quote(d.address));
    w.Key("username", Quote(d.username));
    w.Key("password", Secret(d.password));
    w.Key("site", Quote(d.site));
    w.Key("protocol", Quote(d.protocol));
    w.Key("enabled", Bool(d.enabled));
    // Writing the inherited value would pin it: a later change of
    // [defaults].poll_interval would no longer reach this device.
    if (d.poll_interval)
      w.Key("poll_interval", Dur(*d.poll_interval));
    else
      w.Line(fmt::format("# poll_interval = {} (from [defaults])", Dur(c.PollInterval(d))));
    w.Key("in_quorum", Bool(d.in_quorum));
    if (d.activity) {
      const ActivitySettings& a = *d.activity;
      w.Line("[devices.activity]");
      w.Key("start_above_w", Number(a.start_above_w));
      w.Key("start_delay", Dur(a.start_delay));
      w.Key("stop_below_w", Number(a.stop_below_w));
      w.Key("stop_delay", Dur(a.stop_delay));
      w.Key("price_per_kwh", Number(a.price_per_kwh));
      w.Key("currency", Quote(a.currency));
    } else {
      w.Line("# no [devices.activity]: cycle detection is off");
    }
  }

  for (const HeartbeatConfig& h : c.heartbeats) {
    w.Line();
    w.Line("[[heartbeats]]");
    w.Key("label", Quote(h.label));
    w.Key("token", Secret(h.token));
    w.Key("period", Dur(h.period));
    w.Key("grace", Dur(h.grace));
    w.Key("site", Quote(h.site));
  }

  w.Line();
  if (c.telegram) {
    const TelegramConfig& t = *c.telegram;
    w.Line("[telegram]");
    w.Key("token", Secret(t.token));
    w.Key("api_url", Quote(t.api_url));
    w.Key("channel", Quote(t.channel));
    w.Key("bot", Bool(t.bot));
    w.Key("admins", IntArray(t.admins));
  } else {
    w.Line("# No [telegram]: the Telegram bot is off.");
  }

  for (const SinkConfig& s : c.sinks) {
    w.Line();
    w.Line("[[sinks]]");
    w.Key("name", Quote(s.name));
    w.Key("url", Secret(s.url));
    w.Line(fmt::format("events = {}{}", StringArray(s.events),
                       s.events.empty() ? "  # every event" : ""));
    w.Line(fmt::format("devices = {}{}", StringArray(s.devices),
                       s.devices.empty() ? "  # every device" : ""));
    w.Line(fmt::format("language = {}{}", Quote(s.language),
                       s.language.empty() ? "  # the event's site's language" : ""));
  }
  return w.Take();
}

}  // namespace plugwatch::config
