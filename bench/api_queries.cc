// plugwatch_bench_api: the two history/status targets of QUALITY.md, through
// the real HTTP API of a real Service on a real SQLite file.
//
//   GET /api/status with --devices monitored devices (default 10,000) ≤ 10 ms
//   a one-year chart of one plug, GET /api/readings?hours=8784&points=1000,
//   on a year of readings every 10 s, after cleanup (raw kept 7 days, minute
//   rollups 90 days, hourly forever) ≤ 50 ms
//
// The devices are TCP probes of 127.0.0.1:9 polled once an hour, so the
// service carries their full state while the machine stays quiet. The year
// of readings is written through Store::RecordReading, as the service would.
// Each figure is the latency seen by an HTTP client on another thread (µs):
// median, p90, p99, max over --requests requests after 5 warm-up requests.
//
//   plugwatch_bench_api [--devices 10000] [--requests 200] [--days 366] [--json]
#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <filesystem>
#include <future>
#include <thread>

#include "bench/bench_util.h"
#include "plugwatch/api/api_server.h"
#include "plugwatch/core/log.h"
#include "plugwatch/engine/service.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::bench {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

struct Args {
  int devices = 10'000;
  int requests = 200;
  int days = 366;
  bool json = false;
};

[[noreturn]] void ApiUsage(std::string_view prog, std::string_view msg) {
  fmt::print(stderr, "{}: {}\n", prog, msg);
  fmt::print(stderr,
             "usage: {} [--devices 10000] [--requests 200] [--days 366] [--json]\n"
             "  times GET /api/status with --devices devices and a one-year chart of one plug\n"
             "  with --days of history (bench/README.md, \"History and status queries\")\n",
             prog);
  std::exit(msg == "help" ? 0 : 2);
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view f = argv[i];
    auto value = [&]() -> int {
      if (i + 1 >= argc) ApiUsage(argv[0], fmt::format("{} needs a value", f));
      const std::string_view v = argv[++i];
      int n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size() || n <= 0)
        ApiUsage(argv[0], fmt::format("{}: '{}' is not a positive whole number", f, v));
      return n;
    };
    if (f == "--devices")
      a.devices = value();
    else if (f == "--requests")
      a.requests = value();
    else if (f == "--days")
      a.days = value();
    else if (f == "--json")
      a.json = true;
    else if (f == "-h" || f == "--help")
      ApiUsage(argv[0], "help");
    else
      ApiUsage(argv[0], fmt::format("unknown option {}", f));
  }
  return a;
}

void Check(const Result<void>& r, std::string_view what) {
  if (!r) {
    fmt::print(stderr, "{}: {}\n", what, r.error().message());
    std::exit(1);
  }
}

// Times `n` GETs of `target` (after 5 unmeasured ones) from a client thread.
Histogram TimeGets(std::uint16_t port, const std::string& target, int n, std::size_t* bytes) {
  asio::io_context io(1);
  Histogram h;
  net::HttpClient client(io.get_executor(), "127.0.0.1", port, {.max_body = 64 << 20});
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        net::HttpRequest req;
        req.target = target;
        for (int i = 0; i < n + 5; ++i) {
          const auto t0 = MonoNs();
          auto res = co_await client.Send(req, Duration(30'000));
          const auto us = (MonoNs() - t0) / 1000;
          if (!res || res->status != 200) {
            fmt::print(
                stderr, "GET {} failed: {}\n", target,
                res ? fmt::format("HTTP {} {}", res->status, res->body) : res.error().message());
            std::exit(1);
          }
          *bytes = res->body.size();
          if (i >= 5) h.Add(static_cast<std::uint64_t>(us));
        }
      },
      asio::detached);
  io.run();
  return h;
}

void Report(const Args& a, std::string_view name, const Histogram& h, double target_ms,
            std::size_t bytes) {
  const double p50 = h.Quantile(0.5) / 1000.0, p99 = h.Quantile(0.99) / 1000.0;
  if (a.json) {
    fmt::print(R"({{"bench":"{}","requests":{},"p50_ms":{:.3f},"p90_ms":{:.3f},"p99_ms":{:.3f},)"
               R"("max_ms":{:.3f},"target_ms":{},"bytes":{}}})"
               "\n",
               name, h.count(), p50, h.Quantile(0.9) / 1000.0, p99, h.max() / 1000.0, target_ms,
               bytes);
    return;
  }
  fmt::print("| {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | ≤ {} | {} |\n", name, h.count(), p50,
             h.Quantile(0.9) / 1000.0, p99, h.max() / 1000.0, target_ms, bytes);
}

int Main(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  log::Init("error");  // the probes of a closed port would warn once an hour each
  RaiseFdLimit();
  const fs::path dir = fs::temp_directory_path() / fmt::format("plugwatch-bench-api-{}", getpid());
  fs::create_directories(dir);
  const std::string db = (dir / "plugwatch.db").string();
  SystemClock clock;
  const TimePoint now = clock.Now();

  {
    auto store = store::OpenSqlite(db);
    if (!store) Check(Fail(store.error()), "open");
    fmt::print(stderr, "adding {} devices …\n", a.devices);
    for (int i = 0; i < a.devices; ++i) {
      DeviceSpec d;
      d.id = fmt::format("probe-{:05}", i);
      d.kind = "tcp";
      d.address = "127.0.0.1:9";
      d.poll_interval = Duration(3'600'000);
      d.in_quorum = false;
      Check((*store)->AddDevice(d, "cli"), "add device");
    }
    DeviceSpec plug;  // the plug whose history is charted; never polled here
    plug.id = "plug";
    plug.kind = "tapo";
    plug.address = "127.0.0.1:9";
    plug.enabled = false;
    Check((*store)->AddDevice(plug, "cli"), "add plug");
    fmt::print(stderr, "writing {} days of readings every 10 s for one plug …\n", a.days);
    const TimePoint start = now - Duration(static_cast<long long>(a.days) * 86'400'000);
    double wh = 0;
    long long n = 0;
    for (TimePoint t = start; t < now; t += Duration(10'000), ++n) {
      Reading r;
      r.device = "plug";
      r.at = t;
      r.reachable = true;
      r.power_w = 50.0 + 40.0 * ((n / 360) % 2);  // alternates every hour
      r.relay_on = true;
      wh += *r.power_w * 10.0 / 3600.0;
      (*store)->RecordReading(r, wh);
    }
    Check((*store)->Flush(), "flush");
    fmt::print(stderr, "{} readings written; cleanup …\n", n);
    auto c = (*store)->Cleanup(now, Duration(7LL * 86'400'000), Duration(90LL * 86'400'000));
    if (!c) Check(Fail(c.error()), "cleanup");
  }
  fmt::print(stderr, "database: {:.1f} MB\n", fs::file_size(db) / 1e6);

  config::Config cfg;
  cfg.storage.path = db;
  auto store = store::OpenSqlite(db);
  if (!store) Check(Fail(store.error()), "open");
  asio::io_context io(1);
  engine::ServiceOptions opts;
  opts.print_events = false;
  engine::Service service(io, cfg, std::move(*store), clock, opts);
  Check(service.Start(), "start");
  api::ApiServer server(io.get_executor(), api::ApiContext{service, clock, ""});
  auto port = server.Listen("127.0.0.1:0");
  if (!port) Check(Fail(port.error()), "listen");
  std::thread loop([&] { io.run(); });

  if (!a.json) {
    fmt::print("| request | n | p50 ms | p90 ms | p99 ms | max ms | target ms | body bytes |\n");
    fmt::print("|---|---|---|---|---|---|---|---|\n");
  }
  std::size_t bytes = 0;
  auto status = TimeGets(*port, "/api/status", a.requests, &bytes);
  Report(a, fmt::format("GET /api/status, {} devices", a.devices), status, 10, bytes);
  const std::string chart =
      fmt::format("/api/readings?device=plug&hours={}&points=1000", a.days * 24);
  auto year = TimeGets(*port, chart, a.requests, &bytes);
  Report(a, fmt::format("GET {} ({} days)", chart, a.days), year, 50, bytes);

  asio::post(io, [&] {
    server.Stop();
    service.Shutdown();
    io.stop();
  });
  loop.join();
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace plugwatch::bench

int main(int argc, char** argv) { return plugwatch::bench::Main(argc, argv); }
