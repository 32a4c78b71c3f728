// Poller: polls every device at its interval on one Asio event loop, one
// coroutine per device. First polls are spread over the interval (by a hash of
// the device id) so that 10,000 plugs do not all fire in the same millisecond;
// a slow or dead device only delays itself (each poll has its own deadline in
// the driver). A poll that starts more than one interval after its slot is
// counted late and the missed slots are skipped, never bunched up.
//
// A device's driver is used by one operation at a time: a check-now
// (PollNow) or a switch waits for a scheduled poll in flight, and the next
// scheduled poll waits for them (first come, first served), so one
// connection and session never carry two requests at once.
//
// Single-threaded: all methods on the loop's thread.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "plugwatch/core/clock.h"
#include "plugwatch/core/reading.h"
#include "plugwatch/devices/driver.h"

namespace plugwatch::engine {

struct PollerStats {
  long long polls = 0;
  long long failures = 0;
  long long late = 0;  // polls that started more than one interval after their slot
  // How long polls took (failed ones included): counts per upper bound in
  // seconds (cumulative, as Prometheus histograms are), and the sum.
  static constexpr std::array<double, 11> kDurationBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1,    2.5,   5,    10};
  std::array<long long, kDurationBounds.size()> duration_le{};
  double duration_sum_s = 0;

  void AddDuration(double seconds) {
    duration_sum_s += seconds;
    for (std::size_t i = 0; i < kDurationBounds.size(); ++i)
      if (seconds <= kDurationBounds[i]) ++duration_le[i];
  }
};

class Poller {
 public:
  // Called on the loop after every poll: a reachable Reading, or an
  // unreachable one carrying the driver's error.
  using OnReading = std::function<void(const Reading&)>;

  Poller(boost::asio::any_io_executor ex, const Clock& clock, OnReading on_reading);
  ~Poller();

  // Starts polling a device; replaces a device with the same id.
  void Add(std::unique_ptr<devices::Driver> driver, Duration interval);
  void Remove(const std::string& id);
  void StopAll();

  // The driver of a device, or nullptr. The poller keeps ownership.
  devices::Driver* Find(const std::string& id) const;

  // Polls the device now, between its scheduled polls; the reading (or the
  // unreachable one) also goes to OnReading like any other. Fails with
  // kNotFound for a device that is not polled, or with the driver's error.
  boost::asio::awaitable<Result<Reading>> PollNow(std::string id);
  // Switches the device's relay (the driver's errors; kNotFound as above).
  boost::asio::awaitable<Result<void>> Switch(std::string id, bool on);
  std::size_t size() const { return slots_.size(); }
  const PollerStats& stats() const { return stats_; }

 private:
  struct Slot;
  boost::asio::awaitable<void> Run(std::shared_ptr<Slot> slot);
  // Waits until the slot's driver is free and takes it; false when the
  // device was removed meanwhile.
  static boost::asio::awaitable<bool> Acquire(std::shared_ptr<Slot> slot);
  static void Release(Slot& slot);
  // Polls with the driver held; reports the reading.
  boost::asio::awaitable<Result<Reading>> PollHeld(std::shared_ptr<Slot> slot);

  boost::asio::any_io_executor ex_;
  const Clock& clock_;
  OnReading on_reading_;
  std::map<std::string, std::shared_ptr<Slot>> slots_;
  PollerStats stats_;
};

}  // namespace plugwatch::engine
