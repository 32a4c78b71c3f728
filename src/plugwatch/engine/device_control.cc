// Service: polling and switching a device on request (REST API), through the
// poller, which never lets them overlap a scheduled poll.
#include <fmt/format.h>

#include "plugwatch/engine/service.h"

namespace plugwatch::engine {

namespace {
namespace asio = boost::asio;
}  // namespace

Result<void> Service::Controllable(const std::string& device) {
  if (devices_.contains(device)) return {};
  auto stored = store_->GetDevice(device);
  if (!stored) return Fail(stored.error());
  if (!*stored)
    return Fail(Errc::kNotFound,
                fmt::format("device '{}' does not exist — see GET /api/devices", device));
  return Fail(Errc::kAlreadyExists,
              fmt::format("device '{}' is disabled — enable it first (PATCH {{\"enabled\":true}})",
                          device));
}

asio::awaitable<Result<Reading>> Service::CheckNow(std::string device) {
  if (auto ok = Controllable(device); !ok) co_return Fail(ok.error());
  co_return co_await poller_.PollNow(device);
}

asio::awaitable<Result<void>> Service::Switch(std::string device, bool on, std::string source) {
  if (auto ok = Controllable(device); !ok) co_return Fail(ok.error());
  auto r = co_await poller_.Switch(device, on);
  if (!r) co_return r;
  auto it = devices_.find(device);  // removed while switching: nothing to record
  if (it != devices_.end())
    Emit(it->second.monitor->OnSwitched(on, clock_.Now(), source), it->second);
  co_return r;
}

}  // namespace plugwatch::engine
