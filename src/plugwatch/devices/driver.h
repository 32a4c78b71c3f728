// Driver: one lifecycle for every kind of device (Tapo plug, HTTP probe, TCP
// probe; later Tasmota, Shelly, Bluetti). A driver owns its protocol session,
// its connection, its timeouts and retries; the poller only calls Poll() at
// the device's interval and Switch() on request.
//
// Threading: a driver lives on one executor (the engine's event loop) and is
// used by one coroutine at a time (the poller serialises Poll and Switch).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/device_spec.h"
#include "plugwatch/core/error.h"
#include "plugwatch/core/reading.h"

namespace plugwatch::devices {

enum class HealthState { kOk, kWarning, kFailed };

struct Health {
  HealthState state = HealthState::kOk;
  std::string hint;  // what the operator should do, for warning and failed
};

class Driver {
 public:
  virtual ~Driver() = default;

  // One poll with a deadline inside. On success the Reading is reachable and
  // carries what the device knows (power, energy, relay). On failure the
  // Error says what went wrong and what to do; the poller turns it into an
  // unreachable Reading.
  virtual boost::asio::awaitable<Result<Reading>> Poll() = 0;

  // Switches the relay. Fails with kNotSupported when the device has none.
  virtual boost::asio::awaitable<Result<void>> Switch(bool on) = 0;

  // What the device says about itself (model, MAC, firmware, nickname,
  // protocol in use), for `plugwatch device test` and the API.
  virtual boost::asio::awaitable<Result<boost::json::object>> Info() = 0;

  // The effective configuration in one line, secrets masked; logged at start.
  virtual std::string Describe() const = 0;

  virtual Health health() const = 0;
  virtual const DeviceSpec& spec() const = 0;
};

struct DriverContext {
  boost::asio::any_io_executor executor;
  Duration request_timeout{3000};
  const Clock* clock = nullptr;  // never null once built by the engine
};

// The registry: builds the driver for spec.kind ("tapo", "http", "tcp").
// Fails with kInvalidArgument for an unknown kind or a bad address.
Result<std::unique_ptr<Driver>> MakeDriver(const DeviceSpec& spec, const DriverContext& ctx);

}  // namespace plugwatch::devices
