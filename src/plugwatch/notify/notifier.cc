#include "plugwatch/notify/notifier.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

#include "plugwatch/core/log.h"
#include "plugwatch/notify/render.h"

namespace plugwatch::notify {

std::string_view Topic(EventType t) {
  return t == EventType::kPowerLost || t == EventType::kPowerRestored ? "power" : "appliances";
}

Notifier::Notifier(const config::Config& cfg, Outbox& outbox, const Catalog& catalog,
                   const Clock& clock, DeviceName device_name)
    : cfg_(cfg),
      outbox_(outbox),
      catalog_(catalog),
      clock_(clock),
      device_name_(std::move(device_name)),
      site_times_(cfg) {}

bool Notifier::QuietNow(std::string_view site) const {
  return site_times_.Of(site).Quiet(clock_.Now());
}

void Notifier::AddRecipientSource(std::string sink, RecipientSource* source) {
  sources_.emplace_back(std::move(sink), source);
}

void Notifier::AddRecipient(std::string sink, std::string address, std::string language) {
  extras_.push_back({std::move(sink), std::move(address), std::move(language)});
}

void Notifier::Attach(engine::EventBus& bus) {
  bus.OnEvent([this](const Event& e) { OnEvent(e); });
}

namespace {

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::vector<Outbox::Item> Notifier::Route(const Event& e) const {
  std::vector<Outbox::Item> items;
  const std::string type(ToString(e.type));
  const std::string key = "event-" + std::to_string(e.id);
  const std::string data = boost::json::serialize(ToJson(e));
  const config::SiteConfig& site = cfg_.Site(e.site);
  const std::string& site_language = site.language;
  const bool quiet = QuietNow(e.site);
  std::map<std::pair<std::string, bool>, Message> rendered;  // (language, silent)
  auto render = [&](const std::string& lang, bool silent_at_night = false) -> const Message& {
    const std::string l = catalog_.Supported(lang.empty() ? site_language : lang);
    const bool silent = silent_at_night && quiet;
    auto it = rendered.find({l, silent});
    if (it == rendered.end()) {
      RenderOptions o{.language = l, .surge_window = site.surge_window};
      if (!e.device.empty() && device_name_) o.device_name = device_name_(e.device);
      Message m = Render(catalog_, e, o);
      m.data_json = data;
      m.silent = silent;
      it = rendered.emplace(std::pair{l, silent}, std::move(m)).first;
    }
    return it->second;
  };
  std::string label;
  if (auto* v = e.data.if_contains("label"); v && v->is_string()) label = v->as_string();

  for (const auto& s : cfg_.sinks) {
    if (!s.events.empty() && !Contains(s.events, type)) continue;
    if (!s.devices.empty()) {
      const bool match = e.device.empty() ? (Contains(s.devices, e.site) ||
                                             (!label.empty() && Contains(s.devices, label)))
                                          : Contains(s.devices, e.device);
      if (!match) continue;
    }
    items.push_back({s.name, "", type, key, render(s.language)});
  }
  for (const auto& x : extras_) items.push_back({x.sink, x.address, type, key, render(x.language)});
  const std::string_view topic = Topic(e.type);
  for (const auto& [sink, source] : sources_)
    for (const auto& r : source->Recipients(sink)) {
      if (!Contains(r.topics, topic)) continue;
      items.push_back({sink, r.address, type, key, render(r.language, r.silent_at_night)});
    }
  return items;
}

void Notifier::OnEvent(const Event& e) {
  auto items = Route(e);
  if (items.empty()) return;
  if (auto r = outbox_.Enqueue(items); !r)
    log::error("notify: {} for event {} not queued: {}", ToString(e.type), e.id,
               r.error().message());
}

}  // namespace plugwatch::notify
