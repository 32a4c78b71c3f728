#include "plugwatch/devices/tapo/p110_driver.h"

#include <fmt/format.h>

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
  const auto time = json.find(kTimeKey);
  const auto uuid = json.find(kUuidMark);
  if (time == std::string_view::npos || uuid == std::string_view::npos || uuid < time)
    throw std::logic_error("request template without a time and a terminal_uuid after it");
  before_time_ = json.substr(0, time + kTimeKey.size() - 1);
  const std::size_t after_time = time + kTimeKey.size();
  before_uuid_ = json.substr(after_time, uuid - after_time);
  after_uuid_ = json.substr(uuid + kUuidMark.size());
}

void RequestTemplate::Render(TimePoint now, std::string_view terminal_uuid,
                             std::string& out) const {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, UnixMillis(now)).ptr;
  out.reserve(before_time_.size() + 16 + before_uuid_.size() + terminal_uuid.size() +
              after_uuid_.size());
  out.assign(before_time_).append(digits, end).append(before_uuid_);
  out.append(terminal_uuid).append(after_uuid_);
}

const RequestTemplate& PollTemplate(bool energy) {
  auto make = [](std::string_view second) {
    const Request requests[] = {{"get_device_info", {}}, {std::string(second), {}}};
    return RequestTemplate(BuildMultipleRequest(requests, TimePoint{}, RequestTemplate::kUuidMark));
  };
  static const RequestTemplate with_energy = make("get_energy_usage");
  static const RequestTemplate with_power = make("get_current_power");
  return energy ? with_energy : with_power;
}

}  // namespace internal

P110Driver::P110Driver(DeviceSpec spec, net::HostPort address, const devices::DriverContext& ctx)
    : spec_(std::move(spec)),
      where_(address.ToString()),
      request_timeout_(ctx.request_timeout),
      clock_(ctx.clock != nullptr ? ctx.clock : &DefaultClock()),
      mode_(spec_.protocol == "klap"          ? Mode::kKlap
            : spec_.protocol == "passthrough" ? Mode::kPassthrough
                                              : Mode::kAuto),
      client_(ctx.executor, std::move(address.host), address.port),
      terminal_uuid_(NewTerminalUuid()) {}

P110Driver::~P110Driver() = default;

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
  SessionConfig config{spec_.username, spec_.password, request_timeout_, clock_};
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
      auto probed = co_await ProbeTransport(client_, request_timeout_);
      if (!probed) co_return Fail(probed.error());
      chosen_ = *probed;
    }
    UseTransport(*chosen_);
  }
  co_return Result<void>();
}

boost::asio::awaitable<Result<P110Driver::Answer>> P110Driver::Call(std::string_view json,
                                                                    Read read) {
  for (int attempt = 0;; ++attempt) {
    if (!session_) {  // no coroutine frame for the usual case
      auto ready = co_await EnsureSession();
      if (!ready) co_return Fail(ready.error());
    }
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
    auto answer = ReadAnswer(*text, read);
    if (!answer && answer.error().Is(Errc::kSessionExpired)) {
      session_->Invalidate();
      if (attempt == 0) continue;
    }
    co_return answer;
  }
}

Result<P110Driver::Answer> P110Driver::ReadAnswer(std::string_view text, Read read) {
  if (read == Read::kPollFields) {
    // Its error_code is 0: no session to repair.
    if (auto poll = ReadPollAnswer(text)) return Answer{*poll, {}};
  }
  auto envelope = ParseEnvelopeRaw(text);
  if (!envelope) return Fail(envelope.error());
  // kSessionExpired: the device dropped the session (9999, -1301, -1005).
  if (IsSessionCode(envelope->error_code)) return Fail(ErrorFromCode(envelope->error_code));
  return Answer{std::nullopt, std::move(*envelope)};
}

boost::asio::awaitable<Result<json::value>> P110Driver::CallSingle(std::string_view method) {
  // The same text the template rendered: BuildRequest with the time.
  const std::string request =
      BuildRequest(Request{std::string(method), {}}, clock_->Now(), terminal_uuid_);
  auto answer = co_await Call(request);
  if (!answer) co_return Fail(answer.error());
  const Envelope& envelope = answer->envelope;
  if (envelope.error_code != 0) co_return Fail(Wrap(ErrorFromCode(envelope.error_code), method));
  co_return std::move(answer->envelope.result);
}

boost::asio::awaitable<Result<P110Driver::Fetched>> P110Driver::Fetch(bool for_poll) {
  if (!batch_) co_return co_await FetchGeneral(nullptr);
  // In this call's frame: the session reads it until it has sent it.
  std::string request;
  internal::PollTemplate(energy_).Render(clock_->Now(), terminal_uuid_, request);
  // The fast path knows the answer to get_device_info + get_energy_usage.
  const Read read = for_poll && energy_ ? Read::kPollFields : Read::kTree;
  auto answer = co_await Call(request, read);
  if (!answer) co_return Fail(answer.error());
  if (answer->poll) co_return Fetched{answer->poll, {}, {}, std::nullopt};
  co_return co_await FetchGeneral(&answer->envelope);
}

boost::asio::awaitable<Result<P110Driver::Fetched>> P110Driver::FetchGeneral(
    Envelope* batch_answer) {
  Fetched f;
  bool have_power = false;
  if (batch_answer != nullptr) {
    Envelope& envelope = *batch_answer;
    if (envelope.error_code == kBatchRejected) {
      batch_ = false;
      log::info("tapo[{}] {}: the plug rejects batched requests; sending them one by one", spec_.id,
                where_);
    } else if (envelope.error_code != 0) {
      co_return Fail(Wrap(ErrorFromCode(envelope.error_code), "multipleRequest"));
    } else {
      json::value* responses = envelope.result.is_object()
                                   ? envelope.result.as_object().if_contains("responses")
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
  auto fetched = co_await Fetch(/*for_poll=*/true);
  co_return ToReading(fetched, started);
}

Result<Reading> P110Driver::ToReading(const Result<Fetched>& fetched,
                                      std::chrono::steady_clock::time_point started) {
  if (!fetched) return Fail(Failed(fetched.error()));
  Reading r;
  r.device = spec_.id;
  r.reachable = true;
  if (const auto& poll = fetched->poll) {
    r.relay_on = poll->device_on;
    r.power_w = poll->current_power_w();
    r.device_energy_wh = static_cast<double>(poll->today_energy_wh);
  } else {
    const json::object* info = fetched->device_info.if_object();
    const json::value* on = info != nullptr ? info->if_contains("device_on") : nullptr;
    if (on == nullptr || !on->is_bool())
      return Fail(
          Failed(MakeError(Errc::kProtocol, "get_device_info: field 'device_on' is missing")));
    r.relay_on = on->get_bool();
    if (!fetched->energy_usage.is_null()) {
      auto usage = ParseEnergyUsage(fetched->energy_usage);
      if (!usage) return Fail(Failed(usage.error()));
      r.power_w = usage->current_power_w();
      r.device_energy_wh = static_cast<double>(usage->today_energy_wh);
    } else if (fetched->current_power_w) {
      r.power_w = static_cast<double>(*fetched->current_power_w);
    }
  }
  r.at = clock_->Now();
  r.latency = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - started);
  Succeeded();
  return r;
}

boost::asio::awaitable<Result<void>> P110Driver::Switch(bool on) {
  const Request request{"set_device_info", json::object{{"device_on", on}}};
  const std::string text = BuildRequest(request, clock_->Now(), terminal_uuid_);
  auto answer = co_await Call(text);
  if (!answer) co_return Fail(Failed(answer.error()));
  if (answer->envelope.error_code != 0)
    co_return Fail(Failed(Wrap(ErrorFromCode(answer->envelope.error_code), "set_device_info")));
  Succeeded();
  co_return Result<void>();
}

boost::asio::awaitable<Result<json::object>> P110Driver::Info() {
  auto fetched = co_await Fetch(/*for_poll=*/false);
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
