// plugwatch sim tapo: emulated Tapo P110 plugs for demos, tests and benchmarks.
// plugwatch sim http: emulated network devices, targets of reachability probes.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/time.h"
#include "plugwatch/net/host_port.h"
#include "plugwatch/sim/control_api.h"
#include "plugwatch/sim/http_fleet.h"
#include "plugwatch/sim/tapo_fleet.h"

namespace plugwatch::cli {
namespace {

namespace asio = boost::asio;

void RegisterSimTapo(CLI::App& sim, Context& ctx) {
  auto* cmd = sim.add_subcommand("tapo", "run N emulated Tapo P110 plugs on consecutive ports");
  struct Args {
    std::string listen = "127.0.0.1:9999", control;
    int count = 1;
    std::string username = "user@example.com", password = "secret";
    std::string profile = "constant", protocol = "klap";
    double watts = 100, speed = 1;
    unsigned long long expire_after = 0;
    double fault_timeout = 0, fault_garbage = 0, fault_500 = 0;
    bool relay_off = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--listen", a->listen, "HOST:PORT of the first plug")->capture_default_str();
  cmd->add_option("--count", a->count, "number of plugs, on consecutive ports")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--username", a->username, "Tapo account e-mail the plugs accept")
      ->capture_default_str();
  cmd->add_option("--password", a->password, "Tapo account password the plugs accept")
      ->capture_default_str();
  cmd->add_option("--profile", a->profile, "washer | dryer | kettle | fridge | constant")
      ->capture_default_str();
  cmd->add_option("--watts", a->watts, "power of the constant profile")->capture_default_str();
  cmd->add_option("--speed", a->speed, "time compression of the profile (60 = an hour a minute)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--protocol", a->protocol, "klap | passthrough")->capture_default_str();
  cmd->add_option("--expire-after", a->expire_after,
                  "answer 403 after this many requests on a session (0 = never)");
  cmd->add_option("--fault-timeout", a->fault_timeout, "probability of never answering a request")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--fault-garbage", a->fault_garbage, "probability of answering garbage")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--fault-500", a->fault_500, "probability of answering HTTP 500")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--relay-off", a->relay_off, "start with the relay off");
  cmd->add_option("--control", a->control,
                  "HOST:PORT for the control API (GET /devices, POST /devices/N/relay|down|up)");
  cmd->callback([&ctx, a] {
    auto hp = net::ParseHostPort(a->listen, 9999);
    if (!hp) throw Exit{kExitUsage, "--listen: " + hp.error().context};
    auto profile = sim::Profile::Make(a->profile, a->watts);
    if (!profile) throw Exit{kExitUsage, "--profile: " + profile.error().context};
    sim::TapoFleetOptions o;
    o.host = hp->host;
    o.base_port = hp->port;
    o.count = a->count;
    o.device.username = a->username;
    o.device.password = a->password;
    o.device.profile = *profile;
    o.device.speed = a->speed;
    o.device.relay_on = !a->relay_off;
    o.device.expire_after_requests = a->expire_after;
    o.device.faults = {a->fault_timeout, a->fault_garbage, a->fault_500};
    if (a->protocol == "klap")
      o.device.protocol = sim::TapoProtocol::kKlap;
    else if (a->protocol == "passthrough")
      o.device.protocol = sim::TapoProtocol::kPassthrough;
    else
      throw Exit{kExitUsage,
                 fmt::format("--protocol: '{}' is not klap or passthrough", a->protocol)};

    asio::io_context io(1);
    SystemClock clock;
    auto fleet = sim::TapoFleet::Start(io.get_executor(), o, clock);
    if (!fleet) Throw(fleet.error());
    std::unique_ptr<sim::ControlApi> control;
    if (!a->control.empty()) {
      auto chp = net::ParseHostPort(a->control, 0);
      if (!chp) throw Exit{kExitUsage, "--control: " + chp.error().context};
      control = std::make_unique<sim::ControlApi>(io.get_executor(), **fleet);
      auto port = control->Listen(chp->host, chp->port);
      if (!port) Throw(port.error());
      fmt::print("control API on http://{}\n", net::HostPort{chp->host, *port}.ToString());
    }
    const auto first = (*fleet)->port(0), last = (*fleet)->port((*fleet)->size() - 1);
    fmt::print("emulating {} Tapo P110 plug(s) ({}, profile {}) on {}:{}{}\n", a->count,
               a->protocol, a->profile, hp->host, first,
               a->count > 1 ? fmt::format("-{}", last) : "");
    std::fflush(stdout);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      if (control) control->Stop();
      (*fleet)->Stop();
      io.stop();
    });
    io.run();
    ctx.exit_code = kExitOk;
  });
}

void RegisterSimHttp(CLI::App& sim, Context& ctx) {
  auto* cmd = sim.add_subcommand(
      "http", "run N emulated network devices (targets of http and tcp reachability probes)");
  struct Args {
    std::string listen = "127.0.0.1:9080", control;
    int count = 1;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--listen", a->listen,
                  "HOST:PORT of the first device; port 0 picks a free port (only with --count 1)")
      ->capture_default_str();
  cmd->add_option("--count", a->count, "number of devices, on consecutive ports")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--control", a->control,
                  "HOST:PORT for the control API (GET /devices, POST /devices/N/down|up|fault)");
  cmd->footer(R"(
Each device answers any HTTP request like a small embedded web server:
/status/<code> with that status (200..599), /missing with 404, anything else
with 200 and a one-line body. Any answer counts as reachable for a probe.
POST /devices/N/down on the control API closes device N's listener and drops
its connections (http and tcp probes then get "connection refused");
POST /devices/N/up listens again on the same port; POST /devices/N/fault
{"mode": "hang"|"garbage"|"http500"|"none"} changes how it answers.)");
  cmd->callback([&ctx, a] {
    auto hp = net::ParseHostPort(a->listen, 9080);
    if (!hp) throw Exit{kExitUsage, "--listen: " + hp.error().context};
    if (hp->port == 0 && a->count > 1)
      throw Exit{kExitUsage,
                 "--listen: port 0 picks one free port, but the devices need consecutive ports "
                 "— give a base port (e.g. 127.0.0.1:9080) or use --count 1"};
    sim::HttpFleetOptions o;
    o.host = hp->host;
    o.base_port = hp->port;
    o.count = a->count;

    asio::io_context io(1);
    auto fleet = sim::HttpFleet::Start(io.get_executor(), o);
    if (!fleet) Throw(fleet.error());
    std::unique_ptr<sim::ControlApi> control;
    if (!a->control.empty()) {
      auto chp = net::ParseHostPort(a->control, 0);
      if (!chp) throw Exit{kExitUsage, "--control: " + chp.error().context};
      control = std::make_unique<sim::ControlApi>(io.get_executor(), **fleet);
      auto port = control->Listen(chp->host, chp->port);
      if (!port) Throw(port.error());
      fmt::print("control API on http://{}\n", net::HostPort{chp->host, *port}.ToString());
    }
    const auto first = (*fleet)->port(0), last = (*fleet)->port((*fleet)->size() - 1);
    fmt::print("emulating {} HTTP device(s) on {}{}\n", a->count,
               net::HostPort{hp->host, first}.ToString(),
               a->count > 1 ? fmt::format("-{}", last) : "");
    std::fflush(stdout);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      if (control) control->Stop();
      (*fleet)->Stop();
      io.stop();
    });
    io.run();
    ctx.exit_code = kExitOk;
  });
}

}  // namespace

void RegisterSim(CLI::App& app, Context& ctx) {
  auto* sim = app.add_subcommand("sim", "run device emulators");
  sim->require_subcommand(1);
  RegisterSimTapo(*sim, ctx);
  RegisterSimHttp(*sim, ctx);
}

}  // namespace plugwatch::cli
