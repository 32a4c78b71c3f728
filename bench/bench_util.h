// Small helpers shared by the polling benchmarks: a fixed-size latency
// histogram, thread/process CPU time, VmRSS and heap in use, argument parsing
// and output.
// Header-only; nothing here allocates per sample.
#pragma once

#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace plugwatch::bench {

// Log-linear histogram of microsecond values: exact below 128 µs, then 64
// sub-buckets per power of two (≤ 1.6 % error), up to 2^40 µs. 3.6 KB, fixed.
class Histogram {
 public:
  void Add(std::uint64_t us) {
    ++counts_[Index(us)];
    ++n_;
    if (us > max_) max_ = us;
    sum_ += us;
  }
  std::uint64_t count() const { return n_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return n_ ? static_cast<double>(sum_) / static_cast<double>(n_) : 0.0; }
  // The upper edge of the bucket holding the q-quantile (q in 0..1), capped at max().
  std::uint64_t Quantile(double q) const {
    if (n_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(Upper(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSub = 6;  // 64 sub-buckets
  static constexpr std::size_t kLinear = 128;
  static std::size_t Index(std::uint64_t v) {
    if (v < kLinear) return static_cast<std::size_t>(v);
    const int e = std::bit_width(v) - 1;  // ≥ 7
    if (e >= 40) return kLinear + (40 - 7) * 64 - 1;
    const auto sub = static_cast<std::size_t>((v >> (e - kSub)) & 63);
    return kLinear + static_cast<std::size_t>(e - 7) * 64 + sub;
  }
  static std::uint64_t Upper(std::size_t i) {
    if (i < kLinear) return i;
    const std::size_t k = i - kLinear;
    const int e = static_cast<int>(k / 64) + 7;
    const std::uint64_t sub = k % 64;
    return ((64 + sub + 1) << (e - kSub)) - 1;
  }
  std::array<std::uint64_t, kLinear + (40 - 7) * 64> counts_{};
  std::uint64_t n_ = 0, max_ = 0, sum_ = 0;
};

inline std::int64_t NanosOf(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
// CPU time of the calling thread, ns.
inline std::int64_t ThreadCpuNs() { return NanosOf(CLOCK_THREAD_CPUTIME_ID); }
// CPU time of the whole process (every thread), ns.
inline std::int64_t ProcessCpuNs() { return NanosOf(CLOCK_PROCESS_CPUTIME_ID); }
inline std::int64_t MonoNs() { return NanosOf(CLOCK_MONOTONIC); }

// A "Name:   123 kB" line of /proc/self/status in bytes (0 when unavailable).
inline long long StatusBytes(std::string_view name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':')
      return std::atoll(line.c_str() + name.size() + 1) * 1024LL;
  }
  return 0;
}
// VmRSS of this process in bytes.
inline long long RssBytes() { return StatusBytes("VmRSS"); }
// RssAnon: VmRSS without file-backed pages. Code of the binary and its
// libraries is paged in as the run first uses it, which VmRSS counts as
// growth during the run; RssAnon leaves that out.
inline long long RssAnonBytes() { return StatusBytes("RssAnon"); }

// Bytes of heap in use (glibc mallinfo2: allocated chunks, mmapped ones
// included). Unlike VmRSS it leaves out memory that was freed but not given
// back (a start-up peak, fragmentation).
inline long long HeapBytes() {
  const struct mallinfo2 mi = mallinfo2();
  return static_cast<long long>(mi.uordblks + mi.hblkhd);
}

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
inline long long RaiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  return static_cast<long long>(rl.rlim_cur);
}

// "1s", "500ms", "2" (seconds) → milliseconds; nullopt when malformed.
inline std::optional<long long> ParseDurationMs(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || v <= 0) return std::nullopt;
  std::string_view unit(p, static_cast<std::size_t>(s.data() + s.size() - p));
  if (unit.empty() || unit == "s") return v * 1000;
  if (unit == "ms") return v;
  if (unit == "m" || unit == "min") return v * 60'000;
  return std::nullopt;
}

[[noreturn]] inline void Usage(std::string_view prog, std::string_view msg) {
  fmt::print(stderr, "{}: {}\n", prog, msg);
  fmt::print(stderr,
             "usage: {} --plugs N --base-port P [--host 127.0.0.1] [--seconds S] [--warmup W]\n"
             "       [--interval 1s] [--user U] [--password P] [--timeout-ms 3000] [--json]\n",
             prog);
  std::exit(2);
}

struct CommonArgs {
  int plugs = 0;
  int base_port = 0;
  std::string host = "127.0.0.1";
  double seconds = 20;
  double warmup = 5;
  long long interval_ms = 1000;
  std::string user = "user@example.com";
  std::string password = "secret";
  long long timeout_ms = 3000;
  bool json = false;
  bool raw = false;  // poll_fanout: no timing wrapper (latency from Reading.latency, ms)
};

inline CommonArgs ParseArgs(int argc, char** argv) {
  CommonArgs a;
  const std::string_view prog = argv[0];
  auto need = [&](int& i) -> std::string_view {
    if (i + 1 >= argc) Usage(prog, fmt::format("{} needs a value", argv[i]));
    return argv[++i];
  };
  auto num = [&](std::string_view flag, std::string_view v) {
    try {
      return std::stod(std::string(v));
    } catch (...) {
      Usage(prog, fmt::format("{}: '{}' is not a number", flag, v));
    }
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view f = argv[i];
    if (f == "--plugs")
      a.plugs = static_cast<int>(num(f, need(i)));
    else if (f == "--base-port")
      a.base_port = static_cast<int>(num(f, need(i)));
    else if (f == "--host")
      a.host = need(i);
    else if (f == "--seconds")
      a.seconds = num(f, need(i));
    else if (f == "--warmup")
      a.warmup = num(f, need(i));
    else if (f == "--user" || f == "--username")
      a.user = need(i);
    else if (f == "--password")
      a.password = need(i);
    else if (f == "--timeout-ms")
      a.timeout_ms = static_cast<long long>(num(f, need(i)));
    else if (f == "--json")
      a.json = true;
    else if (f == "--raw")
      a.raw = true;
    else if (f == "--interval") {
      const auto v = need(i);
      auto ms = ParseDurationMs(v);
      if (!ms) Usage(prog, fmt::format("--interval: '{}' is not like 1s or 500ms", v));
      a.interval_ms = *ms;
    } else if (f == "-h" || f == "--help") {
      Usage(prog, "help");
    } else {
      Usage(prog, fmt::format("unknown argument '{}'", f));
    }
  }
  if (a.plugs < 1) Usage(prog, "--plugs must be ≥ 1");
  if (a.base_port < 1 || a.base_port + a.plugs - 1 > 65535)
    Usage(prog, "--base-port must be 1..65535 and leave room for --plugs ports");
  if (a.seconds <= 0 || a.warmup < 0) Usage(prog, "--seconds must be > 0, --warmup ≥ 0");
  return a;
}

// What both clients report, in the same shape.
struct Report {
  std::string client;  // "plugwatch" | "reference"
  int plugs = 0;
  long long interval_ms = 0;
  double seconds = 0;      // measured wall time
  long long polls = 0;     // completed in the window
  long long failures = 0;  // of those, failed
  // Before the window (set-up and warm-up; poll_fanout only): polls and
  // failures. Many failures here mean the start-up had not settled.
  long long warmup_polls = 0, warmup_failures = 0;
  long long late = 0;        // started more than one interval after their slot
  double thread_cpu_s = 0;   // polling thread, in the window
  double process_cpu_s = 0;  // whole process, in the window
  Histogram latency;         // µs, successful and failed polls of the window
  long long rss_before = 0, rss_after = 0;
  long long anon_before = 0, anon_after = 0;  // RssAnonBytes() at the same moments
  long long heap_before = 0, heap_after = 0;  // HeapBytes() at the same moments
  long long fd_limit = 0;
  std::string note;

  double cpu_us_per_poll() const {
    return polls ? thread_cpu_s * 1e6 / static_cast<double>(polls) : 0.0;
  }
  double cpu_pct() const { return seconds > 0 ? 100.0 * thread_cpu_s / seconds : 0.0; }
  double polls_per_s() const { return seconds > 0 ? static_cast<double>(polls) / seconds : 0.0; }
  double bytes_per_device() const {
    return plugs ? static_cast<double>(rss_after - rss_before) / plugs : 0.0;
  }
  double anon_bytes_per_device() const {
    return plugs ? static_cast<double>(anon_after - anon_before) / plugs : 0.0;
  }
  double heap_bytes_per_device() const {
    return plugs ? static_cast<double>(heap_after - heap_before) / plugs : 0.0;
  }

  void Print(bool json) const {
    if (json) {
      fmt::print(
          "{{\"client\":\"{}\",\"plugs\":{},\"interval_ms\":{},\"seconds\":{:.3f},\"polls\":{},"
          "\"failures\":{},\"late\":{},\"polls_per_s\":{:.1f},\"cpu_us_per_poll\":{:.2f},"
          "\"cpu_pct\":{:.2f},\"process_cpu_pct\":{:.2f},\"lat_p50_us\":{},\"lat_p90_us\":{},"
          "\"lat_p99_us\":{},\"lat_max_us\":{},\"lat_mean_us\":{:.1f},\"rss_before\":{},"
          "\"rss_after\":{},\"bytes_per_device\":{:.0f},\"anon_bytes_per_device\":{:.0f},"
          "\"heap_bytes_per_device\":{:.0f},\"warmup_polls\":{},\"warmup_failures\":{},"
          "\"fd_limit\":{},\"note\":\"{}\"}}\n",
          client, plugs, interval_ms, seconds, polls, failures, late, polls_per_s(),
          cpu_us_per_poll(), cpu_pct(), seconds > 0 ? 100.0 * process_cpu_s / seconds : 0.0,
          latency.Quantile(0.50), latency.Quantile(0.90), latency.Quantile(0.99), latency.max(),
          latency.mean(), rss_before, rss_after, bytes_per_device(), anon_bytes_per_device(),
          heap_bytes_per_device(), warmup_polls, warmup_failures, fd_limit, note);
    } else {
      fmt::print("{} — {} plugs every {} ms, {:.1f} s measured\n", client, plugs, interval_ms,
                 seconds);
      fmt::print("  polls            {:>10} ({:.1f}/s)\n", polls, polls_per_s());
      fmt::print("  failures         {:>10}\n", failures);
      fmt::print("  late polls       {:>10}\n", late);
      fmt::print("  CPU per poll     {:>10.2f} µs (polling thread)\n", cpu_us_per_poll());
      fmt::print("  CPU              {:>10.2f} % of one core (process: {:.2f} %)\n", cpu_pct(),
                 seconds > 0 ? 100.0 * process_cpu_s / seconds : 0.0);
      fmt::print("  latency p50      {:>10} µs\n", latency.Quantile(0.50));
      fmt::print("  latency p90      {:>10} µs\n", latency.Quantile(0.90));
      fmt::print("  latency p99      {:>10} µs\n", latency.Quantile(0.99));
      fmt::print("  latency max      {:>10} µs\n", latency.max());
      fmt::print("  RSS              {:>10.1f} MB → {:.1f} MB ({:.0f} bytes/device)\n",
                 static_cast<double>(rss_before) / 1048576.0,
                 static_cast<double>(rss_after) / 1048576.0, bytes_per_device());
      fmt::print("  anonymous RSS    {:>10.0f} bytes/device\n", anon_bytes_per_device());
      fmt::print("  heap in use      {:>10.0f} bytes/device\n", heap_bytes_per_device());
      if (!note.empty()) fmt::print("  note: {}\n", note);
    }
    std::fflush(stdout);
  }
};

}  // namespace plugwatch::bench
