#include "plugwatch/notify/telegram/status_text.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "plugwatch/notify/catalog.h"
#include "plugwatch/notify/telegram/bot_texts.h"

namespace plugwatch::notify::telegram {

using detect::PowerState;

namespace {

std::string For(std::string_view lang, TimePoint from, TimePoint to) {
  const long long s = std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
  return Catalog::Notifications().FormatDuration(lang, s);
}

}  // namespace

std::string FormatWhen(TimePoint t, const TimeZone& zone) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(zone.Local(t).time_since_epoch());
  const std::chrono::sys_seconds local{secs};
  return fmt::format("{:%Y-%m-%d %H:%M}", local);
}

std::string StatusText(const std::vector<engine::PowerLine>& lines, std::string_view lang,
                       TimePoint now, const config::SiteTimes& times) {
  const Catalog& t = BotTexts();
  if (lines.empty()) return t.Get(lang, "status.none");
  std::string out = t.Get(lang, "status.title");
  for (const auto& l : lines) {
    const std::string scope = l.label.empty() ? l.site : l.label;
    out += "\n";
    if (l.state == PowerState::kUnknown || !l.since) {
      out += t.Get(lang, "status.unknown", {{"scope", scope}});
      continue;
    }
    out += t.Get(lang, l.state == PowerState::kUp ? "status.on" : "status.off",
                 {{"scope", scope},
                  {"since", FormatWhen(*l.since, times.Of(l.site).zone)},
                  {"for", For(lang, *l.since, now)}});
  }
  return out;
}

std::string DevicesText(const std::vector<engine::DeviceLine>& devices, std::string_view lang,
                        TimePoint now, const config::SiteTimes& times) {
  const Catalog& t = BotTexts();
  if (devices.empty()) return t.Get(lang, "devices.none");
  std::string out = t.Get(lang, "devices.title");
  for (const auto& d : devices) {
    const auto& st = d.state;
    out += "\n";
    if (st.reachable == false) {
      out += t.Get(lang, "devices.unreachable",
                   {{"name", d.name},
                    {"since", st.since ? FormatWhen(*st.since, times.Of(d.site).zone) : "?"}});
      continue;
    }
    if (!st.reachable || !st.on) {
      out += t.Get(lang, "devices.unknown", {{"name", d.name}});
      continue;
    }
    if (*st.on) {
      const std::string power =
          st.power_w ? Catalog::Notifications().FormatNumber(lang, *st.power_w, 0) : "?";
      out += t.Get(lang, "devices.on", {{"name", d.name}, {"power", power}});
    } else {
      out += t.Get(lang, "devices.off", {{"name", d.name}});
    }
    if (st.activity == "active" || st.activity == "stopping") {
      out += "\n";
      const auto& start = st.cycle_started_at;
      out += t.Get(lang, "devices.running", {{"for", start ? For(lang, *start, now) : "?"}});
    }
  }
  return out;
}

std::string OutagesText(const std::vector<store::OutageRecord>& outages, std::string_view lang,
                        TimePoint now, size_t max, const config::SiteTimes& times) {
  const Catalog& t = BotTexts();
  if (outages.empty()) return t.Get(lang, "outages.none");
  std::string out = t.Get(lang, "outages.title");
  for (size_t i = 0; i < outages.size() && i < max; ++i) {
    const auto& o = outages[i];
    const std::string scope = o.label.empty() ? o.site : o.label;
    const TimeZone& zone = times.Of(o.site).zone;
    out += "\n";
    if (o.ended_at) {
      out += t.Get(lang, "outages.ended",
                   {{"scope", scope},
                    {"start", FormatWhen(o.started_at, zone)},
                    {"end", FormatWhen(*o.ended_at, zone)},
                    {"duration", For(lang, o.started_at, *o.ended_at)}});
    } else {
      out += t.Get(lang, "outages.ongoing",
                   {{"scope", scope},
                    {"start", FormatWhen(o.started_at, zone)},
                    {"duration", For(lang, o.started_at, now)}});
    }
  }
  return out;
}

}  // namespace plugwatch::notify::telegram
