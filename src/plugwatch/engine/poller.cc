#include "plugwatch/engine/poller.h"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>

#include "plugwatch/core/log.h"

namespace plugwatch::engine {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

struct Poller::Slot {
  Slot(asio::any_io_executor ex, std::unique_ptr<devices::Driver> d, Duration i)
      : driver(std::move(d)), interval(i), timer(ex) {}
  std::unique_ptr<devices::Driver> driver;
  Duration interval;
  asio::steady_timer timer;
  bool stopped = false;
  bool busy = false;  // an operation holds the driver
  // Operations waiting for the driver, first come first served; Release
  // hands the driver to the front one by cancelling its timer.
  // A vector, not a deque: an empty std::deque allocates (~700 bytes in
  // libstdc++), and there is one Slot per device (docs/adr/0007).
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;
};

namespace {
void WakeAll(std::vector<std::shared_ptr<asio::steady_timer>>& waiters) {
  for (auto& w : waiters) w->cancel();
  waiters.clear();
}
}  // namespace

Poller::Poller(asio::any_io_executor ex, const Clock& clock, OnReading on_reading)
    : ex_(ex), clock_(clock), on_reading_(std::move(on_reading)) {}

Poller::~Poller() { StopAll(); }

void Poller::Add(std::unique_ptr<devices::Driver> driver, Duration interval) {
  const std::string id = driver->spec().id;
  Remove(id);
  auto slot = std::make_shared<Slot>(ex_, std::move(driver), interval);
  slots_[id] = slot;
  asio::co_spawn(ex_, Run(slot), [id](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("poller[{}]: stopped by an unexpected error: {}", id, ex.what());
    }
  });
}

void Poller::Remove(const std::string& id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  it->second->stopped = true;
  it->second->timer.cancel();
  WakeAll(it->second->waiters);
  slots_.erase(it);
}

void Poller::StopAll() {
  for (auto& [id, slot] : slots_) {
    slot->stopped = true;
    slot->timer.cancel();
    WakeAll(slot->waiters);
  }
  slots_.clear();
}

devices::Driver* Poller::Find(const std::string& id) const {
  auto it = slots_.find(id);
  return it == slots_.end() ? nullptr : it->second->driver.get();
}

asio::awaitable<void> Poller::Run(std::shared_ptr<Slot> slot) {
  const auto interval = std::chrono::duration_cast<Steady::duration>(slot->interval);
  const auto offset = Steady::duration(std::hash<std::string>{}(slot->driver->spec().id) %
                                       static_cast<std::size_t>(interval.count()));
  auto next = Steady::now() + offset;
  while (!slot->stopped) {
    slot->timer.expires_at(next);
    co_await slot->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (slot->stopped) break;
    const auto now = Steady::now();
    if (now - next > interval) {
      ++stats_.late;
      // Skip the missed slots rather than polling in a burst to catch up.
      next += ((now - next) / interval) * interval;
    }
    next += interval;

    if (!co_await Acquire(slot)) break;
    co_await PollHeld(slot);
    Release(*slot);
  }
}

asio::awaitable<Result<Reading>> Poller::PollHeld(std::shared_ptr<Slot> slot) {
  const TimePoint started = clock_.Now();
  auto r = co_await slot->driver->Poll();
  if (slot->stopped)
    co_return Fail(Errc::kNotFound,
                   fmt::format("device '{}' was removed during the poll", slot->driver->spec().id));
  ++stats_.polls;
  stats_.AddDuration(Seconds(clock_.Now() - started));
  if (r) {
    on_reading_(*r);
    co_return r;
  }
  ++stats_.failures;
  Reading failed;
  failed.device = slot->driver->spec().id;
  failed.at = clock_.Now();
  failed.reachable = false;
  failed.error = r.error();
  failed.latency = failed.at - started;
  on_reading_(failed);
  co_return r;
}

asio::awaitable<bool> Poller::Acquire(std::shared_ptr<Slot> slot) {
  if (slot->stopped) co_return false;
  if (!slot->busy) {
    slot->busy = true;
    co_return true;
  }
  auto turn =
      std::make_shared<asio::steady_timer>(slot->timer.get_executor(), Steady::time_point::max());
  slot->waiters.push_back(turn);
  co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !slot->stopped;  // Release handed the driver over, still busy
}

void Poller::Release(Slot& slot) {
  if (slot.waiters.empty()) {
    slot.busy = false;
    return;
  }
  auto next = std::move(slot.waiters.front());
  slot.waiters.erase(slot.waiters.begin());
  next->cancel();
}

namespace {
Error NotPolled(const std::string& id) {
  return MakeError(Errc::kNotFound,
                   fmt::format("device '{}' is not being polled — it is unknown or disabled", id));
}
}  // namespace

asio::awaitable<Result<Reading>> Poller::PollNow(std::string id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) co_return Fail(NotPolled(id));
  std::shared_ptr<Slot> slot = it->second;
  if (!co_await Acquire(slot)) co_return Fail(NotPolled(id));
  auto r = co_await PollHeld(slot);
  Release(*slot);
  co_return r;
}

asio::awaitable<Result<void>> Poller::Switch(std::string id, bool on) {
  auto it = slots_.find(id);
  if (it == slots_.end()) co_return Fail(NotPolled(id));
  std::shared_ptr<Slot> slot = it->second;
  if (!co_await Acquire(slot)) co_return Fail(NotPolled(id));
  auto r = co_await slot->driver->Switch(on);
  Release(*slot);
  co_return r;
}

}  // namespace plugwatch::engine
