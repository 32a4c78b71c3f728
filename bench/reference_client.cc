// plugwatch_bench_reference_client: the baseline of the polling fan-out
// benchmark. A deliberately minimal client for the same emulator fleet:
// plain POSIX sockets, hand-written HTTP/1.1 with keep-alive, KLAP v2 with the
// project's codec (klap_cipher.h) for the crypto only, one thread.
//
// Set-up (not measured): a blocking connect + KLAP handshake per plug, one
// after the other. Polling: every socket non-blocking in one epoll set; plug
// i is due at t0 + (k·N + i)·interval/N (round-robin, evenly spread); each
// poll is the request plugwatch sends — multipleRequest of get_device_info +
// get_energy_usage, rendered from a template split around
// request_time_milis — encrypted, POSTed to /app/request?seq=…, and the
// answer decrypted, parsed with Boost.JSON (as plugwatch does) and checked
// for device_on and current_power. Reported like poll_fanout (same Report),
// over the window after --warmup.
//
// Faults are handled only as far as a benchmark needs: an HTTP 403 or a
// closed connection re-handshakes (blocking) and counts the poll failed; a
// poll still in flight when its next slot comes is failed after
// --timeout-ms, else that slot is skipped and counted late.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "plugwatch/devices/tapo/crypto_util.h"
#include "plugwatch/devices/tapo/klap_cipher.h"
#include "plugwatch/devices/tapo/messages.h"

namespace plugwatch::bench {
namespace {

namespace json = boost::json;
using tapo::Bytes;

// ---- HTTP/1.1, by hand ----

struct Response {
  int status = 0;
  std::string cookie;  // "TP_SESSIONID=…" from Set-Cookie, if any
  bool close = false;
  std::size_t body_at = 0, body_len = 0, total = 0;
};

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

// Parses a complete response at the start of `buf`; nullopt while incomplete.
// A malformed head gives status -1.
std::optional<Response> ParseResponse(std::string_view buf) {
  const auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  Response r;
  std::string_view head = buf.substr(0, head_end);
  auto eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
    r.status = -1;
    return r;
  }
  std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  if (status_line.starts_with("HTTP/1.0")) r.close = true;
  bool have_length = false;
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (IEquals(name, "content-length")) {
      std::from_chars(value.data(), value.data() + value.size(), r.body_len);
      have_length = true;
    } else if (IEquals(name, "connection")) {
      r.close = IEquals(value, "close");
    } else if (IEquals(name, "set-cookie") && value.starts_with("TP_SESSIONID=")) {
      r.cookie = std::string(value.substr(0, value.find(';')));
    }
  }
  if (!have_length) r.body_len = 0;  // the emulator always sends Content-Length
  r.body_at = head_end + 4;
  r.total = r.body_at + r.body_len;
  if (buf.size() < r.total) return std::nullopt;
  return r;
}

void AppendRequestHead(std::string& out, std::string_view target, std::string_view host,
                       std::string_view cookie, std::size_t length) {
  fmt::format_to(std::back_inserter(out), "POST {} HTTP/1.1\r\nHost: {}\r\n", target, host);
  if (!cookie.empty()) fmt::format_to(std::back_inserter(out), "Cookie: {}\r\n", cookie);
  fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n\r\n", length);
}

// ---- one plug ----

struct Plug {
  int index = 0;
  int fd = -1;
  std::uint16_t port = 0;
  std::string host;  // "127.0.0.1:20000", the Host header
  std::string cookie;
  std::optional<tapo::KlapCipher> cipher;
  // In flight:
  bool busy = false;
  std::int32_t seq = 0;
  std::int64_t started_ns = 0;
  std::string out;  // request bytes not yet written
  std::size_t out_at = 0;
  bool out_armed = false;  // EPOLLOUT requested
  std::string in;          // response bytes read so far
};

class Client {
 public:
  explicit Client(const CommonArgs& a)
      : args_(a), auth_(tapo::AuthHash(tapo::KlapVersion::kV2, a.user, a.password)) {
    const tapo::Request reqs[] = {{"get_device_info", {}}, {"get_energy_usage", {}}};
    const std::string json = tapo::BuildMultipleRequest(reqs, TimePoint{}, tapo::NewTerminalUuid());
    constexpr std::string_view key = "\"request_time_milis\":0";
    const auto at = json.find(key);
    prefix_ = json.substr(0, at + key.size() - 1);
    suffix_ = json.substr(at + key.size());
  }

  // Blocking connect + handshake of every plug. False (with a message) on failure.
  bool SetUp() {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    plugs_.resize(static_cast<std::size_t>(args_.plugs));
    for (int i = 0; i < args_.plugs; ++i) {
      Plug& p = plugs_[static_cast<std::size_t>(i)];
      p.index = i;
      p.port = static_cast<std::uint16_t>(args_.base_port + i);
      p.host = fmt::format("{}:{}", args_.host, p.port);
      if (!Connect(p)) return false;
    }
    return true;
  }

  void Run(Report& rep) {
    const std::int64_t interval = args_.interval_ms * 1'000'000LL;
    const std::int64_t n = args_.plugs;
    const std::int64_t t0 = MonoNs();
    const std::int64_t warm_end = t0 + static_cast<std::int64_t>(args_.warmup * 1e9);
    const std::int64_t end = warm_end + static_cast<std::int64_t>(args_.seconds * 1e9);
    std::int64_t cursor = 0;  // the next slot: plug cursor % n at due(cursor)
    auto due = [&](std::int64_t c) { return t0 + c * interval / n; };
    std::int64_t cpu0 = 0, pcpu0 = 0, mono0 = 0;
    std::vector<epoll_event> events(1024);

    for (;;) {
      std::int64_t now = MonoNs();
      if (!measuring_ && now >= warm_end && mono0 == 0) {
        rep.rss_after = RssBytes();
        rep.anon_after = RssAnonBytes();
        rep.heap_after = HeapBytes();
        measuring_ = true;
        cpu0 = ThreadCpuNs();
        pcpu0 = ProcessCpuNs();
        mono0 = MonoNs();
      }
      if (now >= end) break;
      // Start every poll that is due.
      if (now - due(cursor) > interval) {
        // The loop fell behind by more than one interval: skip, never bunch up.
        const std::int64_t behind = (now - due(cursor)) / interval;
        if (measuring_) late_ += behind * n;
        cursor += behind * n;
      }
      while (due(cursor) <= now) {
        Plug& p = plugs_[static_cast<std::size_t>(cursor % n)];
        ++cursor;
        if (p.busy) {
          if (now - p.started_ns > args_.timeout_ms * 1'000'000LL) {
            Fail(p, now);
            Reconnect(p);
          } else {
            if (measuring_) ++late_;
            continue;
          }
        }
        Start(p);
      }
      now = MonoNs();
      const std::int64_t wait_ns = std::min(due(cursor), end) - now;
      const int timeout_ms = wait_ns <= 0 ? 0 : static_cast<int>((wait_ns + 999'999) / 1'000'000);
      const int k = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout_ms);
      for (int e = 0; e < k; ++e) {
        Plug& p = plugs_[events[static_cast<std::size_t>(e)].data.u32];
        if (events[static_cast<std::size_t>(e)].events & EPOLLOUT) Flush(p);
        if (events[static_cast<std::size_t>(e)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Read(p);
      }
    }
    const std::int64_t cpu1 = ThreadCpuNs(), pcpu1 = ProcessCpuNs(), mono1 = MonoNs();
    rep.polls = polls_;
    rep.failures = failures_;
    rep.late = late_;
    rep.thread_cpu_s = static_cast<double>(cpu1 - cpu0) / 1e9;
    rep.process_cpu_s = static_cast<double>(pcpu1 - pcpu0) / 1e9;
    rep.seconds = static_cast<double>(mono1 - mono0) / 1e9;
    rep.latency = latency_;
  }

 private:
  // ---- blocking part: connect and handshake ----

  bool Connect(Plug& p) {
    if (p.fd >= 0) {
      epoll_ctl(epfd_, EPOLL_CTL_DEL, p.fd, nullptr);
      close(p.fd);
    }
    p.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p.fd < 0) return Error(p, fmt::format("socket: {}", std::strerror(errno)));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(p.port);
    inet_pton(AF_INET, args_.host.c_str(), &sa.sin_addr);
    if (connect(p.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      return Error(p, fmt::format("connect: {}", std::strerror(errno)));
    const int one = 1;
    setsockopt(p.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!Handshake(p)) return false;
    fcntl(p.fd, F_SETFL, fcntl(p.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(p.index);
    epoll_ctl(epfd_, EPOLL_CTL_ADD, p.fd, &ev);
    return true;
  }

  bool Error(const Plug& p, const std::string& what) {
    fmt::print(stderr, "reference_client: {}: {}\n", p.host, what);
    return false;
  }

  // One blocking request/response on p.fd (still blocking during set-up).
  std::optional<std::pair<Response, std::string>> Exchange(Plug& p, std::string_view target,
                                                           std::string_view cookie,
                                                           std::string_view body) {
    std::string req;
    AppendRequestHead(req, target, p.host, cookie, body.size());
    req.append(body);
    for (std::size_t at = 0; at < req.size();) {
      const ssize_t w = send(p.fd, req.data() + at, req.size() - at, MSG_NOSIGNAL);
      if (w <= 0) return std::nullopt;
      at += static_cast<std::size_t>(w);
    }
    std::string in;
    char buf[8192];
    for (;;) {
      if (auto r = ParseResponse(in)) {
        std::string b = in.substr(r->body_at, r->body_len);
        return std::pair{*r, std::move(b)};
      }
      const ssize_t n = recv(p.fd, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

  bool Handshake(Plug& p) {
    p.cipher.reset();
    const Bytes local = tapo::RandomBytes(tapo::kKlapSeedSize);
    auto r1 = Exchange(p, "/app/handshake1", "", tapo::AsText(local));
    if (!r1 || r1->first.status != 200 || r1->second.size() != 48 || r1->first.cookie.empty())
      return Error(p, "handshake1 failed");
    const auto body = tapo::AsBytes(r1->second);
    const auto remote = body.subspan(0, 16);
    if (!tapo::ConstantTimeEquals(
            tapo::Handshake1ServerHash(tapo::KlapVersion::kV2, local, remote, auth_),
            body.subspan(16)))
      return Error(p, "handshake1: server hash does not match these credentials");
    p.cookie = r1->first.cookie;
    const Bytes h2 = tapo::Handshake2ClientHash(tapo::KlapVersion::kV2, local, remote, auth_);
    auto r2 = Exchange(p, "/app/handshake2", p.cookie, tapo::AsText(h2));
    if (!r2 || r2->first.status != 200) return Error(p, "handshake2 failed");
    p.cipher.emplace(local, remote, auth_);
    return true;
  }

  void Reconnect(Plug& p) {
    p.busy = false;
    p.in.clear();
    p.out.clear();
    p.out_at = 0;
    p.out_armed = false;
    if (!Connect(p)) {
      // Leave it unconnected; the next due slot tries again.
      if (p.fd >= 0) close(p.fd);
      p.fd = -1;
    }
  }

  // ---- non-blocking part: one poll ----

  void Start(Plug& p) {
    if (p.fd < 0) {
      Reconnect(p);
      if (p.fd < 0) {
        if (measuring_) ++polls_, ++failures_;
        return;
      }
    }
    json_.assign(prefix_);
    char digits[24];
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    json_.append(digits, std::to_chars(digits, digits + sizeof digits, ms).ptr).append(suffix_);
    auto [seq, frame] = p.cipher->EncryptRequest(json_);
    p.seq = seq;
    char target[40];
    const auto tend = fmt::format_to(target, "/app/request?seq={}", seq);
    p.out.clear();
    AppendRequestHead(p.out, std::string_view(target, static_cast<std::size_t>(tend - target)),
                      p.host, p.cookie, frame.size());
    p.out.append(tapo::AsText(frame));
    p.out_at = 0;
    p.in.clear();
    p.busy = true;
    p.started_ns = MonoNs();
    Flush(p);
  }

  void Flush(Plug& p) {
    while (p.out_at < p.out.size()) {
      const ssize_t w = send(p.fd, p.out.data() + p.out_at, p.out.size() - p.out_at, MSG_NOSIGNAL);
      if (w > 0) {
        p.out_at += static_cast<std::size_t>(w);
        continue;
      }
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!p.out_armed) Arm(p, EPOLLIN | EPOLLOUT);
        return;
      }
      Fail(p, MonoNs());
      Reconnect(p);
      return;
    }
    if (p.out_armed) Arm(p, EPOLLIN);
  }

  void Arm(Plug& p, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = static_cast<std::uint32_t>(p.index);
    epoll_ctl(epfd_, EPOLL_CTL_MOD, p.fd, &ev);
    p.out_armed = (events & EPOLLOUT) != 0;
  }

  void Read(Plug& p) {
    for (;;) {
      const ssize_t n = recv(p.fd, scratch_, sizeof scratch_, 0);
      if (n > 0) {
        p.in.append(scratch_, static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < sizeof scratch_) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      // Closed or reset.
      if (p.busy) Fail(p, MonoNs());
      Reconnect(p);
      return;
    }
    if (!p.busy) return;
    auto r = ParseResponse(p.in);
    if (!r) return;
    const std::int64_t now = MonoNs();
    bool ok = false;
    if (r->status == 200) {
      auto text = p.cipher->DecryptAt(
          p.seq, tapo::AsBytes(std::string_view(p.in).substr(r->body_at, r->body_len)), false);
      ok = text && Check(*text);
    }
    p.busy = false;
    if (measuring_) {
      ++polls_;
      if (!ok) ++failures_;
      latency_.Add(static_cast<std::uint64_t>((now - p.started_ns) / 1000));
    }
    if (r->status == 403 || r->status < 0 || r->close) {
      Reconnect(p);  // 403: the session is gone; re-handshake
      return;
    }
    p.in.erase(0, r->total);
  }

  // The answer carries what a poll needs: device_on and current_power.
  bool Check(std::string_view text) {
    json::monotonic_resource mr(parse_buf_, sizeof parse_buf_);
    json::error_code ec;
    json::value v = json::parse(text, ec, &mr);
    if (ec) return false;
    const json::object* o = v.if_object();
    if (!o) return false;
    const json::value* code = o->if_contains("error_code");
    if (!code || !code->is_int64() || code->get_int64() != 0) return false;
    const json::value* result = o->if_contains("result");
    const json::value* responses =
        result && result->is_object() ? result->as_object().if_contains("responses") : nullptr;
    if (!responses || !responses->is_array()) return false;
    bool on = false, power = false;
    for (const json::value& e : responses->as_array()) {
      const json::object* eo = e.if_object();
      if (!eo) return false;
      const json::value* c = eo->if_contains("error_code");
      const json::value* res = eo->if_contains("result");
      if (!c || !c->is_int64() || c->get_int64() != 0 || !res || !res->is_object()) return false;
      if (const json::value* d = res->as_object().if_contains("device_on"); d && d->is_bool())
        on = true;
      if (const json::value* w = res->as_object().if_contains("current_power"); w && w->is_int64())
        power = true;
    }
    return on && power;
  }

  void Fail(Plug& p, std::int64_t now) {
    if (p.busy && measuring_) {
      ++polls_;
      ++failures_;
      latency_.Add(static_cast<std::uint64_t>((now - p.started_ns) / 1000));
    }
    p.busy = false;
  }

  const CommonArgs& args_;
  const Bytes auth_;
  std::string prefix_, suffix_, json_;
  std::vector<Plug> plugs_;
  int epfd_ = -1;
  bool measuring_ = false;
  long long polls_ = 0, failures_ = 0, late_ = 0;
  Histogram latency_;
  char scratch_[16384];
  unsigned char parse_buf_[16384];
};

int Main(int argc, char** argv) {
  const CommonArgs args = ParseArgs(argc, argv);
  Report rep;
  rep.client = "reference";
  rep.plugs = args.plugs;
  rep.interval_ms = args.interval_ms;
  rep.fd_limit = RaiseFdLimit();
  if (rep.fd_limit >= 0 && rep.fd_limit < args.plugs + 64) {
    fmt::print(stderr,
               "reference_client: {} plugs need about {} file descriptors; the limit is {}\n",
               args.plugs, args.plugs + 64, rep.fd_limit);
    return 1;
  }
  auto client = std::make_unique<Client>(args);
  rep.rss_before = RssBytes();
  rep.anon_before = RssAnonBytes();
  rep.heap_before = HeapBytes();
  if (!client->SetUp()) return 1;
  client->Run(rep);
  rep.Print(args.json);
  return 0;
}

}  // namespace
}  // namespace plugwatch::bench

int main(int argc, char** argv) { return plugwatch::bench::Main(argc, argv); }
