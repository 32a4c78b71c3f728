#include "plugwatch/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace plugwatch::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The example of INTERFACE.md, word for word.
constexpr std::string_view kInterfaceExample = R"toml(
[server]
listen = "127.0.0.1:8080"
api_token = "${PLUGWATCH_API_TOKEN}"   # required for any write when listening beyond loopback

[storage]
path = "plugwatch.db"                  # SQLite, the default

[defaults]
poll_interval = "5s"

[[sites]]
id = "home"
timezone = "Europe/Kyiv"
outage_quorum = 0.5                    # fraction of probed devices unreachable that means an outage
confirm_checks = 2                     # consecutive failed checks before a device counts as unreachable

[[devices]]
id = "washer"                          # [a-z0-9_-]+, stable, used in URLs and topics
name = "Washing machine"
kind = "tapo"                          # tapo | http (reachability probe); later tasmota, shelly, bluetti
address = "192.168.1.50"               # host[:port]
username = "${TAPO_USERNAME}"
password = "${TAPO_PASSWORD}"
site = "home"
poll_interval = "5s"
[devices.activity]                     # appliance cycle detection
start_above_w = 5.0
start_delay = "10s"
stop_below_w = 2.0
stop_delay = "3m"                      # a pause shorter than this does not end the cycle
price_per_kwh = 0.25

[[heartbeats]]
label = "POWER"                        # also GENERATOR, or any name
token = "${HEARTBEAT_TOKEN}"
period = "10s"
grace = "40s"                          # lost after period + grace of silence
site = "home"

[telegram]
token = "${TELEGRAM_TOKEN}"
api_url = "https://api.telegram.org"   # or a self-hosted Bot API server
channel = "@my_channel"                # optional: post notified events to this chat or channel
bot = true                             # answer commands and notify subscribers
admins = [123456789]

[[sinks]]
name = "phone"
url = "ntfy://ntfy.sh/my-topic"        # also https://… (JSON webhook), discord://ID/TOKEN, tgram://TOKEN/CHAT
events = ["cycle_finished", "power_lost", "power_restored"]
devices = ["washer"]                   # optional filter
)toml";

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup ExampleEnv() {
  return MapEnv({{"PLUGWATCH_API_TOKEN", "api-secret"},
                 {"TAPO_USERNAME", "me@example.com"},
                 {"TAPO_PASSWORD", "tapo-secret"},
                 {"HEARTBEAT_TOKEN", "hb-secret"},
                 {"TELEGRAM_TOKEN", "123:tg-secret"}});
}

Result<Config> Load(std::string_view text, const EnvLookup& env = MapEnv({})) {
  return LoadString(text, "plugwatch.toml", env);
}

// The error text of loading `text`; "" when it loads.
std::string ErrorOf(std::string_view text, const EnvLookup& env = MapEnv({})) {
  Result<Config> c = Load(text, env);
  return c ? "" : c.error().context;
}

// Minimal valid device, to which a test appends the key under test.
constexpr std::string_view kDevice = R"toml(
[[devices]]
id = "washer"
kind = "tapo"
address = "192.168.1.50"
)toml";

auto ActivityTie(const ActivitySettings& a) {
  return std::tie(a.start_above_w, a.start_delay, a.stop_below_w, a.stop_delay, a.price_per_kwh,
                  a.currency);
}

auto DeviceTie(const DeviceSpec& d) {
  return std::tie(d.id, d.name, d.kind, d.address, d.username, d.password, d.site, d.protocol,
                  d.enabled, d.poll_interval, d.in_quorum);
}

void ExpectSameConfig(const Config& a, const Config& b) {
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.storage, b.storage);
  EXPECT_EQ(a.defaults, b.defaults);
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.sites, b.sites);
  ASSERT_EQ(a.devices.size(), b.devices.size());
  for (size_t i = 0; i < a.devices.size(); ++i) {
    EXPECT_TRUE(DeviceTie(a.devices[i]) == DeviceTie(b.devices[i])) << "devices[" << i << "]";
    ASSERT_EQ(a.devices[i].activity.has_value(), b.devices[i].activity.has_value());
    if (a.devices[i].activity) {
      EXPECT_TRUE(ActivityTie(*a.devices[i].activity) == ActivityTie(*b.devices[i].activity));
    }
  }
  EXPECT_EQ(a.heartbeats, b.heartbeats);
  EXPECT_EQ(a.telegram, b.telegram);
  EXPECT_EQ(a.sinks, b.sinks);
}

TEST(Load, InterfaceExample) {
  Result<Config> r = Load(kInterfaceExample, ExampleEnv());
  ASSERT_TRUE(r) << r.error().context;
  const Config& c = *r;
  EXPECT_EQ(c.source, "plugwatch.toml");
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.server.api_token, "api-secret");
  EXPECT_EQ(c.storage.path, "plugwatch.db");
  EXPECT_EQ(c.storage.raw_retention, Duration(7LL * 86'400'000));
  EXPECT_EQ(c.defaults.poll_interval, Duration(5000));
  EXPECT_EQ(c.defaults.request_timeout, Duration(3000));
  EXPECT_EQ(c.log.level, "info");

  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0], (SiteConfig{"home", "Europe/Kyiv", 0.5, 2}));

  ASSERT_EQ(c.devices.size(), 1u);
  const DeviceSpec& d = c.devices[0];
  EXPECT_EQ(d.id, "washer");
  EXPECT_EQ(d.name, "Washing machine");
  EXPECT_EQ(d.kind, "tapo");
  EXPECT_EQ(d.address, "192.168.1.50");
  EXPECT_EQ(d.username, "me@example.com");
  EXPECT_EQ(d.password, "tapo-secret");
  EXPECT_EQ(d.site, "home");
  EXPECT_EQ(d.protocol, "auto");
  EXPECT_TRUE(d.enabled);
  EXPECT_TRUE(d.in_quorum);
  EXPECT_EQ(d.poll_interval, Duration(5000));
  ASSERT_TRUE(d.activity);
  EXPECT_EQ(d.activity->start_above_w, 5.0);
  EXPECT_EQ(d.activity->start_delay, Duration(10'000));
  EXPECT_EQ(d.activity->stop_below_w, 2.0);
  EXPECT_EQ(d.activity->stop_delay, Duration(180'000));
  EXPECT_EQ(d.activity->price_per_kwh, 0.25);
  EXPECT_EQ(d.activity->currency, "");

  ASSERT_EQ(c.heartbeats.size(), 1u);
  EXPECT_EQ(c.heartbeats[0],
            (HeartbeatConfig{"POWER", "hb-secret", Duration(10'000), Duration(40'000), "home"}));

  ASSERT_TRUE(c.telegram);
  EXPECT_EQ(*c.telegram,
            (TelegramConfig{
                "123:tg-secret", "https://api.telegram.org", "@my_channel", true, {123456789}}));

  ASSERT_EQ(c.sinks.size(), 1u);
  EXPECT_EQ(c.sinks[0], (SinkConfig{"phone",
                                    "ntfy://ntfy.sh/my-topic",
                                    {"cycle_finished", "power_lost", "power_restored"},
                                    {"washer"}}));
}

TEST(Load, EmptyTextGivesDefaults) {
  Result<Config> c = Load("");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->server, ServerConfig{});
  EXPECT_EQ(c->storage, StorageConfig{});
  EXPECT_EQ(c->defaults, DefaultsConfig{});
  EXPECT_EQ(c->log, LogConfig{});
  EXPECT_TRUE(c->sites.empty());
  EXPECT_TRUE(c->devices.empty());
  EXPECT_FALSE(c->telegram);
}

TEST(Load, DeviceDefaults) {
  Result<Config> c = Load(kDevice);
  ASSERT_TRUE(c) << c.error().context;
  const DeviceSpec& d = c->devices[0];
  EXPECT_EQ(d.name, "washer");
  EXPECT_EQ(d.site, "home");
  EXPECT_EQ(d.protocol, "auto");
  EXPECT_FALSE(d.poll_interval);
  EXPECT_FALSE(d.activity);
  EXPECT_EQ(c->PollInterval(d), Duration(5000));
}

TEST(Load, IntegersAreAcceptedForFloats) {
  Result<Config> c = Load(std::string(kDevice) + R"toml(
[devices.activity]
start_above_w = 10
stop_below_w = 3
price_per_kwh = 1
[[sites]]
id = "home"
outage_quorum = 1
)toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->devices[0].activity->start_above_w, 10.0);
  EXPECT_EQ(c->devices[0].activity->stop_below_w, 3.0);
  EXPECT_EQ(c->devices[0].activity->price_per_kwh, 1.0);
  EXPECT_EQ(c->sites[0].outage_quorum, 1.0);
}

TEST(Load, AllKeysOfEverySection) {
  Result<Config> c = Load(R"toml(
[server]
listen = "[::1]:0"
[storage]
path = "/var/lib/plugwatch/db.sqlite"
raw_retention = "2d"
minute_retention = "30d"
[defaults]
poll_interval = "250ms"
request_timeout = "1s500ms"
[log]
level = "debug"
[[sites]]
id = "cabin"
language = "uk"
quiet_hours = "off"
surge_window = "0s"
[[devices]]
id = "probe"
kind = "tcp"
address = "10.0.0.1:22"
site = "cabin"
enabled = false
in_quorum = false
protocol = "klap"
[devices.activity]
currency = "€"
[telegram]
token = "t"
bot = false
[[sinks]]
name = "hook"
url = "https://example.com/hook"
language = "cs"
)toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->server.listen, "[::1]:0");
  EXPECT_EQ(c->storage.raw_retention, Duration(2 * 86'400'000));
  EXPECT_EQ(c->storage.minute_retention, Duration(30LL * 86'400'000));
  EXPECT_EQ(c->defaults.poll_interval, Duration(250));
  EXPECT_EQ(c->defaults.request_timeout, Duration(1500));
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_EQ(c->sites[0], (SiteConfig{"cabin", "UTC", 0.5, 2, "uk", "off", Duration(0)}));
  EXPECT_EQ(c->sinks[0].language, "cs");
  const DeviceSpec& d = c->devices[0];
  EXPECT_FALSE(d.enabled);
  EXPECT_FALSE(d.in_quorum);
  EXPECT_EQ(d.protocol, "klap");
  ASSERT_TRUE(d.activity);
  EXPECT_EQ(d.activity->currency, "€");
  EXPECT_EQ(d.activity->start_above_w, 5.0);
  EXPECT_EQ(d.activity->stop_delay, Duration(180'000));
  EXPECT_EQ(c->telegram->api_url, "https://api.telegram.org");
  EXPECT_FALSE(c->telegram->bot);
  EXPECT_TRUE(c->sinks[0].events.empty());
}

// Each error the loader reports, word for word.
struct ErrorCase {
  std::string_view name;
  std::string text;
  std::string_view message;
};

class LoadError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LoadError, Message) {
  Result<Config> c = Load(GetParam().text);
  ASSERT_FALSE(c) << GetParam().name;
  EXPECT_EQ(c.error().context, GetParam().message);
  EXPECT_TRUE(c.error().Is(Errc::kInvalidArgument));
}

std::string Dev(std::string_view extra) { return std::string(kDevice) + std::string(extra) + "\n"; }

INSTANTIATE_TEST_SUITE_P(
    Config, LoadError,
    ::testing::Values(
        ErrorCase{"UnknownDeviceKey", Dev("pol_interval = \"5s\""),
                  "plugwatch.toml: devices[0].pol_interval: unknown key — check the spelling; "
                  "see docs/config.md for the keys of this section"},
        ErrorCase{"UnknownKeyEarliestInFileIsReported", Dev("zz = 1\naa = 2"),
                  "plugwatch.toml: devices[0].zz: unknown key — check the spelling; see "
                  "docs/config.md for the keys of this section"},
        ErrorCase{"UnknownActivityKey", Dev("[devices.activity]\nstop_dealy = \"3m\""),
                  "plugwatch.toml: devices[0].activity.stop_dealy: unknown key — check the "
                  "spelling; see docs/config.md for the keys of this section"},
        ErrorCase{"UnknownSection", "[servr]\nlisten = \"127.0.0.1:1\"\n",
                  "plugwatch.toml: servr: unknown key — check the spelling; the sections are "
                  "server, storage, defaults, log, sites, devices, heartbeats, telegram and "
                  "sinks"},
        ErrorCase{"WrongType", "[server]\nlisten = 8080\n",
                  "plugwatch.toml: server.listen: must be a string"},
        ErrorCase{"BareNumberDuration", "[defaults]\npoll_interval = \"5\"\n",
                  "plugwatch.toml: defaults.poll_interval: '5' is not a duration (use a number "
                  "with a unit: ms, s, m, h, d — e.g. \"250ms\", \"5s\", \"3m\", \"1h30m\")"},
        ErrorCase{"IntegerDuration", "[defaults]\npoll_interval = 5\n",
                  "plugwatch.toml: defaults.poll_interval: must be a string with a unit, e.g. "
                  "\"5s\" — a bare number could mean seconds or milliseconds"},
        ErrorCase{"BadId", "[[devices]]\nid = \"Washer 1\"\nkind = \"tapo\"\naddress = \"a\"\n",
                  "plugwatch.toml: devices[0].id: 'Washer 1' is not a valid id — use 1–64 "
                  "characters from a-z, 0-9, '_' and '-'"},
        ErrorCase{"MissingId", "[[devices]]\nkind = \"tapo\"\naddress = \"a\"\n",
                  "plugwatch.toml: devices[0].id: missing — give every device an id, e.g. id = "
                  "\"washer\""},
        ErrorCase{"DuplicateDevice", Dev("") + Dev(""),
                  "plugwatch.toml: devices[1].id: 'washer' is already used by devices[0] — "
                  "give each device its own id"},
        ErrorCase{"UnknownKind", "[[devices]]\nid = \"a\"\nkind = \"tasmota\"\naddress = \"a\"\n",
                  "plugwatch.toml: devices[0].kind: unknown kind 'tasmota' — use tapo, http or "
                  "tcp"},
        ErrorCase{"MissingKind", "[[devices]]\nid = \"a\"\naddress = \"a\"\n",
                  "plugwatch.toml: devices[0].kind: missing — use tapo, http or tcp"},
        ErrorCase{"MissingAddress", "[[devices]]\nid = \"a\"\nkind = \"http\"\n",
                  "plugwatch.toml: devices[0].address: missing — write the device's "
                  "host[:port], e.g. \"192.168.1.50\""},
        ErrorCase{"AddressWithScheme",
                  "[[devices]]\nid = \"a\"\nkind = \"http\"\naddress = \"http://router/\"\n",
                  "plugwatch.toml: devices[0].address: 'http://router/' is not HOST[:PORT] — "
                  "write e.g. \"192.168.1.50\" or \"plug.lan:80\", without a scheme or path"},
        ErrorCase{"TcpWithoutPort", "[[devices]]\nid = \"a\"\nkind = \"tcp\"\naddress = \"h\"\n",
                  "plugwatch.toml: devices[0].address: 'h' has no port — a tcp probe needs "
                  "HOST:PORT, e.g. \"192.168.1.1:22\""},
        ErrorCase{"UnknownProtocol", Dev("protocol = \"tls\""),
                  "plugwatch.toml: devices[0].protocol: unknown protocol 'tls' — use auto, klap "
                  "or passthrough"},
        ErrorCase{"SiteNotDeclared",
                  "[[sites]]\nid = \"home\"\n[[sites]]\nid = \"dacha\"\n" + Dev("site = \"cabin\""),
                  "plugwatch.toml: devices[0].site: unknown site 'cabin' — declare it in "
                  "[[sites]] or use one of: home, dacha"},
        ErrorCase{"QuorumZero", "[[sites]]\nid = \"home\"\noutage_quorum = 0\n",
                  "plugwatch.toml: sites[0].outage_quorum: must be > 0 and ≤ 1 — it is the "
                  "fraction of probed devices that must be unreachable, e.g. 0.5"},
        ErrorCase{"QuorumAboveOne", "[[sites]]\nid = \"home\"\noutage_quorum = 1.5\n",
                  "plugwatch.toml: sites[0].outage_quorum: must be > 0 and ≤ 1 — it is the "
                  "fraction of probed devices that must be unreachable, e.g. 0.5"},
        ErrorCase{"ConfirmChecksZero", "[[sites]]\nid = \"home\"\nconfirm_checks = 0\n",
                  "plugwatch.toml: sites[0].confirm_checks: must be ≥ 1 — it counts consecutive "
                  "failed checks, e.g. 2"},
        ErrorCase{"UnknownTimezone", "[[sites]]\nid = \"home\"\ntimezone = \"Europe/Atlantis\"\n",
                  "plugwatch.toml: sites[0].timezone: unknown time zone 'Europe/Atlantis' (no "
                  "/usr/share/zoneinfo/Europe/Atlantis) — write an IANA name such as "
                  "\"Europe/Kyiv\", or install the tzdata package"},
        ErrorCase{"UnknownSiteLanguage", "[[sites]]\nid = \"home\"\nlanguage = \"de\"\n",
                  "plugwatch.toml: sites[0].language: 'de' has no notification texts — use one "
                  "of en, uk, ru, cs"},
        ErrorCase{"BadQuietHours", "[[sites]]\nid = \"home\"\nquiet_hours = \"22-8\"\n",
                  "plugwatch.toml: sites[0].quiet_hours: '22-8' is not a daily window — write "
                  "\"HH:MM-HH:MM\" in 24-hour local time, e.g. \"22:00-08:00\", or \"off\""},
        ErrorCase{"UnknownSinkLanguage",
                  "[[sinks]]\nname = \"a\"\nurl = \"console://\"\nlanguage = \"EN\"\n",
                  "plugwatch.toml: sinks[0].language: 'EN' has no notification texts — use one "
                  "of en, uk, ru, cs"},
        ErrorCase{"ConfirmChecksFloat", "[[sites]]\nid = \"home\"\nconfirm_checks = 2.0\n",
                  "plugwatch.toml: sites[0].confirm_checks: must be an integer"},
        ErrorCase{"DuplicateSite", "[[sites]]\nid = \"home\"\n[[sites]]\nid = \"home\"\n",
                  "plugwatch.toml: sites[1].id: 'home' is already used by sites[0] — give each "
                  "site its own id"},
        ErrorCase{"SitesAsTable", "[sites]\nid = \"home\"\n",
                  "plugwatch.toml: sites: must be an array of tables — write [[sites]] before "
                  "each entry"},
        ErrorCase{"StopAboveStart",
                  Dev("[devices.activity]\nstart_above_w = 5\nstop_below_w = 7.5"),
                  "plugwatch.toml: devices[0].activity.stop_below_w: must be ≤ start_above_w "
                  "(5 W) — a power between the two would both start and stop a cycle"},
        ErrorCase{"NegativePrice", Dev("[devices.activity]\nprice_per_kwh = -0.1"),
                  "plugwatch.toml: devices[0].activity.price_per_kwh: must be ≥ 0 — use 0 when "
                  "costs do not matter"},
        ErrorCase{"NotANumber", Dev("[devices.activity]\nstart_above_w = \"5\""),
                  "plugwatch.toml: devices[0].activity.start_above_w: must be a number"},
        ErrorCase{"InfiniteNumber", Dev("[devices.activity]\nstart_above_w = inf"),
                  "plugwatch.toml: devices[0].activity.start_above_w: must be a finite number"},
        ErrorCase{"ActivityNotATable", Dev("activity = 1"),
                  "plugwatch.toml: devices[0].activity: must be a table — write "
                  "[devices.activity] under the device, or activity = { … }"},
        ErrorCase{"ListenWithoutPort", "[server]\nlisten = \"localhost\"\n",
                  "plugwatch.toml: server.listen: 'localhost' is not HOST:PORT — write e.g. "
                  "\"127.0.0.1:8080\", \"0.0.0.0:8080\" or \"[::1]:8080\""},
        ErrorCase{"ListenBadPort", "[server]\nlisten = \"0.0.0.0:99999\"\n",
                  "plugwatch.toml: server.listen: '0.0.0.0:99999' is not HOST:PORT — write e.g. "
                  "\"127.0.0.1:8080\", \"0.0.0.0:8080\" or \"[::1]:8080\""},
        ErrorCase{"HeartbeatLabelEmpty", "[[heartbeats]]\nlabel = \"\"\n",
                  "plugwatch.toml: heartbeats[0].label: missing — name the power source the "
                  "client watches, e.g. \"POWER\""},
        ErrorCase{"HeartbeatLabelDuplicate",
                  "[[heartbeats]]\nlabel = \"POWER\"\n[[heartbeats]]\nlabel = \"POWER\"\n",
                  "plugwatch.toml: heartbeats[1].label: 'POWER' is already used by "
                  "heartbeats[0] — give each heartbeat its own label"},
        ErrorCase{"HeartbeatSiteNotDeclared",
                  "[[sites]]\nid = \"home\"\n[[heartbeats]]\nlabel = \"P\"\nsite = \"x\"\n",
                  "plugwatch.toml: heartbeats[0].site: unknown site 'x' — declare it in "
                  "[[sites]] or use one of: home"},
        ErrorCase{"SinkWithoutUrl", "[[sinks]]\nname = \"phone\"\n",
                  "plugwatch.toml: sinks[0].url: missing — e.g. \"ntfy://ntfy.sh/my-topic\" or "
                  "\"https://example.com/hook\""},
        ErrorCase{"SinkUnknownEvent",
                  "[[sinks]]\nname = \"p\"\nurl = \"x://y\"\nevents = [\"cycle_done\"]\n",
                  "plugwatch.toml: sinks[0].events[0]: unknown event 'cycle_done' — use "
                  "device_active, cycle_finished, device_offline, device_online, power_lost, "
                  "power_restored, switched_on or switched_off"},
        ErrorCase{"SinkEventNotString",
                  "[[sinks]]\nname = \"p\"\nurl = \"x://y\"\nevents = [\"power_lost\", 3]\n",
                  "plugwatch.toml: sinks[0].events[1]: must be a string"},
        ErrorCase{"TelegramWithoutToken", "[telegram]\nbot = true\n",
                  "plugwatch.toml: telegram.token: missing — create a bot with @BotFather and "
                  "write token = \"${TELEGRAM_TOKEN}\""},
        ErrorCase{"TelegramAdminNotInteger", "[telegram]\ntoken = \"t\"\nadmins = [\"me\"]\n",
                  "plugwatch.toml: telegram.admins[0]: must be an integer, e.g. 123456789"},
        ErrorCase{"UnsetEnv", "[telegram]\ntoken = \"${TELEGRAM_TOKEN}\"\n",
                  "plugwatch.toml: telegram.token: environment variable TELEGRAM_TOKEN is not "
                  "set — export it or write the value in the file"},
        ErrorCase{"UnterminatedEnv", "[server]\napi_token = \"${TOKEN\"\n",
                  "plugwatch.toml: server.api_token: '${' without a closing '}' — write "
                  "${NAME}, or $${ for a literal ${"},
        ErrorCase{"BadEnvName", "[server]\napi_token = \"${1X}\"\n",
                  "plugwatch.toml: server.api_token: '${1X}' is not a variable name — use "
                  "letters, digits and '_', or $${ for a literal ${"},
        ErrorCase{"BadLogLevel", "[log]\nlevel = \"verbose\"\n",
                  "plugwatch.toml: log.level: unknown level 'verbose' — use trace, debug, info, "
                  "warn, error or off"},
        ErrorCase{"BoolType", Dev("enabled = \"yes\""),
                  "plugwatch.toml: devices[0].enabled: must be true or false"},
        ErrorCase{"ServerNotATable", "server = \"x\"\n",
                  "plugwatch.toml: server: must be a table — write [server]"}),
    [](const auto& info) { return std::string(info.param.name); });

// The brief's own example: the second device polls too fast.
TEST(LoadErrors, PollIntervalBounds) {
  std::string two = Dev("") + "[[devices]]\nid = \"dryer\"\nkind = \"tapo\"\naddress = \"b\"\n";
  EXPECT_EQ(ErrorOf(two + "poll_interval = \"50ms\"\n"),
            "plugwatch.toml: devices[1].poll_interval: must be ≥ 100ms — polling faster "
            "overloads the plug");
  EXPECT_EQ(ErrorOf(two + "poll_interval = \"2h\"\n"),
            "plugwatch.toml: devices[1].poll_interval: must be ≤ 1h — a slower poll misses "
            "whole cycles; set enabled = false to stop polling");
  EXPECT_EQ(ErrorOf(two + "poll_interval = \"100ms\"\n"), "");
  EXPECT_EQ(ErrorOf(two + "poll_interval = \"1h\"\n"), "");
  EXPECT_EQ(ErrorOf("[defaults]\npoll_interval = \"99ms\"\n"),
            "plugwatch.toml: defaults.poll_interval: must be ≥ 100ms — polling faster overloads "
            "the plug");
}

TEST(LoadErrors, SyntaxErrorNamesLineAndColumn) {
  Result<Config> c = Load("[server]\nlisten = \"127.0.0.1:8080\"\napi_token = \n");
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().Is(Errc::kParse));
  EXPECT_THAT(c.error().context, StartsWith("plugwatch.toml:3:"));
  EXPECT_THAT(c.error().context, Not(HasSubstr("\n")));
}

TEST(LoadErrors, SyntaxErrorWordForWord) {
  Result<Config> c = Load("[server]\nlisten = \"open\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().context,
            "plugwatch.toml:2:15: Error while parsing string: unescaped control characters other "
            "than TAB (U+0009) are explicitly prohibited");
}

TEST(LoadErrors, SiteIsFreeWhenNoSitesAreDeclared) {
  Result<Config> c = Load(Dev("site = \"cabin\""));
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->devices[0].site, "cabin");
}

TEST(LoadErrors, OversizedTextIsRejectedBeforeParsing) {
  std::string big((1 << 20) + 1, '#');
  EXPECT_EQ(ErrorOf(big), "plugwatch.toml: larger than 1 MiB — is this the right file?");
}

TEST(Env, SubstitutesWholeAndPartialValues) {
  EnvLookup env = MapEnv({{"HOST", "10.0.0.7"}, {"PORT", "9090"}, {"EMPTY", ""}, {"T", "tok"}});
  Result<Config> c = Load(R"toml(
[server]
listen = "${HOST}:${PORT}"
api_token = "prefix-${T}${EMPTY}"
[[sinks]]
name = "s"
url = "ntfy://ntfy.sh/${T}"
devices = ["dev-${PORT}"]
)toml",
                          env);
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->server.listen, "10.0.0.7:9090");
  EXPECT_EQ(c->server.api_token, "prefix-tok");
  EXPECT_EQ(c->sinks[0].url, "ntfy://ntfy.sh/tok");
  EXPECT_EQ(c->sinks[0].devices, std::vector<std::string>{"dev-9090"});
}

TEST(Env, DollarDollarBraceIsALiteral) {
  Result<Config> c = Load("[server]\napi_token = \"a$${B}c$d$$e\"\n");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->server.api_token, "a${B}c$d$$e");
}

TEST(Env, SubstitutesDurations) {
  Result<Config> c = Load("[defaults]\npoll_interval = \"${POLL}\"\n", MapEnv({{"POLL", "2s"}}));
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->defaults.poll_interval, Duration(2000));
}

TEST(Env, ProcessEnvReadsTheEnvironment) {
  ::setenv("PLUGWATCH_CONFIG_TEST_VAR", "from-env", 1);
  EXPECT_EQ(ProcessEnv()("PLUGWATCH_CONFIG_TEST_VAR"), "from-env");
  ::unsetenv("PLUGWATCH_CONFIG_TEST_VAR");
  EXPECT_EQ(ProcessEnv()("PLUGWATCH_CONFIG_TEST_VAR"), std::nullopt);
}

TEST(Describe, MasksSecrets) {
  Result<Config> c = Load(kInterfaceExample, ExampleEnv());
  ASSERT_TRUE(c) << c.error().context;
  std::string text = Describe(*c);
  for (std::string_view secret :
       {"api-secret", "tapo-secret", "hb-secret", "tg-secret", "ntfy.sh/my-topic"})
    EXPECT_THAT(text, Not(HasSubstr(secret)));
  EXPECT_THAT(text, HasSubstr("api_token = \"********\"\n"));
  EXPECT_THAT(text, HasSubstr("password = \"********\"\n"));
  EXPECT_THAT(text, HasSubstr("url = \"********\"\n"));
  EXPECT_THAT(text, HasSubstr("username = \"me@example.com\"\n"));
}

TEST(Describe, EmptySecretStaysEmpty) {
  Result<Config> c = Load(kDevice);
  ASSERT_TRUE(c);
  std::string text = Describe(*c);
  EXPECT_THAT(text, HasSubstr("api_token = \"\"\n"));
  EXPECT_THAT(text, HasSubstr("password = \"\"\n"));
  EXPECT_THAT(text, HasSubstr("# poll_interval = \"5s\" (from [defaults])\n"));
}

TEST(Describe, RoundTripsWithSecretsMasked) {
  Result<Config> c = Load(kInterfaceExample, ExampleEnv());
  ASSERT_TRUE(c) << c.error().context;
  Result<Config> again = Load(Describe(*c));
  ASSERT_TRUE(again) << again.error().context << "\n" << Describe(*c);
  Config masked = *c;
  masked.server.api_token = "********";
  masked.devices[0].password = "********";
  masked.heartbeats[0].token = "********";
  masked.telegram->token = "********";
  masked.sinks[0].url = "********";
  ExpectSameConfig(*again, masked);
}

TEST(Describe, RoundTripsAwkwardValues) {
  Result<Config> c = Load(R"toml(
[storage]
path = "dir with \"quotes\" and \\ and $${literal}.db"
[[devices]]
id = "kettle"
name = "Kettle\ttab ünïcode \u0001"
kind = "http"
address = "[fe80::1]:80"
[devices.activity]
start_above_w = 1500.5
stop_below_w = 0.1
start_delay = "0s"
stop_delay = "1s500ms"
currency = "$"
[[devices]]
id = "tv"
kind = "tcp"
address = "tv.lan:8009"
poll_interval = "1h"
site = "flat"
[telegram]
token = "t"
channel = "-1001234567890"
admins = [1, -2, 9007199254740993]
)toml");
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->storage.path, "dir with \"quotes\" and \\ and ${literal}.db");
  Result<Config> again = Load(Describe(*c));
  ASSERT_TRUE(again) << again.error().context << "\n" << Describe(*c);
  Config masked = *c;
  masked.telegram->token = "********";
  ExpectSameConfig(*again, masked);
}

TEST(Describe, DefaultConfigRoundTrips) {
  Config c;
  c.source = "plugwatch.toml";
  Result<Config> again = Load(Describe(c));
  ASSERT_TRUE(again) << again.error().context << "\n" << Describe(c);
  ExpectSameConfig(*again, c);
}

TEST(Site, FindsDeclaredSiteOrFallsBackToDefault) {
  Config c;
  c.sites.push_back(SiteConfig{"cabin", "Europe/Kyiv", 0.75, 3});
  EXPECT_EQ(c.Site("cabin").outage_quorum, 0.75);
  EXPECT_EQ(c.Site("nowhere"), SiteConfig{});
  EXPECT_EQ(&c.Site("nowhere"), &Config().Site("elsewhere"));
}

TEST(ValidateDevice, PrefixesThePath) {
  DeviceSpec d{.id = "x", .kind = "zigbee", .address = "a"};
  EXPECT_EQ(ValidateDevice(d, "devices[2]").error().context,
            "devices[2].kind: unknown kind 'zigbee' — use tapo, http or tcp");
  EXPECT_EQ(ValidateDevice(d, "").error().context,
            "kind: unknown kind 'zigbee' — use tapo, http or tcp");
  EXPECT_TRUE(ValidateDevice(d, "").error().Is(Errc::kInvalidArgument));
  d.kind = "tapo";
  EXPECT_TRUE(ValidateDevice(d, "devices[2]"));
  d.activity = ActivitySettings{.start_delay = Duration(-1)};
  EXPECT_EQ(ValidateDevice(d, "").error().context,
            "activity.start_delay: must not be negative — use 0s to start at once");
}

TEST(FillDeviceDefaults, NameBecomesId) {
  DeviceSpec d{.id = "fridge"};
  FillDeviceDefaults(d);
  EXPECT_EQ(d.name, "fridge");
  d.name = "Fridge";
  FillDeviceDefaults(d);
  EXPECT_EQ(d.name, "Fridge");
}

TEST(Validate, ChecksConfigsBuiltInCode) {
  Config c;
  EXPECT_TRUE(Validate(c));
  c.heartbeats.push_back(HeartbeatConfig{.label = "POWER", .period = Duration(500)});
  EXPECT_EQ(Validate(c).error().context,
            "heartbeats[0].period: must be ≥ 1s — a faster client only adds load; the grace "
            "decides how soon a loss is noticed");
}

TEST(Docs, AnnotatedExampleLoads) {
  std::ifstream in(std::string(PLUGWATCH_DOCS_DIR) + "/config.md");
  std::stringstream doc;
  doc << in.rdbuf();
  std::string text = doc.str();
  size_t start = text.find("## Annotated example");
  ASSERT_NE(start, std::string::npos);
  start = text.find("```toml\n", start);
  ASSERT_NE(start, std::string::npos);
  start += 8;
  size_t end = text.find("```", start);
  ASSERT_NE(end, std::string::npos);
  EnvLookup any = [](std::string_view name) { return std::optional<std::string>(name); };
  Result<Config> c = Load(text.substr(start, end - start), any);
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->devices.size(), 3u);
}

class LoadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("plugwatch_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "etc");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(std::string_view text) {
    std::filesystem::path p = dir_ / "etc" / "plugwatch.toml";
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(LoadFileTest, ResolvesRelativeStoragePathAgainstTheFile) {
  std::string path = Write("[storage]\npath = \"../data/pw.db\"\n");
  Result<Config> c = LoadFile(path, MapEnv({}));
  ASSERT_TRUE(c) << c.error().context;
  EXPECT_EQ(c->source, path);
  EXPECT_EQ(c->storage.path, (dir_ / "data" / "pw.db").string());
}

TEST_F(LoadFileTest, KeepsAbsoluteAndSpecialStoragePaths) {
  EXPECT_EQ(LoadFile(Write("[storage]\npath = \"/srv/pw.db\"\n"), MapEnv({}))->storage.path,
            "/srv/pw.db");
  EXPECT_EQ(LoadFile(Write("[storage]\npath = \":memory:\"\n"), MapEnv({}))->storage.path,
            ":memory:");
}

TEST_F(LoadFileTest, LoadStringLeavesRelativePathAlone) {
  EXPECT_EQ(Load("[storage]\npath = \"pw.db\"\n")->storage.path, "pw.db");
}

TEST_F(LoadFileTest, ErrorsNameTheFile) {
  std::string path = Write("[server]\nlisten = 1\n");
  EXPECT_EQ(LoadFile(path, MapEnv({})).error().context, path + ": server.listen: must be a string");
}

TEST_F(LoadFileTest, MissingFileIsAnIoError) {
  std::string path = (dir_ / "nope.toml").string();
  Result<Config> c = LoadFile(path, MapEnv({}));
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().Is(Errc::kIo));
  EXPECT_EQ(c.error().context, path +
                                   ": cannot read: No such file or directory — check the "
                                   "path and its permissions, or pass -c FILE");
}

TEST_F(LoadFileTest, DirectoryIsAnIoError) {
  Result<Config> c = LoadFile(dir_.string(), MapEnv({}));
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().Is(Errc::kIo));
}

}  // namespace
}  // namespace plugwatch::config
