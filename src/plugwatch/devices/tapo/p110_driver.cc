#include "plugwatch/devices/tapo/p110_driver.h"

#include <fmt/format.h>

#include <boost/json/monotonic_resource.hpp>
#include <charconv>
#include <chrono>

#include "plugwatch/core/log.h"
#include "plugwatch/devices/tapo/klap_session.h"
#include "plugwatch/devices/tapo/passthrough_session.h"

namespace plugwatch::tapo {
namespace json = boost::json;
namespace {

constexpr std::int64_t kUnknownMethod = -1002;
constexpr std::int64_t kBatchRejected = -1003;
constexpr int kHandshakeFailuresBeforeReprobe = 3;
constexpr std::string_view kTimeKey = "\"request_time_milis\":0";
// First block of a call's JSON arena: a P110's poll answer fits in it.
constexpr std::size_t kArenaBlock = 4096;

bool IsSessionCode(std::int64_t code) {
  const ErrorCodeInfo* info = FindErrorCode(code);
  return info != nullptr && info->errc == Errc::kSessionExpired;
}

const SystemClock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

namespace internal {

RequestTemplate::RequestTemplate(std::string_view json) {
  const auto at = json.find(kTimeKey);
  if (at == std::string_view::npos) throw std::logic_error("request template without a time");
  prefix_ = json.substr(0, at + kTimeKey.size() - 1);
  suffix_ = json.substr(at + kTimeKey.size());
}

void RequestTemplate::Render(TimePoint now, std::string& out) const {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, UnixMillis(now)).ptr;
  out.assign(prefix_).append(digits, end).append(suffix_);
}

}  // namespace internal

class P110Driver::ArenaScope {
 public:
  explicit ArenaScope(P110Driver& driver) : driver_(driver), outer_(driver.arena_ != nullptr) {
    if (!outer_) driver_.arena_ = &arena_;
  }
  ~ArenaScope() {
    if (!outer_) driver_.arena_ = nullptr;
  }
  ArenaScope(const ArenaScope&) = delete;
  ArenaScope& operator=(const ArenaScope&) = delete;

 private:
  P110Driver& driver_;
  bool outer_;  // nested in another call's scope: use that arena
  json::monotonic_resource arena_{kArenaBlock};
};

P110Driver::P110Driver(DeviceSpec spec, net::HostPort address, const devices::DriverContext& ctx)
    : spec_(std::move(spec)),
      address_(std::move(address)),
      where_(address_.ToString()),
      ctx_(ctx),
      clock_(ctx.clock != nullptr ? ctx.clock : &DefaultClock()),
      mode_(spec_.protocol == "klap"          ? Mode::kKlap
            : spec_.protocol == "passthrough" ? Mode::kPassthrough
                                              : Mode::kAuto),
      client_(ctx.executor, address_.host, address_.port),
      terminal_uuid_(NewTerminalUuid()) {
  RebuildPollTemplate();
}

P110Driver::~P110Driver() = default;

void P110Driver::RebuildPollTemplate() {
  const Request requests[] = {{"get_device_info", {}},
                              {energy_ ? "get_energy_usage" : "get_current_power", {}}};
  poll_batch_ =
      internal::RequestTemplate(BuildMultipleRequest(requests, TimePoint{}, terminal_uuid_));
}

std::string_view P110Driver::protocol() const {
  return session_ ? session_->protocol() : std::string_view();
}

long long P110Driver::handshakes() const {
  return past_handshakes_ + (session_ ? session_->handshakes() : 0);
}

std::string P110Driver::Describe() const {
  return fmt::format("tapo {} {} user={} password={} protocol={}", spec_.id, where_, spec_.username,
                     spec_.password.empty() ? "(none)" : "********", spec_.protocol);
}

Error P110Driver::Tag(Error e) const {
  // Net errors already start with "host:port: ".
  if (e.context.size() > where_.size() + 1 && e.context.starts_with(where_) &&
      e.context.compare(where_.size(), 2, ": ") == 0)
    e.context = fmt::format("tapo[{}] {}", spec_.id, e.context);
  else
    e.context = fmt::format("tapo[{}] {}: {}", spec_.id, where_, e.context);
  return e;
}

Error P110Driver::Failed(Error e) {
  // Bytes from the device that are not JSON are the device's protocol fault,
  // not bad user input.
  if (e.Is(Errc::kParse)) e.code = make_error_code(Errc::kProtocol);
  e = Tag(std::move(e));
  const devices::HealthState before = health_.state;
  if (e.Is(Errc::kUnauthorized)) {
    health_ = {devices::HealthState::kFailed, e.context};
    if (before != devices::HealthState::kFailed) log::error("{}", e.context);
  } else {
    health_ = {devices::HealthState::kWarning, e.context + " — retrying"};
    if (before == devices::HealthState::kOk) log::warn("{}", health_.hint);
  }
  return e;
}

void P110Driver::Succeeded() {
  if (health_.state != devices::HealthState::kOk) {
    log::info("tapo[{}] {}: answering again ({})", spec_.id, where_, protocol());
    health_ = {};
  }
}

void P110Driver::UseTransport(TransportKind kind) {
  if (session_) past_handshakes_ += session_->handshakes();
  SessionConfig config{spec_.username, spec_.password, ctx_.request_timeout, clock_};
  if (kind == TransportKind::kKlap)
    session_ = std::make_unique<KlapSession>(client_, std::move(config));
  else
    session_ = std::make_unique<PassthroughSession>(client_, std::move(config), terminal_uuid_);
}

boost::asio::awaitable<Result<void>> P110Driver::EnsureSession() {
  if (session_) co_return Result<void>();
  if (mode_ == Mode::kKlap) {
    UseTransport(TransportKind::kKlap);
  } else if (mode_ == Mode::kPassthrough) {
    UseTransport(TransportKind::kPassthrough);
  } else {
    if (!chosen_) {
      auto probed = co_await ProbeTransport(client_, ctx_.request_timeout);
      if (!probed) co_return Fail(probed.error());
      chosen_ = *probed;
    }
    UseTransport(*chosen_);
  }
  co_return Result<void>();
}

boost::asio::awaitable<Result<Envelope>> P110Driver::Call(std::string_view json) {
  for (int attempt = 0;; ++attempt) {
    auto ready = co_await EnsureSession();
    if (!ready) co_return Fail(ready.error());
    auto text = co_await session_->Request(json);
    if (!text) {
      if (!session_->established() && mode_ == Mode::kAuto) {
        // The handshake itself failed.
        if (text.error().Is(Errc::kNotSupported) && attempt == 0) {
          // The device said it speaks the other transport.
          chosen_ = session_->protocol() == "passthrough" ? TransportKind::kKlap
                                                          : TransportKind::kPassthrough;
          UseTransport(*chosen_);
          continue;
        }
        if (++handshake_failures_ >= kHandshakeFailuresBeforeReprobe) {
          handshake_failures_ = 0;
          chosen_.reset();
          past_handshakes_ += session_->handshakes();
          session_.reset();
        }
      }
      co_return Fail(text.error());
    }
    handshake_failures_ = 0;
    auto envelope = ParseEnvelopeRaw(*text, Storage());
    if (!envelope) co_return Fail(envelope.error());
    if (IsSessionCode(envelope->error_code)) {
      session_->Invalidate();
      if (attempt == 0) continue;
      co_return Fail(ErrorFromCode(envelope->error_code));
    }
    co_return envelope;
  }
}

boost::asio::awaitable<Result<json::value>> P110Driver::CallSingle(std::string_view method) {
  // The same text the template rendered: BuildRequest with the time.
  buffer_ = BuildRequest(Request{std::string(method), {}}, clock_->Now(), terminal_uuid_);
  auto envelope = co_await Call(buffer_);
  if (!envelope) co_return Fail(envelope.error());
  if (envelope->error_code != 0) co_return Fail(Wrap(ErrorFromCode(envelope->error_code), method));
  co_return std::move(envelope->result);
}

boost::asio::awaitable<Result<P110Driver::Fetched>> P110Driver::Fetch() {
  // In the call's storage, so that results are moved in, not copied.
  Fetched f{json::value(Storage()), json::value(Storage()), std::nullopt};
  bool have_power = false;
  if (batch_) {
    poll_batch_.Render(clock_->Now(), buffer_);
    auto envelope = co_await Call(buffer_);
    if (!envelope) co_return Fail(envelope.error());
    if (envelope->error_code == kBatchRejected) {
      batch_ = false;
      log::info("tapo[{}] {}: the plug rejects batched requests; sending them one by one", spec_.id,
                where_);
    } else if (envelope->error_code != 0) {
      co_return Fail(Wrap(ErrorFromCode(envelope->error_code), "multipleRequest"));
    } else {
      json::value* responses = envelope->result.is_object()
                                   ? envelope->result.as_object().if_contains("responses")
                                   : nullptr;
      if (responses == nullptr || !responses->is_array())
        co_return Fail(Errc::kProtocol, "multipleRequest: result has no 'responses' array");
      // Walked in place: ParseMultipleResults would copy every result.
      for (json::value& entry : responses->as_array()) {
        json::object* e = entry.if_object();
        const json::value* m = e != nullptr ? e->if_contains("method") : nullptr;
        const json::value* c = e != nullptr ? e->if_contains("error_code") : nullptr;
        if (m == nullptr || !m->is_string() || c == nullptr || !c->is_int64())
          co_return Fail(Errc::kProtocol, "multipleRequest: malformed entry in 'responses'");
        const std::string_view method = m->get_string();
        const std::int64_t code = c->get_int64();
        json::value* result = e->if_contains("result");
        if (method == "get_energy_usage" && code == kUnknownMethod) {
          energy_ = false;
          RebuildPollTemplate();
          continue;
        }
        if (code != 0) co_return Fail(Wrap(ErrorFromCode(code), method));
        if (result == nullptr) continue;
        if (method == "get_device_info") {
          f.device_info = std::move(*result);
        } else if (method == "get_energy_usage") {
          f.energy_usage = std::move(*result);
          have_power = true;
        } else if (method == "get_current_power") {
          auto w = ParseCurrentPowerW(*result);
          if (!w) co_return Fail(w.error());
          f.current_power_w = *w;
          have_power = true;
        }
      }
    }
  }
  // Not batched, or the device stopped short of some sub-requests.
  if (f.device_info.is_null()) {
    auto info = co_await CallSingle("get_device_info");
    if (!info) co_return Fail(info.error());
    f.device_info = std::move(*info);
  }
  if (!have_power && energy_) {
    auto usage = co_await CallSingle("get_energy_usage");
    if (usage) {
      f.energy_usage = std::move(*usage);
      have_power = true;
    } else if (usage.error().Is(Errc::kNotSupported)) {
      energy_ = false;
      RebuildPollTemplate();
    } else {
      co_return Fail(usage.error());
    }
  }
  if (!have_power) {
    auto power = co_await CallSingle("get_current_power");
    if (!power) co_return Fail(power.error());
    auto w = ParseCurrentPowerW(*power);
    if (!w) co_return Fail(w.error());
    f.current_power_w = *w;
  }
  co_return f;
}

boost::asio::awaitable<Result<Reading>> P110Driver::Poll() {
  const auto started = std::chrono::steady_clock::now();
  ArenaScope arena(*this);
  auto fetched = co_await Fetch();
  if (!fetched) co_return Fail(Failed(fetched.error()));
  const json::object* info = fetched->device_info.if_object();
  const json::value* on = info != nullptr ? info->if_contains("device_on") : nullptr;
  if (on == nullptr || !on->is_bool())
    co_return Fail(
        Failed(MakeError(Errc::kProtocol, "get_device_info: field 'device_on' is missing")));
  Reading r;
  r.device = spec_.id;
  r.reachable = true;
  r.relay_on = on->get_bool();
  if (!fetched->energy_usage.is_null()) {
    auto usage = ParseEnergyUsage(fetched->energy_usage);
    if (!usage) co_return Fail(Failed(usage.error()));
    r.power_w = usage->current_power_w();
    r.device_energy_wh = static_cast<double>(usage->today_energy_wh);
  } else if (fetched->current_power_w) {
    r.power_w = static_cast<double>(*fetched->current_power_w);
  }
  r.at = clock_->Now();
  r.latency = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - started);
  Succeeded();
  co_return r;
}

boost::asio::awaitable<Result<void>> P110Driver::Switch(bool on) {
  ArenaScope arena(*this);
  const Request request{"set_device_info", json::object{{"device_on", on}}};
  const std::string text = BuildRequest(request, clock_->Now(), terminal_uuid_);
  auto envelope = co_await Call(text);
  if (!envelope) co_return Fail(Failed(envelope.error()));
  if (envelope->error_code != 0)
    co_return Fail(Failed(Wrap(ErrorFromCode(envelope->error_code), "set_device_info")));
  Succeeded();
  co_return Result<void>();
}

boost::asio::awaitable<Result<json::object>> P110Driver::Info() {
  ArenaScope arena(*this);
  auto fetched = co_await Fetch();
  if (!fetched) co_return Fail(Failed(fetched.error()));
  auto info = ParseDeviceInfo(fetched->device_info);
  if (!info) co_return Fail(Failed(info.error()));
  json::object o;
  o["address"] = where_;
  o["model"] = info->model;
  o["type"] = info->type;
  o["mac"] = info->mac;
  o["nickname"] = info->nickname;
  o["fw_ver"] = info->fw_ver;
  o["hw_ver"] = info->hw_ver;
  o["device_id"] = info->device_id;
  o["ip"] = info->ip;
  o["protocol"] = protocol();
  if (const auto* klap = dynamic_cast<const KlapSession*>(session_.get()))
    o["credentials"] = klap->credentials();
  o["device_on"] = info->device_on;
  o["on_time"] = info->on_time;
  o["rssi"] = info->rssi;
  o["signal_level"] = info->signal_level;
  if (!fetched->energy_usage.is_null()) {
    auto usage = ParseEnergyUsage(fetched->energy_usage);
    if (!usage) co_return Fail(Failed(usage.error()));
    o["power_w"] = usage->current_power_w();
    o["today_energy_wh"] = usage->today_energy_wh;
    o["month_energy_wh"] = usage->month_energy_wh;
  } else if (fetched->current_power_w) {
    o["power_w"] = *fetched->current_power_w;
  }
  Succeeded();
  co_return o;
}

Result<std::unique_ptr<devices::Driver>> MakeP110Driver(const DeviceSpec& spec,
                                                        const devices::DriverContext& ctx) {
  const std::string who = fmt::format("tapo[{}]", spec.id);
  auto address = net::ParseHostPort(spec.address, 80);
  if (!address) return Fail(Wrap(address.error(), who));
  if (spec.protocol != "auto" && spec.protocol != "klap" && spec.protocol != "passthrough")
    return Fail(
        Errc::kInvalidArgument,
        fmt::format("{}: protocol '{}' is not one of auto, klap, passthrough", who, spec.protocol));
  if (!ctx.executor)
    return Fail(Errc::kInvalidArgument, fmt::format("{}: no executor to run on", who));
  return std::make_unique<P110Driver>(spec, *std::move(address), ctx);
}

}  // namespace plugwatch::tapo
