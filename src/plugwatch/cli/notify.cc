// `plugwatch notify test` and `plugwatch notify status`: try the configured
// sinks now, and see what the outbox holds per sink. `plugwatch notify
// subscribers` lists the Telegram bot's subscribers; `plugwatch notify
// subscribe CHAT…` adds chats without /start (a group whose id you know, or
// many at once in tests) — a running service includes them from its next notification on.
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/net/run_until_done.h"
#include "plugwatch/notify/render.h"
#include "plugwatch/notify/runtime.h"

namespace plugwatch::cli {

void RegisterNotify(CLI::App& app, Context& ctx) {
  auto* notify = app.add_subcommand("notify", "notifications: try the sinks, see the outbox");
  notify->require_subcommand(1);

  struct TestArgs {
    DbOptions db;
    std::string sink;
  };
  auto ta = std::make_shared<TestArgs>();
  auto* test = notify->add_subcommand(
      "test", "send a test message through every [[sinks]] entry (or one) and say what happened");
  ta->db.Add(*test);
  test->add_option("--sink", ta->sink, "only this sink (its [[sinks]] name)");
  test->callback([ta, &ctx] {
    const auto& cfg = ta->db.LoadConfig();
    if (!cfg)
      throw Exit{kExitUsage,
                 "no config file — pass -c plugwatch.toml (the sinks are configured "
                 "there under [[sinks]])"};
    auto store = ta->db.OpenStore(/*create=*/true);
    boost::asio::io_context io;
    SystemClock clock;
    auto rt = notify::MakeNotifyRuntime(io.get_executor(), *cfg, *store, clock);
    if (!rt) Throw((rt.error()), kExitUsage);
    auto names = (*rt)->outbox->SinkNames();
    if (!ta->sink.empty()) {
      if (std::find(names.begin(), names.end(), ta->sink) == names.end())
        throw Exit{kExitUsage,
                   fmt::format("no sink named '{}' — the configured sinks are: {}", ta->sink,
                               names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")))};
      names = {ta->sink};
    }
    if (names.empty())
      throw Exit{kExitUsage,
                 "no sinks configured — add a [[sinks]] entry (see docs/notifications.md)"};
    int failed = 0;
    for (const auto& name : names) {
      auto sink = (*rt)->outbox->FindSink(name);
      notify::Delivery d;
      d.sink = name;
      d.event_type = "test";
      d.created_at = clock.Now();
      d.idempotency_key = fmt::format("test-{}-{}", name, UnixMillis(d.created_at));
      d.message = notify::RenderTest(notify::Catalog::Notifications(), "en", name);
      const notify::Outcome o = net::RunUntilDone(io, sink->Deliver(d));
      if (o.kind == notify::Outcome::Kind::kDelivered) {
        fmt::print("{}: delivered\n", name);
      } else {
        ++failed;
        const char* what =
            o.kind == notify::Outcome::Kind::kRetry ? "not delivered (temporary)" : "not delivered";
        fmt::print("{}: {} — {}\n", name, what, o.detail);
      }
    }
    if (failed) ctx.exit_code = kExitFailure;
  });

  struct StatusArgs {
    DbOptions db;
    bool json = false;
  };
  auto sa = std::make_shared<StatusArgs>();
  auto* status = notify->add_subcommand(
      "status", "notifications per sink: queued, delivered, failed, dropped (from the database)");
  sa->db.Add(*status);
  status->add_flag("--json", sa->json, "print JSON");
  status->callback([sa] {
    auto store = sa->db.OpenStore();
    auto counts = store->NotificationCounts();
    if (!counts) Throw(counts.error());
    if (sa->json) {
      boost::json::array arr;
      for (const auto& c : *counts)
        arr.push_back(boost::json::object{{"sink", c.sink},
                                          {"queued", c.queued},
                                          {"delivered", c.delivered},
                                          {"failed", c.failed},
                                          {"dropped", c.dropped},
                                          {"last_error", c.last_error}});
      fmt::print("{}\n", boost::json::serialize(arr));
      return;
    }
    if (counts->empty()) {
      fmt::print("no notifications yet\n");
      return;
    }
    fmt::print("{:<16} {:>8} {:>10} {:>8} {:>8}  {}\n", "SINK", "QUEUED", "DELIVERED", "FAILED",
               "DROPPED", "LAST ERROR");
    for (const auto& c : *counts)
      fmt::print("{:<16} {:>8} {:>10} {:>8} {:>8}  {}\n", c.sink, c.queued, c.delivered, c.failed,
                 c.dropped, c.last_error);
  });

  struct SubsArgs {
    DbOptions db;
    bool json = false;
  };
  auto la = std::make_shared<SubsArgs>();
  auto* list = notify->add_subcommand(
      "subscribers", "the Telegram bot's subscribers: chat, language, topics, night sound");
  la->db.Add(*list);
  list->add_flag("--json", la->json, "print JSON");
  list->callback([la] {
    auto store = la->db.OpenStore();
    auto subs = store->ListSubscribers();
    if (!subs) Throw(subs.error());
    boost::json::array arr;
    for (const auto& s : *subs) {
      std::string topics = s.power && s.appliances ? "power,appliances"
                           : s.power               ? "power"
                           : s.appliances          ? "appliances"
                                                   : "";
      if (la->json) {
        arr.push_back(boost::json::object{{"chat_id", s.chat_id},
                                          {"user_id", s.user_id},
                                          {"username", s.username},
                                          {"language", s.language ? *s.language : ""},
                                          {"language_code", s.language_code},
                                          {"topics", topics},
                                          {"night_sound", s.night_sound},
                                          {"subscribed", s.subscribed}});
        continue;
      }
      fmt::print("{:>16} {:<4} {:<18} {:<6} {}\n", s.chat_id,
                 s.language ? *s.language : (s.language_code.empty() ? "-" : s.language_code),
                 topics.empty() ? "-" : topics, s.night_sound ? "sound" : "silent",
                 s.subscribed ? "subscribed" : "unsubscribed");
    }
    if (la->json) fmt::print("{}\n", boost::json::serialize(arr));
  });

  struct SubscribeArgs {
    DbOptions db;
    std::vector<long long> chats;
    std::string language;
    std::string topics;  // "" = keep (new chats: both)
    bool silent = false;
    bool sound = false;
  };
  auto sa2 = std::make_shared<SubscribeArgs>();
  auto* sub = notify->add_subcommand(
      "subscribe",
      "subscribe Telegram chats to the bot's notifications without /start (e.g. a group by its "
      "id); a chat that exists keeps every choice not given here; a running service picks "
      "them up within 2 s");
  sa2->db.Add(*sub);
  sub->add_option("chats", sa2->chats, "chat ids")->required();
  sub->add_option("--language", sa2->language,
                  "en | uk | ru | cs (default: the chat's choice, else the site's)")
      ->check(CLI::IsMember({"en", "uk", "ru", "cs"}));
  sub->add_option("--topics", sa2->topics,
                  "power, appliances or power,appliances (default: kept; both for a new chat)")
      ->check(CLI::IsMember({"power", "appliances", "power,appliances", "appliances,power"}));
  auto* silent = sub->add_flag("--silent-at-night", sa2->silent,
                               "no sound during the site's quiet_hours (default: kept; sound for "
                               "a new chat)");
  sub->add_flag("--night-sound", sa2->sound, "sound during quiet hours too")->excludes(silent);
  sub->callback([sa2] {
    auto store = sa2->db.OpenStore(/*create=*/true);
    auto existing = store->ListSubscribers();
    if (!existing) Throw(existing.error());
    std::vector<store::TelegramSubscriber> rows;
    for (long long chat : sa2->chats) {
      store::TelegramSubscriber s;
      s.chat_id = chat;
      for (const auto& old : *existing)
        if (old.chat_id == chat) s = old;  // keep what the person chose in the bot
      s.subscribed = true;
      s.updated_at = {};
      if (!sa2->language.empty()) s.language = sa2->language;
      if (!sa2->topics.empty()) {
        s.power = sa2->topics.find("power") != std::string::npos;
        s.appliances = sa2->topics.find("appliances") != std::string::npos;
      }
      if (sa2->silent) s.night_sound = false;
      if (sa2->sound) s.night_sound = true;
      rows.push_back(std::move(s));
    }
    if (auto r = store->SaveSubscribers(rows); !r) Throw(r.error());
    fmt::print("{} chats subscribed\n", rows.size());
  });
}

}  // namespace plugwatch::cli
