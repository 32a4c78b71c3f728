// P110Driver: the devices::Driver of Tapo P110/P115 plugs (and KLAP Kasa
// plugs that speak the same JSON): power, the device's own today/month energy
// counters, relay state and device info; switches the relay.
//
// Transport: spec.protocol "klap" or "passthrough" forces one; "auto" probes
// once (transport_probe.h), caches the answer, switches at once when a
// handshake proves it wrong (KLAP handshake1 404 ↔ passthrough 1003) and
// probes again after 3 handshakes in a row failed.
//
// One poll is ONE HTTP request on a kept-alive connection: a multipleRequest
// of get_device_info + get_energy_usage, rendered from a template shared by
// all drivers (no RSA, no handshake in steady state). Devices that answer
// -1003 to batches get separate requests from then on; devices without
// get_energy_usage (-1002) get get_current_power (integer W, no energy). A
// session the device dropped (HTTP 403, 9999, -1301, -1005) is re-established
// and the request retried ONCE within the same call.
//
// Poll path cost (docs/adr/0007-poll-path-performance.md): the regular answer
// to a poll is read without a JSON tree (poll_answer.h); anything else is
// parsed into a tree and judged by the general code. Coroutine frames hold
// only what lives across a co_await (rare paths have their own coroutines,
// synchronous steps are plain functions): a poll in flight costs its frames,
// and at start-up every plug has one in flight at once. The
// driver keeps no request buffers between polls: about 1.5 KB of heap per
// device with its session, HTTP client and socket state; the largest part is
// the DeviceSpec.
//
// Every error is prefixed "tapo[<id>] <host:port>: "; answers that are not
// JSON count as kProtocol (the device's fault), never kParse. health(): ok after a
// success, warning("… — retrying") after a transient failure, failed(hint)
// after an authentication failure (kUnauthorized).
//
// Threading: the driver and its sessions live on ctx.executor and are used by
// one coroutine at a time (driver.h). ctx.clock must outlive the driver.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "plugwatch/devices/driver.h"
#include "plugwatch/devices/tapo/messages.h"
#include "plugwatch/devices/tapo/poll_answer.h"
#include "plugwatch/devices/tapo/session.h"
#include "plugwatch/devices/tapo/transport_probe.h"
#include "plugwatch/net/host_port.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::tapo {

namespace internal {
// A request envelope (messages.h BuildRequest/BuildMultipleRequest) split
// around its two values that change: request_time_milis (per request) and
// terminal_uuid (per driver). So one template serves every driver, and
// rendering a request is a few appends.
class RequestTemplate {
 public:
  // The terminal_uuid `json` was built with; it stands for the real one.
  static constexpr std::string_view kUuidMark = "@terminal_uuid@";
  // `json` was built with the time 0 (UnixMillis == 0) and kUuidMark.
  explicit RequestTemplate(std::string_view json);
  // What the builder gives for `now` and `terminal_uuid` (base64: nothing to
  // escape).
  void Render(TimePoint now, std::string_view terminal_uuid, std::string& out) const;

 private:
  std::string before_time_, before_uuid_, after_uuid_;
};

// The multipleRequest of a poll: get_device_info with get_energy_usage, or
// with get_current_power for plugs without energy counters.
const RequestTemplate& PollTemplate(bool energy);
}  // namespace internal

class P110Driver final : public devices::Driver {
 public:
  // Prefer MakeP110Driver, which validates the spec.
  P110Driver(DeviceSpec spec, net::HostPort address, const devices::DriverContext& ctx);
  ~P110Driver() override;

  boost::asio::awaitable<Result<Reading>> Poll() override;
  boost::asio::awaitable<Result<void>> Switch(bool on) override;
  // {address, model, type, mac, nickname, fw_ver, hw_ver, device_id, ip,
  //  protocol ("klap-v2" | "klap-v1" | "passthrough"), credentials ("user" or
  //  a default set, KLAP only), device_on, on_time (s), rssi (dBm),
  //  signal_level, power_w, today_energy_wh, month_energy_wh}.
  boost::asio::awaitable<Result<boost::json::object>> Info() override;
  // "tapo washer 192.168.1.50:80 user=a@b.c password=******** protocol=auto"
  std::string Describe() const override;
  devices::Health health() const override { return health_; }
  const DeviceSpec& spec() const override { return spec_; }

  // For tests and metrics.
  const net::HttpClient& client() const { return client_; }
  std::string_view protocol() const;  // "" before the first session
  long long handshakes() const;       // over every session so far
  bool batching() const { return batch_; }

 private:
  enum class Mode { kAuto, kKlap, kPassthrough };
  struct Fetched {
    // The regular answer to a poll, read without a tree (poll_answer.h);
    // when set, the other members are unused.
    std::optional<PollAnswer> poll;
    boost::json::value device_info;
    boost::json::value energy_usage;              // null when the device has none
    std::optional<std::int64_t> current_power_w;  // get_current_power fallback
  };
  // How Call reads an answer: as a tree (Envelope), or first trying the
  // regular poll answer without one (Answer::poll) and the tree otherwise.
  enum class Read { kTree, kPollFields };
  struct Answer {
    std::optional<PollAnswer> poll;  // set: error_code 0 and no tree
    Envelope envelope;
  };

  // Makes session_ when there is none (probing the transport in auto mode).
  boost::asio::awaitable<Result<void>> EnsureSession();
  void UseTransport(TransportKind kind);
  // Sends one request through the session; re-establishes it and retries
  // once when it or the answer says the session is gone. Returns the envelope
  // with any other error_code for the caller to judge.
  boost::asio::awaitable<Result<Answer>> Call(std::string_view json, Read read = Read::kTree);
  // Call's reading of the decrypted text; fails with kSessionExpired when
  // the answer's error_code says the session is gone.
  static Result<Answer> ReadAnswer(std::string_view text, Read read);
  // One request without params (the rare unbatched path: no template kept).
  boost::asio::awaitable<Result<boost::json::value>> CallSingle(std::string_view method);
  // The batch (or the separate requests). `for_poll`: Poll reads the regular
  // answer without a tree; Info needs the tree.
  boost::asio::awaitable<Result<Fetched>> Fetch(bool for_poll);
  // Everything but the regular answer: reads a batch answer as a tree (when
  // `batch_answer` is set) and sends separate requests for what is missing.
  // Its own coroutine, so that Fetch's frame stays small.
  boost::asio::awaitable<Result<Fetched>> FetchGeneral(Envelope* batch_answer);
  // What Poll makes of a fetch (a plain function: no coroutine frame for it).
  Result<Reading> ToReading(const Result<Fetched>& fetched,
                            std::chrono::steady_clock::time_point started);

  Error Tag(Error e) const;
  Error Failed(Error e);  // tags, updates health, logs transitions
  void Succeeded();

  DeviceSpec spec_;
  std::string where_;  // "host:port"
  Duration request_timeout_;
  const Clock* clock_;
  Mode mode_;
  net::HttpClient client_;
  std::string terminal_uuid_;
  std::unique_ptr<Session> session_;
  std::optional<TransportKind> chosen_;  // auto mode: the probed transport
  int handshake_failures_ = 0;
  long long past_handshakes_ = 0;  // of sessions already replaced

  bool batch_ = true;   // the device takes multipleRequest
  bool energy_ = true;  // the device has get_energy_usage

  devices::Health health_;
};

// Builds a P110Driver for a spec of kind "tapo": address host[:port] (port 80
// by default), protocol "auto" | "klap" | "passthrough". Fails with
// kInvalidArgument "tapo[<id>]: …" naming the bad field.
Result<std::unique_ptr<devices::Driver>> MakeP110Driver(const DeviceSpec& spec,
                                                        const devices::DriverContext& ctx);

}  // namespace plugwatch::tapo
