#include "plugwatch/notify/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "plugwatch/notify/render.h"

namespace plugwatch::notify {
namespace {

const Catalog& C() { return Catalog::Notifications(); }

std::set<std::string> Set(std::vector<std::string> v) { return {v.begin(), v.end()}; }

// Strips a plural suffix: "devices.few" → "devices".
std::string Base(const std::string& key) {
  for (std::string_view s : {".one", ".few", ".many", ".other"})
    if (key.ends_with(s)) return key.substr(0, key.size() - s.size());
  return key;
}

TEST(Catalog, HasTheFourLanguages) {
  EXPECT_EQ(Set(C().Languages()), (std::set<std::string>{"cs", "en", "ru", "uk"}));
}

TEST(Catalog, EveryLanguageHasEnglishKeysAndTheSamePlaceholders) {
  for (const auto& lang : C().Languages()) {
    std::set<std::string> bases;
    for (const auto& k : C().Keys(lang)) bases.insert(Base(k));
    for (const auto& k : C().Keys("en")) {
      ASSERT_TRUE(bases.contains(Base(k))) << lang << " lacks " << k;
      if (!C().Has(lang, k)) continue;  // a plural form English lacks / has
      EXPECT_EQ(Set(Placeholders(C().Get(lang, k))), Set(Placeholders(C().Get("en", k))))
          << lang << " " << k;
    }
    for (const auto& k : C().Keys(lang))
      EXPECT_TRUE(C().Has("en", k) || C().Has("en", Base(k) + ".other")) << lang << " extra " << k;
  }
}

TEST(Catalog, SubstitutesAndFallsBackToEnglish) {
  EXPECT_EQ(Substitute("{a} and {b} {c}", {{"a", "x"}, {"b", "y"}}), "x and y {c}");
  EXPECT_EQ(C().Get("de", "test.title"), "plugwatch test");
  EXPECT_EQ(C().Get("en", "no.such.key"), "no.such.key");
  EXPECT_EQ(C().Supported("de"), "en");
  EXPECT_EQ(C().Supported("uk"), "uk");
}

TEST(Catalog, PluralRules) {
  EXPECT_EQ(PluralCategory("en", 1), "one");
  EXPECT_EQ(PluralCategory("en", 2), "other");
  for (std::string lang : {"uk", "ru"}) {
    EXPECT_EQ(PluralCategory(lang, 1), "one");
    EXPECT_EQ(PluralCategory(lang, 21), "one");
    EXPECT_EQ(PluralCategory(lang, 11), "many");
    EXPECT_EQ(PluralCategory(lang, 3), "few");
    EXPECT_EQ(PluralCategory(lang, 22), "few");
    EXPECT_EQ(PluralCategory(lang, 12), "many");
    EXPECT_EQ(PluralCategory(lang, 5), "many");
    EXPECT_EQ(PluralCategory(lang, 0), "many");
  }
  EXPECT_EQ(PluralCategory("cs", 1), "one");
  EXPECT_EQ(PluralCategory("cs", 4), "few");
  EXPECT_EQ(PluralCategory("cs", 5), "other");

  EXPECT_EQ(C().Plural("uk", "devices", 1), "1 пристрій");
  EXPECT_EQ(C().Plural("uk", "devices", 3), "3 пристрої");
  EXPECT_EQ(C().Plural("uk", "devices", 5), "5 пристроїв");
  EXPECT_EQ(C().Plural("uk", "devices", 11), "11 пристроїв");
  EXPECT_EQ(C().Plural("ru", "minutes", 21), "21 минуту");
  EXPECT_EQ(C().Plural("ru", "minutes", 2), "2 минуты");
  EXPECT_EQ(C().Plural("ru", "minutes", 5), "5 минут");
  EXPECT_EQ(C().Plural("cs", "minutes", 1), "1 minutu");
  EXPECT_EQ(C().Plural("cs", "minutes", 3), "3 minuty");
  EXPECT_EQ(C().Plural("cs", "minutes", 5), "5 minut");
  EXPECT_EQ(C().Plural("en", "minutes", 1), "1 minute");
  EXPECT_EQ(C().Plural("en", "minutes", 5), "5 minutes");
  // Every plural key has a form for every category its language uses.
  for (const auto& lang : C().Languages())
    for (const auto& k : C().Keys("en"))
      if (k.ends_with(".other"))
        for (long long n : {0, 1, 2, 5, 11, 21, 22, 25, 101})
          EXPECT_TRUE(C().Has(lang, Base(k) + "." + std::string(PluralCategory(lang, n))))
              << lang << " " << Base(k) << " n=" << n;
}

TEST(Catalog, FormatsDurations) {
  EXPECT_EQ(C().FormatDuration("en", 45), "45 s");
  EXPECT_EQ(C().FormatDuration("en", 60), "1 min");
  EXPECT_EQ(C().FormatDuration("en", 3600), "1 h");
  EXPECT_EQ(C().FormatDuration("en", 2 * 3600 + 5 * 60 + 59), "2 h 5 min");
  EXPECT_EQ(C().FormatDuration("en", 26 * 3600), "1 d 2 h");
  EXPECT_EQ(C().FormatDuration("en", 48 * 3600), "2 d");
  EXPECT_EQ(C().FormatDuration("uk", 2 * 3600 + 5 * 60), "2 год 5 хв");
  EXPECT_EQ(C().FormatDuration("ru", 2 * 3600 + 5 * 60), "2 ч 5 мин");
  EXPECT_EQ(C().FormatDuration("cs", 2 * 3600 + 5 * 60), "2 h 5 min");
  EXPECT_EQ(C().FormatDuration("en", -5), "0 s");
}

Event Ev(EventType t, boost::json::object data, std::string device = "washer") {
  Event e = MakeEvent(t, TimePoint{}, std::move(device), "home");
  e.data = std::move(data);
  return e;
}

TEST(Render, CycleFinishedInEnglishAndUkrainian) {
  const Event e = Ev(EventType::kCycleFinished, {{"duration_s", 72 * 60},
                                                 {"energy_wh", 840.0},
                                                 {"cost", 0.21},
                                                 {"currency", "EUR"},
                                                 {"peak_w", 2000}});
  auto m = Render(C(), e, {.language = "en", .device_name = "Washing machine"});
  EXPECT_EQ(m.text, "Washing machine finished — 1 h 12 min, 0.84 kWh, €0.21");
  EXPECT_EQ(m.title, "Washing machine finished");
  auto uk = Render(C(), e, {.language = "uk", .device_name = "Пралка"});
  EXPECT_EQ(uk.text, "Пралка: роботу завершено — 1 год 12 хв, 0,84 кВт·год, 0,21 €");
  // Without a price: no cost.
  const Event free = Ev(EventType::kCycleFinished, {{"duration_s", 90}, {"energy_wh", 5}});
  EXPECT_EQ(Render(C(), free, {}).text, "washer finished — 1 min, 5.0 Wh");
  // Under 10 Wh the energy is in Wh, where "0.00 kWh" would say nothing.
  const Event small = Ev(EventType::kCycleFinished, {{"duration_s", 3}, {"energy_wh", 0.83}});
  EXPECT_EQ(Render(C(), small, {.language = "uk"}).text,
            "washer: роботу завершено — 3 с, 0,8 Вт·год");
  const Event ten = Ev(EventType::kCycleFinished, {{"duration_s", 60}, {"energy_wh", 10}});
  EXPECT_EQ(Render(C(), ten, {}).text, "washer finished — 1 min, 0.01 kWh");
}

TEST(Render, PowerEventsAndSurgeHint) {
  const Event restored =
      Ev(EventType::kPowerRestored, {{"label", "POWER"}, {"was_off_for_s", 2 * 3600 + 5 * 60}}, "");
  auto m = Render(C(), restored, {});
  EXPECT_EQ(m.text, "POWER: power is ON — it was off for 2 h 5 min");
  EXPECT_EQ(m.priority, 4);
  const Event lost = Ev(EventType::kPowerLost, {{"label", "POWER"}}, "");
  EXPECT_EQ(Render(C(), lost, {}).text, "POWER: power is OFF");
  const Event flicker = Ev(EventType::kPowerLost, {{"label", "POWER"}, {"was_on_for_s", 120}}, "");
  auto f = Render(C(), flicker, {});
  EXPECT_NE(f.text.find("could be a power surge"), std::string::npos) << f.text;
  EXPECT_NE(f.text.find("5 minutes"), std::string::npos) << f.text;
  EXPECT_EQ(f.priority, 5);
  auto uk = Render(C(), flicker, {.language = "uk"});
  EXPECT_NE(uk.text.find("5 хвилин"), std::string::npos) << uk.text;
  auto never = Render(C(), flicker, {.surge_window = Duration{0}});
  EXPECT_EQ(never.text.find("surge"), std::string::npos);
  const Event quorum =
      Ev(EventType::kPowerLost, {{"cause", "quorum"}, {"unreachable", 3}, {"total", 4}}, "");
  EXPECT_EQ(Render(C(), quorum, {.language = "uk"}).text,
            "home: світла НЕМАЄ (недоступно 3 пристрої з 4)");
}

TEST(Render, EveryEventTypeRendersCompletelyInEveryLanguage) {
  const boost::json::object all = {
      {"power_w", 1500},     {"duration_s", 3700},   {"energy_wh", 1200.5},  {"cost", 0.3},
      {"currency", "EUR"},   {"error", "timeout"},   {"offline_for_s", 600}, {"label", "POWER"},
      {"was_on_for_s", 100}, {"was_off_for_s", 100}, {"source", "api"},      {"unreachable", 2},
      {"total", 3}};
  for (const auto& lang : C().Languages()) {
    for (int t = 0; t <= static_cast<int>(EventType::kSwitchedOff); ++t) {
      const auto m = Render(C(), Ev(static_cast<EventType>(t), all), {.language = lang});
      EXPECT_TRUE(Placeholders(m.text).empty()) << lang << " " << t << ": " << m.text;
      EXPECT_TRUE(Placeholders(m.title).empty()) << lang << " " << t << ": " << m.title;
      EXPECT_FALSE(m.text.empty());
    }
    const auto test = RenderTest(C(), lang, "phone");
    EXPECT_TRUE(Placeholders(test.text).empty()) << test.text;
    EXPECT_NE(test.text.find("phone"), std::string::npos);
  }
}

}  // namespace
}  // namespace plugwatch::notify
