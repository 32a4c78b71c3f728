#include "plugwatch/notify/telegram/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/bot_texts.h"
#include "plugwatch/notify/telegram/keyboards.h"
#include "plugwatch/notify/telegram/status_text.h"

namespace plugwatch::notify::telegram {

namespace json = boost::json;

namespace {

BotAction Send(long long chat, std::string text, std::optional<json::object> kb = std::nullopt) {
  BotAction a;
  a.kind = BotAction::Kind::kSend;
  a.chat_id = chat;
  a.text = std::move(text);
  a.keyboard = std::move(kb);
  return a;
}

BotAction Edit(long long chat, long long message_id, std::string text,
               std::optional<json::object> kb = std::nullopt) {
  BotAction a = Send(chat, std::move(text), std::move(kb));
  a.kind = BotAction::Kind::kEdit;
  a.message_id = message_id;
  return a;
}

BotAction Answer(std::string callback_id, std::string text) {
  BotAction a;
  a.kind = BotAction::Kind::kAnswer;
  a.callback_id = std::move(callback_id);
  a.text = std::move(text);
  return a;
}

constexpr std::string_view kMenu[] = {"start",    "status", "devices", "outages",
                                      "settings", "help",   "stop"};

}  // namespace

Commands::Commands(Subscribers& subs, store::Store& store, const engine::LiveStatus* live,
                   Enqueue enqueue, const Clock& clock, CommandsOptions opts)
    : subs_(subs),
      store_(store),
      live_(live),
      enqueue_(std::move(enqueue)),
      clock_(clock),
      opts_(std::move(opts)),
      throttle_(opts_.button_gap),
      command_throttle_(opts_.command_gap, opts_.command_burst) {}

json::array Commands::MenuCommands(std::string_view lang) {
  json::array out;
  for (std::string_view c : kMenu)
    out.push_back(json::object{
        {"command", c}, {"description", BotTexts().Get(lang, fmt::format("commands.{}", c))}});
  return out;
}

std::string Commands::LanguageFor(const Update& u) const {
  if (const auto* s = subs_.Find(u.chat_id)) return subs_.Language(*s);
  if (auto l = SupportedLanguage(u.language_code)) return *l;
  return opts_.default_language;
}

std::string Commands::Summary(const store::TelegramSubscriber& s, std::string_view key) const {
  const Catalog& t = BotTexts();
  const std::string lang = subs_.Language(s);
  const char* topics = s.power && s.appliances ? "topics.both"
                       : s.power               ? "topics.power"
                       : s.appliances          ? "topics.appliances"
                                               : "topics.none";
  return t.Get(lang, key,
               {{"language", t.Get(lang, "language.name")},
                {"topics", t.Get(lang, topics)},
                {"night", t.Get(lang, s.night_sound ? "night.on" : "night.off")}});
}

std::vector<BotAction> Commands::Handle(const Update& u) {
  // Choices another process stored (`plugwatch notify subscribe`) must not be
  // answered from, or overwritten with, a stale copy.
  subs_.Refresh(true);
  switch (u.kind) {
    case Update::Kind::kMessage:
      return OnMessage(u);
    case Update::Kind::kCallback:
      return OnButton(u);
    case Update::Kind::kOther:
      break;
  }
  return {};
}

std::vector<BotAction> Commands::OnMessage(const Update& u) {
  const Catalog& t = BotTexts();
  const Command cmd = ParseCommand(u.text);
  std::string lang = LanguageFor(u);
  const long long chat = u.chat_id;
  const TimePoint now = clock_.Now();
  if (!command_throttle_.Allow(chat, now)) {
    log::debug("telegram bot: chat {} sends faster than the bot may answer; message ignored", chat);
    return {};
  }
  auto failed = [&](const Error& e) {
    log::error("telegram bot: chat {}: {}", chat, e.message());
    return std::vector<BotAction>{Send(chat, t.Get(lang, "misc.error"))};
  };

  if (cmd.name == "/start") {
    store::TelegramSubscriber s;
    if (const auto* old = subs_.Find(chat)) s = *old;
    s.chat_id = chat;
    s.user_id = u.user_id;
    s.first_name = u.first_name;
    s.username = u.username;
    s.language_code = u.language_code;
    s.subscribed = true;
    s.updated_at = {};
    if (auto r = subs_.Save(s); !r) return failed(r.error());
    lang = subs_.Language(*subs_.Find(chat));
    const std::string name = u.first_name.empty() ? u.username : u.first_name;
    return {Send(chat, t.Get(lang, "start.welcome", {{"name", name}}),
                 LanguageKeyboard(ButtonPress::Flow::kStart, t))};
  }
  if (cmd.name == "/stop") {
    const auto* s = subs_.Find(chat);
    if (!s || !s->subscribed) return {Send(chat, t.Get(lang, "stop.not_subscribed"))};
    if (auto r = subs_.Unsubscribe(chat); !r) return failed(r.error());
    return {Send(chat, t.Get(lang, "stop.done"))};
  }
  if (cmd.name == "/status") {
    std::vector<engine::PowerLine> lines;
    if (live_) lines = live_->Power();
    return {Send(chat, StatusText(lines, lang, now, opts_.times))};
  }
  if (cmd.name == "/devices") {
    std::vector<engine::DeviceLine> devices;
    if (live_) devices = live_->Devices();
    return {Send(chat, DevicesText(devices, lang, now, opts_.times))};
  }
  if (cmd.name == "/outages") {
    auto outages = store_.QueryOutages(now - Duration(366LL * 86'400'000), false);
    if (!outages) return failed(outages.error());
    return {Send(chat, OutagesText(*outages, lang, now, opts_.outages_shown, opts_.times))};
  }
  if (cmd.name == "/settings") {
    const auto* s = subs_.Find(chat);
    if (!s || !s->subscribed) return {Send(chat, t.Get(lang, "settings.not_subscribed"))};
    return {Send(chat, Summary(*s, "settings.text"), SettingsKeyboard(t, lang))};
  }
  if (cmd.name == "/help") return {Send(chat, t.Get(lang, "help.text"))};
  if (cmd.name == "/broadcast") {
    if (std::find(opts_.admins.begin(), opts_.admins.end(), u.user_id) == opts_.admins.end()) {
      log::warn("telegram bot: /broadcast refused for user {} (not in [telegram] admins)",
                u.user_id);
      return {Send(chat, t.Get(lang, "broadcast.refused"))};
    }
    if (cmd.args.empty()) return {Send(chat, t.Get(lang, "broadcast.usage"))};
    std::vector<Outbox::Item> items;
    const std::string key = fmt::format("broadcast-{}", u.update_id);
    for (long long to : subs_.SubscribedChats()) {
      Outbox::Item it;
      it.sink = opts_.sink;
      it.recipient = std::to_string(to);
      it.event_type = "broadcast";
      it.idempotency_key = key;
      it.message.text = cmd.args;
      it.message.priority = 4;
      items.push_back(std::move(it));
    }
    auto n = enqueue_(items);
    if (!n) return failed(n.error());
    log::info("telegram bot: broadcast from user {} queued for {} chats", u.user_id, items.size());
    return {Send(chat, t.Plural(lang, "broadcast.queued", static_cast<long long>(items.size())))};
  }
  // Plain text and unknown commands: a hint in private chats; silence in
  // groups, where people talk to each other.
  if (chat > 0) return {Send(chat, t.Get(lang, "misc.unknown"))};
  return {};
}

std::vector<BotAction> Commands::OnButton(const Update& u) {
  const Catalog& t = BotTexts();
  std::string lang = LanguageFor(u);
  if (!throttle_.Allow(u.user_id, clock_.Now()))
    return {Answer(u.callback_id, t.Get(lang, "buttons.too_fast"))};
  const auto press = ParseButton(u.data);
  const auto* cur = subs_.Find(u.chat_id);
  if (!press || !cur) return {Answer(u.callback_id, t.Get(lang, "buttons.stale"))};
  if (!cur->subscribed) return {Answer(u.callback_id, t.Get(lang, "settings.not_subscribed"))};
  store::TelegramSubscriber s = *cur;
  switch (press->choice) {
    case ButtonPress::Choice::kLanguage:
      s.language = press->value;
      break;
    case ButtonPress::Choice::kTopics:
      s.power = press->value != "appliances";
      s.appliances = press->value != "power";
      break;
    case ButtonPress::Choice::kNight:
      s.night_sound = press->value == "on";
      break;
  }
  s.updated_at = {};
  if (auto r = subs_.Save(s); !r) {
    log::error("telegram bot: chat {}: {}", u.chat_id, r.error().message());
    return {Answer(u.callback_id, t.Get(lang, "misc.error"))};
  }
  lang = subs_.Language(s);
  std::vector<BotAction> out{Answer(u.callback_id, t.Get(lang, "buttons.saved"))};
  const long long chat = u.chat_id, msg = u.message_id;
  if (press->flow == ButtonPress::Flow::kSettings) {
    out.push_back(Edit(chat, msg, Summary(s, "settings.text"), SettingsKeyboard(t, lang)));
    return out;
  }
  switch (press->choice) {
    case ButtonPress::Choice::kLanguage:
      out.push_back(Edit(chat, msg, t.Get(lang, "start.topics"),
                         TopicsKeyboard(ButtonPress::Flow::kStart, t, lang)));
      break;
    case ButtonPress::Choice::kTopics:
      out.push_back(Edit(chat, msg, t.Get(lang, "start.night"),
                         NightKeyboard(ButtonPress::Flow::kStart, t, lang)));
      break;
    case ButtonPress::Choice::kNight:
      out.push_back(Edit(chat, msg, Summary(s, "start.done")));
      break;
  }
  return out;
}

}  // namespace plugwatch::notify::telegram
