// plugwatch_bench_poll_fanout: the polling fan-out of QUALITY.md. N Tapo P110
// drivers (KLAP, keep-alive; the same DeviceSpec → devices::MakeDriver path
// the service uses) polled by the service's engine::Poller on ONE io_context
// thread, against an emulator fleet that runs in another process
// (`plugwatch sim tapo`, started by bench/run.sh), so only the client's CPU is
// counted.
//
// Phases: drivers are built and added (first polls spread over one interval,
// each doing connect + KLAP handshake), then --warmup seconds, then
// --seconds of measurement. Reported over the measurement window only:
// completed polls, failures and late polls (PollerStats deltas), CPU time of
// the polling thread per poll and as % of one core, poll latency
// p50/p90/p99/max in µs, and VmRSS, anonymous RSS and heap in use before the
// drivers were built vs after warm-up (→ bytes per device).
//
// Latency: each driver is wrapped in a thin Driver that times Poll() with
// steady_clock in µs (Reading.latency is whole milliseconds, too coarse for a
// 5 ms p99). --raw drops the wrapper and histograms Reading.latency instead
// (to check that the wrapper does not change the CPU figure).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/log.h"
#include "plugwatch/devices/driver.h"
#include "plugwatch/engine/poller.h"

namespace plugwatch::bench {
namespace {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

struct Window {
  bool measuring = false;
  Histogram latency;
  long long polls = 0;  // completed in the window (Reading callback)
};

// Times Poll() of the wrapped driver in µs; everything else is forwarded.
class TimedDriver final : public devices::Driver {
 public:
  TimedDriver(std::unique_ptr<devices::Driver> inner, Window& w)
      : inner_(std::move(inner)), w_(w) {}

  asio::awaitable<Result<Reading>> Poll() override {
    const auto t0 = Steady::now();
    auto r = co_await inner_->Poll();
    if (w_.measuring) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t0);
      w_.latency.Add(static_cast<std::uint64_t>(us.count()));
    }
    co_return r;
  }
  asio::awaitable<Result<void>> Switch(bool on) override {
    auto r = co_await inner_->Switch(on);
    co_return r;
  }
  asio::awaitable<Result<boost::json::object>> Info() override {
    auto r = co_await inner_->Info();
    co_return r;
  }
  std::string Describe() const override { return inner_->Describe(); }
  devices::Health health() const override { return inner_->health(); }
  const DeviceSpec& spec() const override { return inner_->spec(); }

 private:
  std::unique_ptr<devices::Driver> inner_;
  Window& w_;
};

int Main(int argc, char** argv) {
  const CommonArgs args = ParseArgs(argc, argv);
  log::Init("error");  // a warning per failed device would distort the CPU figure
  Report rep;
  rep.client = "plugwatch";
  rep.plugs = args.plugs;
  rep.interval_ms = args.interval_ms;
  rep.fd_limit = RaiseFdLimit();
  if (rep.fd_limit >= 0 && rep.fd_limit < args.plugs + 64) {
    fmt::print(stderr,
               "poll_fanout: {} plugs need about {} file descriptors; the limit is {} "
               "(hard limit reached)\n",
               args.plugs, args.plugs + 64, rep.fd_limit);
    return 1;
  }

  asio::io_context io(1);  // as `plugwatch serve` (one thread, no locking)
  SystemClock clock;
  Window window;
  engine::Poller poller(io.get_executor(), clock, [&](const Reading& r) {
    if (!window.measuring) return;
    ++window.polls;
    if (args.raw) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(r.latency);
      window.latency.Add(static_cast<std::uint64_t>(us.count()));
    }
  });

  rep.rss_before = RssBytes();
  rep.anon_before = RssAnonBytes();
  rep.heap_before = HeapBytes();
  devices::DriverContext ctx{io.get_executor(), Duration(args.timeout_ms), &clock};
  for (int i = 0; i < args.plugs; ++i) {
    DeviceSpec spec;
    spec.id = fmt::format("plug-{}", i);
    spec.kind = "tapo";
    spec.address = fmt::format("{}:{}", args.host, args.base_port + i);
    spec.username = args.user;
    spec.password = args.password;
    spec.protocol = "klap";  // the fleet speaks KLAP: no transport probe
    auto driver = devices::MakeDriver(spec, ctx);
    if (!driver) {
      fmt::print(stderr, "poll_fanout: {}\n", driver.error().context);
      return 1;
    }
    if (args.raw)
      poller.Add(std::move(*driver), Duration(args.interval_ms));
    else
      poller.Add(std::make_unique<TimedDriver>(std::move(*driver), window),
                 Duration(args.interval_ms));
  }

  // Phase changes run on the polling thread itself, so the thread CPU clock
  // read there is the polling thread's.
  engine::PollerStats at_start;
  std::int64_t cpu0 = 0, pcpu0 = 0, mono0 = 0;
  asio::steady_timer phase(io);
  phase.expires_after(std::chrono::milliseconds(static_cast<long long>(args.warmup * 1000)));
  phase.async_wait([&](const boost::system::error_code&) {
    rep.rss_after = RssBytes();
    rep.anon_after = RssAnonBytes();
    rep.heap_after = HeapBytes();
    at_start = poller.stats();
    rep.warmup_polls = at_start.polls;
    rep.warmup_failures = at_start.failures;
    window.measuring = true;
    cpu0 = ThreadCpuNs();
    pcpu0 = ProcessCpuNs();
    mono0 = MonoNs();
    phase.expires_after(std::chrono::milliseconds(static_cast<long long>(args.seconds * 1000)));
    phase.async_wait([&](const boost::system::error_code&) {
      const std::int64_t cpu1 = ThreadCpuNs(), pcpu1 = ProcessCpuNs(), mono1 = MonoNs();
      window.measuring = false;
      const engine::PollerStats& s = poller.stats();
      rep.polls = s.polls - at_start.polls;
      rep.failures = s.failures - at_start.failures;
      rep.late = s.late - at_start.late;
      rep.thread_cpu_s = static_cast<double>(cpu1 - cpu0) / 1e9;
      rep.process_cpu_s = static_cast<double>(pcpu1 - pcpu0) / 1e9;
      rep.seconds = static_cast<double>(mono1 - mono0) / 1e9;
      poller.StopAll();  // timers cancelled; polls in flight finish on their own
    });
  });

  io.run();
  rep.latency = window.latency;
  if (rep.polls != window.polls)
    rep.note = fmt::format("poller counted {} polls, callbacks {}", rep.polls, window.polls);
  if (args.raw)
    rep.note +=
        (rep.note.empty() ? "" : "; ") + std::string("raw: Reading.latency (ms resolution)");
  rep.Print(args.json);
  return 0;
}

}  // namespace
}  // namespace plugwatch::bench

int main(int argc, char** argv) { return plugwatch::bench::Main(argc, argv); }
