// plugwatch demo: the service on emulated appliances, with compressed time.
#include <fmt/format.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include "plugwatch/cli/command.h"
#include "plugwatch/cli/run_service.h"
#include "plugwatch/core/log.h"
#include "plugwatch/core/time.h"
#include "plugwatch/heartbeat_client/heartbeat_client.h"
#include "plugwatch/net/host_port.h"
#include "plugwatch/sim/http_fleet.h"
#include "plugwatch/sim/tapo_fleet.h"

namespace plugwatch::cli {
namespace {

struct Appliance {
  const char* id;
  const char* name;
  const char* profile;
  double start_above_w;
  Duration start_delay;
  Duration stop_delay;
};

// Real-world settings; the demo divides the delays by --speed like the
// emulator compresses the appliances' programmes.
constexpr Appliance kAppliances[] = {
    {"washer", "Washing machine", "washer", 5, Duration(10'000), Duration(180'000)},
    {"dryer", "Tumble dryer", "dryer", 5, Duration(10'000), Duration(180'000)},
    {"kettle", "Kettle", "kettle", 100, Duration(0), Duration(10'000)},
    {"fridge", "Fridge", "fridge", 20, Duration(30'000), Duration(120'000)},
};

Duration Scale(Duration d, double speed) {
  return Duration(static_cast<long long>(std::llround(static_cast<double>(d.count()) / speed)));
}

// Network devices probed for the site's outage quorum (sim::HttpFleet).
struct Probe {
  const char* id;
  const char* name;
  const char* kind;
};
constexpr Probe kProbes[] = {
    {"router", "Router", "http"}, {"nas", "NAS", "tcp"}, {"access-point", "Access point", "http"}};
constexpr const char* kLabel = "POWER";
constexpr const char* kHeartbeatToken = "demo-heartbeat-token";
constexpr Duration kHeartbeatPeriod{2000};

// The emulated box on the mains that sends heartbeats, and the power cuts
// the demo stages: every `every`, for `length`, the box goes dark and two of
// the three probed devices leave the network; then everything comes back.
// The plugs stay on (as if on a UPS) so their cycles go on.
class PowerCuts {
 public:
  PowerCuts(boost::asio::io_context& io, sim::HttpFleet& probes, const Clock& clock, Duration every,
            Duration length)
      : io_(io), probes_(probes), clock_(clock), every_(every), length_(length), timer_(io) {}

  void Start(std::uint16_t api_port) {
    auto url = net::ParseHttpUrl(fmt::format("http://127.0.0.1:{}", api_port));
    if (!url) return;
    options_.url = heartbeat_client::HeartbeatUrl(*url);
    options_.label = kLabel;
    options_.token = kHeartbeatToken;
    options_.interval = kHeartbeatPeriod;
    StartBox();
    if (every_ > Duration::zero()) Schedule(every_, true);
  }

 private:
  void StartBox() {
    box_ =
        std::make_shared<heartbeat_client::HeartbeatClient>(io_.get_executor(), options_, clock_);
    boost::asio::co_spawn(io_, RunBox(box_), boost::asio::detached);
  }

  static boost::asio::awaitable<void> RunBox(
      std::shared_ptr<heartbeat_client::HeartbeatClient> box) {
    co_await box->Run();
  }

  void Schedule(Duration after, bool cut) {
    timer_.expires_after(after);
    timer_.async_wait([this, cut](const boost::system::error_code& ec) {
      if (ec) return;
      if (cut) {
        box_->Stop();
        for (std::size_t i = 0; i < 2; ++i) (void)probes_.SetUp(i, false);
        Schedule(length_, false);
      } else {
        for (std::size_t i = 0; i < 2; ++i) (void)probes_.SetUp(i, true);
        StartBox();
        Schedule(every_ - length_, true);
      }
    });
  }

  boost::asio::io_context& io_;
  sim::HttpFleet& probes_;
  const Clock& clock_;
  Duration every_, length_;
  boost::asio::steady_timer timer_;
  heartbeat_client::HeartbeatOptions options_;
  std::shared_ptr<heartbeat_client::HeartbeatClient> box_;
};

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "demo", "run plugwatch on emulated appliances (washer, dryer, kettle, fridge)");
  struct Args {
    std::string listen = "127.0.0.1:8080", data = "plugwatch-demo";
    double speed = 60;
    Duration cut_every{180'000}, cut_length{30'000};
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--listen", a->listen, "HOST:PORT of the web dashboard and API")
      ->capture_default_str();
  cmd->add_option("--data", a->data, "directory for the demo's database")->capture_default_str();
  cmd->add_option("--speed", a->speed, "time compression: 60 makes a 1-hour wash take a minute")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  cmd->add_option_function<std::string>(
         "--power-cut-every",
         [a](const std::string& v) {
           auto d = ParseDuration(v);
           if (!d) throw CLI::ValidationError("--power-cut-every", d.error().context);
           a->cut_every = *d;
         },
         "stage a power cut this often (the heartbeat box goes dark, 2 of 3 probed devices "
         "leave the network for 30 s); 0 = never")
      ->default_str("3m");
  cmd->callback([&ctx, a] {
    if (mkdir(a->data.c_str(), 0700) != 0 && errno != EEXIST)
      throw Exit{kExitFailure, fmt::format("cannot create --data directory '{}': {} — choose "
                                           "another directory",
                                           a->data, std::strerror(errno))};
    boost::asio::io_context io(1);
    SystemClock clock;
    const std::string user = "demo@plugwatch.local", pass = "demo";
    std::vector<std::unique_ptr<sim::TapoFleet>> fleets;

    config::Config cfg;
    cfg.source = "<demo>";
    cfg.storage.path = a->data + "/plugwatch.db";
    cfg.server.listen = a->listen;
    cfg.defaults.poll_interval = Duration(500);
    cfg.sites.push_back(config::SiteConfig{});
    for (const Appliance& ap : kAppliances) {
      auto profile = sim::Profile::Make(ap.profile, 0);
      if (!profile) Throw(profile.error());
      sim::TapoFleetOptions o;
      o.count = 1;
      o.device.username = user;
      o.device.password = pass;
      o.device.profile = *profile;
      o.device.speed = a->speed;
      o.device.nickname = ap.name;
      o.device.index = static_cast<std::uint32_t>(fleets.size());
      auto fleet = sim::TapoFleet::Start(io.get_executor(), o, clock);
      if (!fleet) Throw(fleet.error());
      DeviceSpec d;
      d.id = ap.id;
      d.name = ap.name;
      d.kind = "tapo";
      d.address = fmt::format("127.0.0.1:{}", (*fleet)->port(0));
      d.username = user;
      d.password = pass;
      d.in_quorum = false;  // the plugs ride out the staged power cuts (a UPS)
      d.activity = ActivitySettings{ap.start_above_w,
                                    Scale(ap.start_delay, a->speed),
                                    2.0,
                                    Scale(ap.stop_delay, a->speed),
                                    0.25,
                                    "€"};
      cfg.devices.push_back(d);
      fleets.push_back(std::move(*fleet));
    }
    auto probes =
        sim::HttpFleet::Start(io.get_executor(), {.count = static_cast<int>(std::size(kProbes))});
    if (!probes) Throw(probes.error());
    for (std::size_t i = 0; i < std::size(kProbes); ++i) {
      DeviceSpec d;
      d.id = kProbes[i].id;
      d.name = kProbes[i].name;
      d.kind = kProbes[i].kind;
      d.address = fmt::format("127.0.0.1:{}", (*probes)->port(i));
      cfg.devices.push_back(d);
    }
    config::HeartbeatConfig hb;
    hb.label = kLabel;
    hb.token = kHeartbeatToken;
    hb.period = kHeartbeatPeriod;
    hb.grace = Duration(3000);
    cfg.heartbeats.push_back(hb);
    if (a->cut_every > Duration::zero() && a->cut_every <= a->cut_length)
      throw Exit{kExitUsage, "--power-cut-every must be longer than the 30 s cut, or 0"};
    PowerCuts cuts(io, **probes, clock, a->cut_every, a->cut_length);
    if (auto v = config::Validate(cfg); !v) Throw(v.error());

    ctx.exit_code = RunWithApi(io, cfg, engine::ServiceOptions{}, [&](std::uint16_t api_port) {
      fmt::print(
          "plugwatch demo: {} emulated plugs at {}× speed (a washer cycle takes about {} s)\n",
          fleets.size(), a->speed, static_cast<int>(3600 / a->speed));
      for (const auto& d : cfg.devices)
        fmt::print("  {:<12} {:<16} {} at {}\n", d.id, d.name, d.kind, d.address);
      fmt::print("  heartbeat {} from an emulated box every {}; ", kLabel,
                 FormatDuration(kHeartbeatPeriod));
      if (a->cut_every > Duration::zero())
        fmt::print("a power cut every {} for {}\n", FormatDuration(a->cut_every),
                   FormatDuration(a->cut_length));
      else
        fmt::print("no power cuts\n");
      cuts.Start(api_port);
      fmt::print("database: {}  (try: plugwatch events --db {})\n", cfg.storage.path,
                 cfg.storage.path);
      auto hp = net::ParseHostPort(a->listen, 8080);
      fmt::print(
          "REST API: http://{}/api/devices — events print below as they happen. "
          "Ctrl-C stops.\n",
          net::HostPort{hp ? hp->host : "127.0.0.1", api_port}.ToString());
      std::fflush(stdout);
    });
  });
}

}  // namespace plugwatch::cli
