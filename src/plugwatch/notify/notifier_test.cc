#include "plugwatch/notify/notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "plugwatch/core/time.h"
#include "plugwatch/notify/render.h"

namespace plugwatch::notify {
namespace {

namespace fs = std::filesystem;

class Subscribers final : public RecipientSource {
 public:
  std::vector<Recipient> Recipients(std::string_view sink) override {
    if (sink != "telegram") return {};
    return {{"1", "uk", false, {"power"}},
            {"2", "en", false, {"appliances"}},
            {"3", "cs", false, {"power", "appliances"}}};
  }
};

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("pw-notifier-" + std::to_string(::getpid()) + ".db"))
                .string();
    fs::remove(path_);
    auto s = store::OpenSqlite(path_);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    cfg_.sinks = {{.name = "all", .url = "console://"},
                  {.name = "power", .url = "console://", .events = {"power_lost"}},
                  {.name = "washer", .url = "console://", .devices = {"washer", "POWER"}}};
  }
  void TearDown() override {
    store_.reset();
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(path_ + ext);
  }
  std::vector<std::string> Targets(const std::vector<Outbox::Item>& items) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(i.sink + ":" + i.recipient);
    return out;
  }

  std::string path_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
  boost::asio::io_context io_;
  ManualClock clock_;
};

TEST_F(NotifierTest, RoutesByEventsDevicesAndTopicsInEachLanguage) {
  Outbox outbox(io_.get_executor(), *store_, clock_);
  Subscribers subs;
  Notifier n(cfg_, outbox, Catalog::Notifications(), clock_,
             [](const std::string& id) { return id == "washer" ? "Washing machine" : id; });
  n.AddRecipientSource("telegram", &subs);
  n.AddRecipient("telegram", "@channel", "ru");

  Event cycle = MakeEvent(EventType::kCycleFinished, clock_.Now(), "washer", "home");
  cycle.id = 5;
  cycle.data = {{"duration_s", 60}, {"energy_wh", 10}};
  auto items = n.Route(cycle);
  EXPECT_EQ(Targets(items), (std::vector<std::string>{"all:", "washer:", "telegram:@channel",
                                                      "telegram:2", "telegram:3"}));
  EXPECT_EQ(items[0].message.text, "Washing machine finished — 1 min, 0.01 kWh");
  EXPECT_EQ(items[0].idempotency_key, "event-5");
  EXPECT_NE(items[0].message.data_json.find("\"cycle_finished\""), std::string::npos);
  EXPECT_EQ(items[4].message.text, "Washing machine: hotovo — 1 min, 0,01 kWh");

  Event dryer = MakeEvent(EventType::kDeviceActive, clock_.Now(), "dryer", "home");
  EXPECT_EQ(Targets(n.Route(dryer)),
            (std::vector<std::string>{"all:", "telegram:@channel", "telegram:2", "telegram:3"}));

  Event lost = MakeEvent(EventType::kPowerLost, clock_.Now(), "", "home");
  lost.data = {{"label", "POWER"}};
  items = n.Route(lost);
  EXPECT_EQ(Targets(items),
            (std::vector<std::string>{"all:", "power:", "washer:", "telegram:@channel",
                                      "telegram:1", "telegram:3"}));
  EXPECT_EQ(items[4].message.text, "POWER: світла НЕМАЄ");
  EXPECT_EQ(items[3].message.text, "POWER: света НЕТ");
}

TEST_F(NotifierTest, OnEventQueuesDurablyOncePerEvent) {
  Outbox outbox(io_.get_executor(), *store_, clock_);
  Notifier n(cfg_, outbox, Catalog::Notifications(), clock_);
  engine::EventBus bus;
  n.Attach(bus);
  Event lost = MakeEvent(EventType::kPowerLost, clock_.Now(), "", "home");
  lost.id = 9;
  bus.Publish(lost);
  bus.Publish(lost);  // published again (a replay): not queued twice
  auto queued = store_->QueuedNotifications(100);
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 2u);  // "all" and "power"
  EXPECT_EQ((*queued)[0].sink, "all");
  EXPECT_EQ((*queued)[1].sink, "power");
}

// The config knows the languages without depending on notify; the two lists
// must not drift apart.
TEST(NotifierLanguages, ConfigListsTheCatalogsLanguages) {
  std::vector<std::string> config_list(config::kLanguages.begin(), config::kLanguages.end());
  auto catalog_list = Catalog::Notifications().Languages();
  std::sort(config_list.begin(), config_list.end());
  std::sort(catalog_list.begin(), catalog_list.end());
  EXPECT_EQ(config_list, catalog_list);
}

TEST_F(NotifierTest, SinksAndRecipientsWithoutALanguageReadTheSitesLanguage) {
  cfg_.sites = {{.id = "home", .language = "uk"}, {.id = "dacha", .language = "cs"}};
  cfg_.sinks = {{.name = "site", .url = "console://"},
                {.name = "english", .url = "console://", .language = "en"}};
  Outbox outbox(io_.get_executor(), *store_, clock_);
  Notifier n(cfg_, outbox, Catalog::Notifications(), clock_);
  n.AddRecipient("telegram", "@channel", "");
  n.AddRecipient("telegram", "@russian", "ru");

  Event lost = MakeEvent(EventType::kPowerLost, clock_.Now(), "", "home");
  lost.data = {{"label", "POWER"}};
  auto items = n.Route(lost);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].message.text, "POWER: світла НЕМАЄ");
  EXPECT_EQ(items[1].message.text, "POWER: power is OFF");
  EXPECT_EQ(items[2].message.text, "POWER: світла НЕМАЄ");
  EXPECT_EQ(items[3].message.text, "POWER: света НЕТ");

  lost.site = "dacha";
  items = n.Route(lost);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].message.text, Render(Catalog::Notifications(), lost, {.language = "cs"}).text);
  EXPECT_NE(items[0].message.text, items[1].message.text);
}

class NightOwls final : public RecipientSource {
 public:
  std::vector<Recipient> Recipients(std::string_view) override {
    return {{"sound", "en", false, {"power"}}, {"quiet", "en", true, {"power"}}};
  }
};

// Europe/Kyiv is UTC+2 in January: 22:00 local is 20:00 UTC, 08:00 is 06:00.
TEST_F(NotifierTest, QuietHoursSilenceOnlyThoseWhoAskedInTheSitesTimeZone) {
  cfg_.sites = {{.id = "home", .timezone = "Europe/Kyiv"},
                {.id = "cabin", .timezone = "UTC", .quiet_hours = "off"}};
  cfg_.sinks.clear();
  Outbox outbox(io_.get_executor(), *store_, clock_);
  NightOwls owls;
  Notifier n(cfg_, outbox, Catalog::Notifications(), clock_);
  n.AddRecipientSource("telegram", &owls);
  auto silent_at = [&](const char* utc, const char* site) {
    clock_.Set(*ParseTimestamp(utc));
    Event lost = MakeEvent(EventType::kPowerLost, clock_.Now(), "", site);
    auto items = n.Route(lost);
    EXPECT_EQ(items.size(), 2u);
    EXPECT_FALSE(items[0].message.silent) << "sound on never goes silent";
    return items.size() == 2 && items[1].message.silent;
  };
  EXPECT_FALSE(silent_at("2026-01-15T19:59:00Z", "home"));   // 21:59 in Kyiv
  EXPECT_TRUE(silent_at("2026-01-15T20:00:00Z", "home"));    // 22:00
  EXPECT_TRUE(silent_at("2026-01-16T05:59:00Z", "home"));    // 07:59
  EXPECT_FALSE(silent_at("2026-01-16T06:00:00Z", "home"));   // 08:00
  EXPECT_FALSE(silent_at("2026-01-15T23:00:00Z", "cabin"));  // quiet_hours = "off"
  // A site not in [[sites]] has the defaults: 22:00–08:00 UTC.
  EXPECT_TRUE(silent_at("2026-01-15T23:00:00Z", "elsewhere"));
  EXPECT_FALSE(silent_at("2026-01-15T12:00:00Z", "elsewhere"));
}

TEST_F(NotifierTest, TheSurgeHintFollowsTheSitesWindow) {
  cfg_.sites = {{.id = "home"}, {.id = "cabin", .surge_window = Duration(0)}};
  cfg_.sinks = {{.name = "all", .url = "console://"}};
  Outbox outbox(io_.get_executor(), *store_, clock_);
  Notifier n(cfg_, outbox, Catalog::Notifications(), clock_);
  Event back = MakeEvent(EventType::kPowerRestored, clock_.Now(), "", "home");
  back.data = {{"label", "POWER"}, {"was_off_for_s", 60}};
  auto items = n.Route(back);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(items[0].message.text.find("power surge"), std::string::npos);
  back.site = "cabin";
  items = n.Route(back);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].message.text, "POWER: power is ON — it was off for 1 min");
}

}  // namespace
}  // namespace plugwatch::notify
