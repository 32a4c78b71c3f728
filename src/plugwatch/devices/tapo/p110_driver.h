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
// of get_device_info + get_energy_usage, built from a precomputed template
// into a reused buffer (no RSA, no handshake in steady state). Devices that
// answer -1003 to batches get separate requests from then on; devices without
// get_energy_usage (-1002) get get_current_power (integer W, no energy). A
// session the device dropped (HTTP 403, 9999, -1301, -1005) is re-established
// and the request retried ONCE within the same call.
//
// Every error is prefixed "tapo[<id>] <host:port>: "; answers that are not
// JSON count as kProtocol (the device's fault), never kParse. health(): ok after a
// success, warning("… — retrying") after a transient failure, failed(hint)
// after an authentication failure (kUnauthorized).
//
// Threading: the driver and its sessions live on ctx.executor and are used by
// one coroutine at a time (driver.h). ctx.clock must outlive the driver.
#pragma once

#include <boost/json/memory_resource.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>

#include "plugwatch/devices/driver.h"
#include "plugwatch/devices/tapo/messages.h"
#include "plugwatch/devices/tapo/session.h"
#include "plugwatch/devices/tapo/transport_probe.h"
#include "plugwatch/net/host_port.h"
#include "plugwatch/net/http_client.h"

namespace plugwatch::tapo {

namespace internal {
// A request envelope (messages.h BuildRequest/BuildMultipleRequest) split
// around its request_time_milis value, so that rendering one is two appends
// and a number into a reused buffer.
class RequestTemplate {
 public:
  RequestTemplate() = default;
  // `json` was built with the time 0 (UnixMillis == 0).
  explicit RequestTemplate(std::string_view json);
  void Render(TimePoint now, std::string& out) const;

 private:
  std::string prefix_, suffix_;
};
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
  // Gives the answers parsed during one Poll/Info/Switch a monotonic arena
  // (no malloc per JSON node, no teardown); declared before the values.
  class ArenaScope;
  struct Fetched {
    boost::json::value device_info;
    boost::json::value energy_usage;              // null when the device has none
    std::optional<std::int64_t> current_power_w;  // get_current_power fallback
  };

  boost::asio::awaitable<Result<void>> EnsureSession();
  void UseTransport(TransportKind kind);
  // Sends one request through the session; re-establishes it and retries
  // once when it or the answer says the session is gone. Returns the envelope
  // with any other error_code for the caller to judge.
  boost::asio::awaitable<Result<Envelope>> Call(std::string_view json);
  // One request without params (the rare unbatched path: no template kept).
  boost::asio::awaitable<Result<boost::json::value>> CallSingle(std::string_view method);
  boost::asio::awaitable<Result<Fetched>> Fetch();
  // The current call's arena, or the heap outside one.
  boost::json::storage_ptr Storage() const {
    return arena_ != nullptr ? boost::json::storage_ptr(arena_) : boost::json::storage_ptr();
  }
  void RebuildPollTemplate();

  Error Tag(Error e) const;
  Error Failed(Error e);  // tags, updates health, logs transitions
  void Succeeded();

  DeviceSpec spec_;
  net::HostPort address_;
  std::string where_;  // "host:port"
  devices::DriverContext ctx_;
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
  internal::RequestTemplate poll_batch_;
  std::string buffer_;                             // the rendered request, reused
  boost::json::memory_resource* arena_ = nullptr;  // set by ArenaScope

  devices::Health health_;
};

// Builds a P110Driver for a spec of kind "tapo": address host[:port] (port 80
// by default), protocol "auto" | "klap" | "passthrough". Fails with
// kInvalidArgument "tapo[<id>]: …" naming the bad field.
Result<std::unique_ptr<devices::Driver>> MakeP110Driver(const DeviceSpec& spec,
                                                        const devices::DriverContext& ctx);

}  // namespace plugwatch::tapo
