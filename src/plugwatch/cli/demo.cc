// plugwatch demo: the service on emulated appliances, with compressed time.
#include <fmt/format.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <cmath>

#include "plugwatch/cli/command.h"
#include "plugwatch/cli/run_service.h"
#include "plugwatch/core/log.h"
#include "plugwatch/net/host_port.h"
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

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "demo", "run plugwatch on emulated appliances (washer, dryer, kettle, fridge)");
  struct Args {
    std::string listen = "127.0.0.1:8080", data = "plugwatch-demo";
    double speed = 60;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--listen", a->listen, "HOST:PORT of the web dashboard and API")
      ->capture_default_str();
  cmd->add_option("--data", a->data, "directory for the demo's database")->capture_default_str();
  cmd->add_option("--speed", a->speed, "time compression: 60 makes a 1-hour wash take a minute")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
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
      d.activity = ActivitySettings{ap.start_above_w,
                                    Scale(ap.start_delay, a->speed),
                                    2.0,
                                    Scale(ap.stop_delay, a->speed),
                                    0.25,
                                    "€"};
      cfg.devices.push_back(d);
      fleets.push_back(std::move(*fleet));
    }
    if (auto v = config::Validate(cfg); !v) Throw(v.error());

    ctx.exit_code = RunWithApi(io, cfg, engine::ServiceOptions{}, [&](std::uint16_t api_port) {
      fmt::print(
          "plugwatch demo: {} emulated plugs at {}× speed (a washer cycle takes about {} s)\n",
          fleets.size(), a->speed, static_cast<int>(3600 / a->speed));
      for (const auto& d : cfg.devices)
        fmt::print("  {:<8} {:<16} tapo at {}\n", d.id, d.name, d.address);
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
