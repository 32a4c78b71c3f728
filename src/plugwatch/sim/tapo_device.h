// TapoDevice: one emulated Tapo P110 smart plug as a pure HTTP request
// handler (PROTOCOLS.md §1.8 and §2). The transport (sim server) parses HTTP,
// calls Handle with the current time, and writes back what it returns; this
// class never touches sockets, threads or clocks, so tests drive it in-process
// with a manual clock and the client codec of devices/tapo.
//
// It speaks either KLAP (v2 by default; v1 for Kasa IOT tests) or the legacy
// AES "securePassthrough", accepts ONLY the configured credentials (not the
// blank/default sets of §1.2: the emulator exists to catch clients that send
// the wrong ones; configure "test@tp-link.net"/"test" to test a client's
// fallback), draws power from a Profile on a possibly compressed clock, and
// keeps exact energy counters that integrate the profile only while the relay
// is on. Faults (hangs, garbage, HTTP 500) and session expiry can be injected.
//
// Not thread-safe: one thread (or strand) per device. Movable.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/error.h"
#include "plugwatch/devices/tapo/klap_cipher.h"
#include "plugwatch/sim/profiles.h"

namespace plugwatch::sim {

struct HttpRequest {
  std::string method;  // "POST"
  std::string target;  // path and query: "/app/request?seq=-5"
  std::string cookie;  // the Cookie header value, "" when absent
  std::string body;    // raw bytes
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>>
      headers;  // Content-Length is the transport's job
  std::string body;
  bool hang = false;  // injected timeout: the transport must never answer
};

enum class TapoProtocol {
  kKlap,         // /app/handshake1, /app/handshake2, /app/request
  kPassthrough,  // AES firmware: POST /app with handshake, login_device, securePassthrough
};

// Probabilities per request, drawn from a seeded RNG; their sum must be ≤ 1.
struct TapoFaultRates {
  double timeout = 0;  // HttpResponse::hang
  double garbage = 0;  // 200 with 16–512 random bytes
  double http500 = 0;  // 500 with an empty body
};

struct TapoDeviceOptions {
  std::string username = "user@example.com";  // the Tapo cloud account e-mail
  std::string password = "secret";
  TapoProtocol protocol = TapoProtocol::kKlap;
  tapo::KlapVersion klap_version = tapo::KlapVersion::kV2;
  std::uint32_t index = 0;  // n-th emulated device: makes MAC, ids and RNG seed unique
  std::string mac;          // "AA-BB-CC-DD-EE-FF"; "" → MacForIndex(index)
  std::string nickname = "plug";
  std::string model = "P110";
  std::string ip = "127.0.0.1";                 // reported in get_device_info only
  Profile profile;                              // default: constant 0 W
  double speed = 1.0;                           // profile clock = (now - start) × speed; > 0
  bool relay_on = true;                         // at start
  std::chrono::seconds session_timeout{86400};  // TIMEOUT cookie and session lifetime
  std::uint64_t expire_after_requests = 0;      // 0 = never; else the (K+1)-th request fails
  std::size_t max_sessions = 8;                 // a new handshake evicts the oldest beyond this
  TapoFaultRates faults;
  std::uint64_t seed = 0;  // 0 → derived from index
  int utc_offset_min = 0;  // device local time = UTC + this ("time_diff")
  std::string region = "UTC";
};

struct TapoDeviceStats {
  std::uint64_t http_requests = 0;         // every Handle call
  std::uint64_t handshakes = 0;            // handshake1 / AES handshake answered
  std::uint64_t sessions_established = 0;  // handshake2 verified / login_device accepted
  std::uint64_t auth_failures = 0;         // handshake2 mismatch / login_device rejected
  std::uint64_t requests = 0;              // encrypted requests answered
  std::uint64_t forbidden = 0;             // HTTP 403 answers
  std::uint64_t session_errors = 0;        // passthrough error 9999 answers
  std::uint64_t faults_injected = 0;
};

// "9C-53-22-XX-XX-XX" with the low 24 bits of index.
std::string MacForIndex(std::uint32_t index);

class TapoDevice {
 public:
  // Fails with kInvalidArgument naming the option: "speed must be > 0 (got
  // 0)", "fault rates must each be within 0..1 and sum to ≤ 1",
  // "session_timeout must be > 0", "max_sessions must be ≥ 1", "mac 'x' is not
  // like AA-BB-CC-DD-EE-FF".
  static Result<void> Validate(const TapoDeviceOptions& options);

  // `start` is when the device powered up: profile time 0 and the energy
  // counters' origin. Throws std::invalid_argument when !Validate(options).
  TapoDevice(TapoDeviceOptions options, TimePoint start);

  TapoDevice(TapoDevice&&) noexcept;
  TapoDevice& operator=(TapoDevice&&) noexcept;
  ~TapoDevice();

  // Answers one HTTP request received at `now` (now never goes backwards).
  //
  // KLAP: POST /app/handshake1 (16-byte seed; else 400) → 200, remote_seed ‖
  // server_hash, `Set-Cookie: TP_SESSIONID=<32 hex>;TIMEOUT=<s>`.
  // POST /app/handshake2 → 200 when the hash matches, 400 when not (the real
  // status is [unverified]; clients treat any non-200 as failure), 403 for an
  // unknown cookie. POST /app/request?seq=N (N may be negative) → 403 for an
  // unknown, expired, unverified or used-up session; 400 for a bad seq,
  // signature or padding; else 200 with the answer framed at the same seq.
  // POST /app with plain JSON → {"error_code":1003} (KLAP-only firmware).
  //
  // Passthrough: 404 on /app/handshake*; POST /app with method handshake →
  // RSA-encrypted key‖iv and a TP_SESSIONID cookie; securePassthrough →
  // login_device (password or password2) → token, afterwards ?token= and the
  // cookie are required. Wrong login → inner -1501 and the session is dead
  // (like real firmware, only a new handshake helps); an unknown or dead
  // session, a wrong token or an expired session → {"error_code":9999}.
  //
  // Other paths 404, other HTTP methods 405.
  HttpResponse Handle(const HttpRequest& request, TimePoint now);

  // Switches the relay as a press of the device's button would.
  void SetRelay(bool on, TimePoint now);
  bool relay_on() const { return relay_on_; }

  // Watts drawn at `now`: the profile while the relay is on, else 0.
  double PowerW(TimePoint now) const;
  // Wh drawn from `start` to `now` (exact: the profile integrated over the
  // intervals the relay was on, in real time, so energy = ∫ PowerW dt also
  // when speed ≠ 1).
  double EnergyWh(TimePoint now) const;

  const TapoDeviceStats& stats() const { return stats_; }
  const TapoDeviceOptions& options() const { return options_; }
  const std::string& mac() const { return mac_; }
  // Live sessions (handshaken, not yet expired or evicted).
  std::size_t session_count() const { return sessions_.size(); }

 private:
  struct Session;
  struct OnInterval {
    TimePoint from, to;
    double wh_at_end;    // energy from start to `to`
    Duration on_at_end;  // relay-on time from start to `to`
  };

  std::optional<HttpResponse> MaybeInjectFault();
  HttpResponse KlapHandshake1(const HttpRequest& request, TimePoint now);
  HttpResponse KlapHandshake2(const HttpRequest& request, TimePoint now);
  HttpResponse KlapRequest(const HttpRequest& request, std::string_view query, TimePoint now);
  HttpResponse PassthroughApp(const HttpRequest& request, std::string_view query, TimePoint now);
  HttpResponse PassthroughHandshake(const boost::json::value& params, TimePoint now);
  HttpResponse SecurePassthrough(const HttpRequest& request, const boost::json::value& params,
                                 std::string_view query, TimePoint now);

  // The JSON API, shared by both transports: request text → response text.
  std::string Dispatch(std::string_view request_json, TimePoint now);
  boost::json::object CallMethod(std::string_view method, const boost::json::value& params,
                                 TimePoint now, bool allow_batch);
  boost::json::object DeviceInfo(TimePoint now) const;
  boost::json::object EnergyUsage(TimePoint now) const;
  boost::json::object DeviceUsage(TimePoint now) const;

  Session* FindSession(std::string_view cookie_header, TimePoint now);
  Session& NewSession(TimePoint now);
  void DropSession(const Session& session);
  HttpResponse Forbidden();
  HttpResponse SessionError();
  std::string RandomHex(std::size_t bytes);
  tapo::Bytes RandomBytes(std::size_t n);

  Duration ProfileTime(TimePoint t) const;
  double EnergyWhWhileOn(TimePoint a, TimePoint b) const;
  Duration OnTimeUntil(TimePoint t) const;
  TimePoint DayStart(TimePoint now) const;
  TimePoint MonthStart(TimePoint now) const;

  TapoDeviceOptions options_;
  TimePoint start_;
  std::string mac_;
  std::string device_id_, hw_id_, fw_id_, oem_id_;
  tapo::Bytes auth_hash_;  // KLAP, of the configured credentials
  std::string login_username_b64_, login_password_b64_, login_password2_b64_;
  std::mt19937_64 rng_;
  std::mt19937_64 fault_rng_;  // separate, so the fault pattern does not depend on handshakes
  std::vector<std::unique_ptr<Session>> sessions_;  // oldest first
  TapoDeviceStats stats_;

  bool relay_on_;
  TimePoint last_change_;
  // Closed intervals the relay was on, oldest first, with running totals, so
  // that counters at any recent instant are a binary search away. Bounded:
  // intervals that ended over 40 days ago, or beyond the newest 4096, are
  // folded into the totals of the first kept one.
  std::deque<OnInterval> on_history_;
  double folded_wh_ = 0;
  Duration folded_on_{0};
};

}  // namespace plugwatch::sim
