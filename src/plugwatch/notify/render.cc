#include "plugwatch/notify/render.h"

#include <fmt/format.h>

#include <cmath>

namespace plugwatch::notify {

namespace {

std::string Str(const boost::json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_string()) return std::string(v->as_string());
  return {};
}

std::optional<double> Num(const boost::json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return std::nullopt;
}

}  // namespace

std::string CurrencySymbol(std::string_view code) {
  if (code == "EUR") return "€";
  if (code == "USD") return "$";
  if (code == "GBP") return "£";
  if (code == "UAH") return "₴";
  if (code == "CZK") return "Kč";
  if (code == "PLN") return "zł";
  if (code == "RUB") return "₽";
  return std::string(code);
}

Message Render(const Catalog& c, const Event& e, const RenderOptions& o) {
  const std::string lang = c.Supported(o.language);
  const std::string type(ToString(e.type));
  const auto& d = e.data;
  Message m;
  Args args;
  args.emplace_back("device", o.device_name.empty() ? e.device : o.device_name);
  std::string label = Str(d, "label");
  if (label.empty()) label = e.site.empty() ? "home" : e.site;
  args.emplace_back("label", label);
  std::string text_key = type + ".text";
  const auto surge_s = static_cast<double>(o.surge_window.count()) / 1000.0;
  bool surge = false;

  switch (e.type) {
    case EventType::kDeviceActive:
      args.emplace_back("power", c.FormatNumber(lang, Num(d, "power_w").value_or(0), 0));
      m.tags = {"arrow_forward"};
      break;
    case EventType::kCycleFinished: {
      args.emplace_back("duration",
                        c.FormatDuration(lang, std::llround(Num(d, "duration_s").value_or(0))));
      const double wh = Num(d, "energy_wh").value_or(0);
      args.emplace_back(
          "energy",
          wh < 10 ? c.Get(lang, "number.energy_wh", {{"wh", c.FormatNumber(lang, wh, 1)}})
                  : c.Get(lang, "number.energy", {{"kwh", c.FormatNumber(lang, wh / 1000.0, 2)}}));
      if (auto cost = Num(d, "cost"); cost && !Str(d, "currency").empty()) {
        const Args money{{"symbol", CurrencySymbol(Str(d, "currency"))},
                         {"amount", c.FormatNumber(lang, *cost, 2)}};
        args.emplace_back("cost", c.Get(lang, "number.money", money));
        text_key = "cycle_finished.text_cost";
      }
      m.tags = {"white_check_mark"};
      break;
    }
    case EventType::kDeviceOffline:
      args.emplace_back("error", Str(d, "error"));
      m.tags = {"warning"};
      m.priority = 4;
      break;
    case EventType::kDeviceOnline:
      args.emplace_back("duration",
                        c.FormatDuration(lang, std::llround(Num(d, "offline_for_s").value_or(0))));
      m.tags = {"white_check_mark"};
      break;
    case EventType::kPowerLost:
      if (auto on = Num(d, "was_on_for_s")) {
        args.emplace_back("duration", c.FormatDuration(lang, std::llround(*on)));
        text_key = "power_lost.text_was_on";
        surge = surge_s > 0 && *on < surge_s;
      }
      m.tags = {"electric_plug", "red_circle"};
      m.priority = 4;
      break;
    case EventType::kPowerRestored:
      if (auto off = Num(d, "was_off_for_s")) {
        args.emplace_back("duration", c.FormatDuration(lang, std::llround(*off)));
        text_key = "power_restored.text_was_off";
        surge = surge_s > 0 && *off < surge_s;
      }
      m.tags = {"bulb", "green_circle"};
      m.priority = 4;
      break;
    case EventType::kSwitchedOn:
    case EventType::kSwitchedOff:
      args.emplace_back("source", Str(d, "source"));
      m.tags = {"electric_plug"};
      m.priority = 2;
      break;
  }
  m.title = c.Get(lang, type + ".title", args);
  m.text = c.Get(lang, text_key, args);
  if (e.type == EventType::kPowerLost && Num(d, "total")) {
    const Args q{
        {"unreachable", c.Plural(lang, "devices", std::llround(Num(d, "unreachable").value_or(0)))},
        {"total", fmt::format("{}", std::llround(*Num(d, "total")))}};
    m.text += " (" + c.Get(lang, "power_lost.quorum", q) + ")";
  }
  if (surge) {
    const long long minutes = std::max<long long>(1, std::llround(surge_s / 60.0));
    m.text += "\n" + c.Get(lang, "surge.hint", {{"minutes", c.Plural(lang, "minutes", minutes)}});
    m.tags.push_back("warning");
    m.priority = 5;
  }
  return m;
}

Message RenderTest(const Catalog& c, std::string_view language, std::string_view sink) {
  Message m;
  const Args args{{"sink", std::string(sink)}};
  m.title = c.Get(language, "test.title", args);
  m.text = c.Get(language, "test.text", args);
  m.tags = {"test_tube"};
  return m;
}

}  // namespace plugwatch::notify
