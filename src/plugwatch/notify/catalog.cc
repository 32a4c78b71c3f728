#include "plugwatch/notify/catalog.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <sstream>

namespace plugwatch::notify {

namespace {

void Flatten(const toml::table& t, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out) {
  for (const auto& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table())
      Flatten(*sub, key, out);
    else if (const auto* s = v.as_string())
      out[key] = s->get();
  }
}

}  // namespace

Result<Catalog> Catalog::Load(std::span<const embedded::EmbeddedFile> files) {
  Catalog c;
  for (const auto& f : files) {
    if (!f.name.ends_with(".toml")) continue;
    const std::string lang(f.name.substr(0, f.name.size() - 5));
    try {
      const toml::table t = toml::parse(f.bytes, std::string(f.name));
      Flatten(t, "", c.texts_[lang]);
    } catch (const toml::parse_error& e) {
      return Fail(Errc::kParse, fmt::format("message catalog {}: {} — fix the file and rebuild",
                                            f.name, e.description()));
    }
  }
  if (!c.texts_.contains("en"))
    return Fail(Errc::kParse, "message catalog has no en.toml — English is the fallback");
  return c;
}

const Catalog& Catalog::Notifications() {
  static const Catalog c = [] {
    auto r = Load(embedded::NotifyTexts());
    if (!r) throw std::runtime_error(r.error().context);
    return std::move(*r);
  }();
  return c;
}

bool Catalog::Has(std::string_view lang, std::string_view key) const {
  auto l = texts_.find(lang);
  return l != texts_.end() && l->second.find(key) != l->second.end();
}

std::string Catalog::Get(std::string_view lang, std::string_view key, const Args& args) const {
  for (std::string_view l : {lang, std::string_view("en")}) {
    auto it = texts_.find(l);
    if (it == texts_.end()) continue;
    if (auto k = it->second.find(key); k != it->second.end()) return Substitute(k->second, args);
  }
  return std::string(key);
}

std::string Catalog::Plural(std::string_view lang, std::string_view key, long long n,
                            const Args& args) const {
  Args all = args;
  all.emplace_back("n", std::to_string(n));
  const std::string lg = Supported(lang);
  std::string k = fmt::format("{}.{}", key, PluralCategory(lg, n));
  if (!Has(lg, k)) k = fmt::format("{}.other", key);
  if (!Has(lg, k)) {
    k = fmt::format("{}.{}", key, PluralCategory("en", n));
    return Get("en", k, all);
  }
  return Get(lg, k, all);
}

std::string Catalog::FormatDuration(std::string_view lang, long long seconds) const {
  if (seconds < 0) seconds = 0;
  const auto unit = [&](std::string_view u) { return Get(lang, fmt::format("unit.{}", u)); };
  if (seconds < 60) return fmt::format("{} {}", seconds, unit("second"));
  const long long minutes = seconds / 60;
  if (minutes < 60) return fmt::format("{} {}", minutes, unit("minute"));
  const long long hours = minutes / 60, m = minutes % 60;
  if (hours < 24)
    return m ? fmt::format("{} {} {} {}", hours, unit("hour"), m, unit("minute"))
             : fmt::format("{} {}", hours, unit("hour"));
  const long long days = hours / 24, h = hours % 24;
  return h ? fmt::format("{} {} {} {}", days, unit("day"), h, unit("hour"))
           : fmt::format("{} {}", days, unit("day"));
}

std::string Catalog::FormatNumber(std::string_view lang, double value, int decimals) const {
  std::string s = fmt::format("{:.{}f}", value, decimals);
  const std::string sep = Get(lang, "number.decimal");
  if (auto dot = s.find('.'); dot != std::string::npos && sep != ".") s.replace(dot, 1, sep);
  return s;
}

std::vector<std::string> Catalog::Languages() const {
  std::vector<std::string> out;
  for (const auto& [l, _] : texts_) out.push_back(l);
  return out;
}

std::vector<std::string> Catalog::Keys(std::string_view lang) const {
  std::vector<std::string> out;
  if (auto it = texts_.find(lang); it != texts_.end())
    for (const auto& [k, _] : it->second) out.push_back(k);
  return out;
}

std::string Catalog::Supported(std::string_view lang) const {
  return texts_.contains(lang) ? std::string(lang) : std::string("en");
}

std::string_view PluralCategory(std::string_view lang, long long n) {
  const long long a = n < 0 ? -n : n;
  const long long m10 = a % 10, m100 = a % 100;
  if (lang == "uk" || lang == "ru") {
    if (m10 == 1 && m100 != 11) return "one";
    if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return "few";
    return "many";
  }
  if (lang == "cs") {
    if (a == 1) return "one";
    if (a >= 2 && a <= 4) return "few";
    return "other";
  }
  return a == 1 ? "one" : "other";
}

std::string Substitute(std::string_view text, const Args& args) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      const auto close = text.find('}', i);
      if (close != std::string_view::npos) {
        const std::string_view name = text.substr(i + 1, close - i - 1);
        bool done = false;
        for (const auto& [k, v] : args)
          if (k == name) {
            out += v;
            done = true;
            break;
          }
        if (done) {
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::vector<std::string> Placeholders(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    const auto close = text.find('}', i);
    if (close == std::string_view::npos) break;
    const auto name = text.substr(i + 1, close - i - 1);
    if (!name.empty() && name.find_first_of(" {") == std::string_view::npos) out.emplace_back(name);
  }
  return out;
}

}  // namespace plugwatch::notify
