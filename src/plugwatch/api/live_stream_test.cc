// LiveStream without a network: the bus and an in-memory store on one side,
// the clients' ResponseStreams (read with Take, as the HTTP server does) on
// the other.
#include "plugwatch/api/live_stream.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cstdio>

#include "plugwatch/core/time.h"
#include "plugwatch/engine/event_bus.h"
#include "plugwatch/net/response_stream.h"
#include "plugwatch/store/store.h"

namespace plugwatch::api {
namespace {

namespace json = boost::json;

const TimePoint kT0 = FromUnixMillis(1'795'341'600'000);  // 2026-11-22T10:00:00Z

Reading MakeReading(std::string device, double watts) {
  Reading r;
  r.device = std::move(device);
  r.at = kT0;
  r.reachable = true;
  r.power_w = watts;
  r.relay_on = true;
  return r;
}

TEST(SseFormat, EventIsIdTypeAndItsJson) {
  Event e = MakeEvent(EventType::kSwitchedOff, kT0, "washer", "home");
  e.id = 42;
  e.data["source"] = "api";
  EXPECT_EQ(SseEvent(e),
            "id: 42\nevent: switched_off\n"
            "data: {\"id\":42,\"ts\":\"2026-11-22T10:00:00.000Z\",\"type\":\"switched_off\","
            "\"device\":\"washer\",\"site\":\"home\",\"data\":{\"source\":\"api\"}}\n\n");
}

TEST(SseFormat, ReadingHasItsFiveFieldsAndNullsForTheUnknown) {
  EXPECT_EQ(SseReading(MakeReading("kettle", 2000.5), "7.3"),
            "id: 7.3\nevent: reading\n"
            "data: {\"device\":\"kettle\",\"ts\":\"2026-11-22T10:00:00.000Z\",\"reachable\":true,"
            "\"power_w\":2.0005E3,\"on\":true}\n\n");
  Reading down;
  down.device = "router";
  down.at = kT0;
  EXPECT_EQ(SseReading(down, "0.1"),
            "id: 0.1\nevent: reading\n"
            "data: {\"device\":\"router\",\"ts\":\"2026-11-22T10:00:00.000Z\",\"reachable\":false,"
            "\"power_w\":null,\"on\":null}\n\n");
}

TEST(StreamOptions, EnvironmentOverridesAndIgnoresNonsense) {
  std::map<std::string, std::string, std::less<>> vars{{"PLUGWATCH_STREAM_PING", "250ms"},
                                                       {"PLUGWATCH_STREAM_QUEUE_BYTES", "4096"},
                                                       {"PLUGWATCH_STREAM_MAX_CLIENTS", "many"}};
  auto o = StreamOptions::FromEnvironment([&](std::string_view k) -> std::optional<std::string> {
    auto it = vars.find(k);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  EXPECT_EQ(o.ping_every, Duration(250));
  EXPECT_EQ(o.max_queue_bytes, 4096u);
  EXPECT_EQ(o.max_clients, StreamOptions{}.max_clients);
}

class LiveStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqlite(":memory:");
    ASSERT_TRUE(s) << s.error().context;
    store_ = std::move(*s);
  }
  void Start(StreamOptions opts = {}) {
    live_ = LiveStream::Start(io_.get_executor(), bus_, *store_, opts);
  }
  // Records an event as the service does: stored (id assigned), then published.
  Event Record(EventType type, std::string device = "washer") {
    Event e = store_->RecordEvent(MakeEvent(type, kT0, std::move(device), "home"));
    bus_.Publish(e);
    return e;
  }
  std::shared_ptr<net::ResponseStream> Open(std::optional<std::string> last_event_id = {}) {
    net::HttpRequest req;
    req.target = "/api/stream";
    req.remote = "127.0.0.1";
    if (last_event_id) req.headers.emplace_back("Last-Event-ID", *last_event_id);
    auto res = live_->Open(req);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.Header("Content-Type"), "text/event-stream");
    return res.stream;
  }
  // The "id:" lines of what the stream has queued (and takes it).
  static std::vector<std::string> Ids(net::ResponseStream& s) {
    std::vector<std::string> out;
    std::string text = s.Take();
    s.Sent();
    for (std::size_t at = 0; (at = text.find("id: ", at)) != std::string::npos;) {
      auto end = text.find('\n', at);
      out.push_back(text.substr(at + 4, end - at - 4));
      at = end;
    }
    return out;
  }

  boost::asio::io_context io_;
  engine::EventBus bus_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<LiveStream> live_;
};

TEST_F(LiveStreamTest, SendsEveryEventAndReadingInOrderWithIds) {
  Event before = store_->RecordEvent(MakeEvent(EventType::kDeviceOnline, kT0, "washer", "home"));
  ASSERT_TRUE(store_->Flush());
  Start();
  auto s = Open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Take(), "retry: 3000\n\n");
  s->Sent();

  bus_.Publish(MakeReading("washer", 5));
  Event e = Record(EventType::kDeviceActive);
  bus_.Publish(MakeReading("washer", 400));
  const std::string text = s->Take();
  s->Sent();
  const std::string r1 = SseReading(MakeReading("washer", 5), fmt::format("{}.1", before.id));
  const std::string r2 = SseReading(MakeReading("washer", 400), fmt::format("{}.2", e.id));
  EXPECT_EQ(text, r1 + SseEvent(e) + r2);
}

TEST_F(LiveStreamTest, ReconnectingWithLastEventIdReplaysTheEventsItMissed) {
  Start();
  Event a = Record(EventType::kDeviceActive);
  Event b = Record(EventType::kCycleFinished);
  ASSERT_TRUE(store_->Flush());
  // Published but not committed yet: the replay still has it, once.
  Event c = Record(EventType::kSwitchedOff);

  auto after_a = Open(std::to_string(a.id));
  EXPECT_EQ(Ids(*after_a), (std::vector<std::string>{std::to_string(b.id), std::to_string(c.id)}));
  // A reading's id counts the events before it: the same replay.
  auto after_reading = Open(fmt::format("{}.17", a.id));
  EXPECT_EQ(Ids(*after_reading),
            (std::vector<std::string>{std::to_string(b.id), std::to_string(c.id)}));
  ASSERT_TRUE(store_->Flush());
  auto after_c = Open(std::to_string(c.id));
  EXPECT_EQ(Ids(*after_c), std::vector<std::string>{});
  // Not an id this service sent: no replay, just the live feed.
  auto garbage = Open("yesterday");
  EXPECT_EQ(Ids(*garbage), std::vector<std::string>{});
  Event d = Record(EventType::kSwitchedOn);
  EXPECT_EQ(Ids(*garbage), std::vector<std::string>{std::to_string(d.id)});
}

// Another process (the CLI) takes its event ids from a later block: its event
// is replayed without an id, so the client's Last-Event-ID stays within the
// service's own sequence.
TEST(LiveStreamReplay, AnotherProcesssEventIsReplayedWithoutAnId) {
  const std::string path = ::testing::TempDir() + "live_stream_replay_test.db";
  std::remove(path.c_str());
  auto service_store = store::OpenSqlite(path);
  ASSERT_TRUE(service_store) << service_store.error().context;
  boost::asio::io_context io;
  engine::EventBus bus;
  auto live = LiveStream::Start(io.get_executor(), bus, **service_store, {});
  auto record = [&](EventType t) {
    Event e = (*service_store)->RecordEvent(MakeEvent(t, kT0, "washer", "home"));
    bus.Publish(e);
    return e;
  };
  Event a = record(EventType::kDeviceActive);
  ASSERT_TRUE((*service_store)->Flush());
  Event cli;
  {
    auto cli_store = store::OpenSqlite(path);
    ASSERT_TRUE(cli_store) << cli_store.error().context;
    cli = (*cli_store)->RecordEvent(MakeEvent(EventType::kSwitchedOn, kT0, "washer", "home"));
    ASSERT_TRUE((*cli_store)->Flush());
  }
  Event c = record(EventType::kCycleFinished);
  ASSERT_TRUE((*service_store)->Flush());
  ASSERT_GT(cli.id, c.id);

  net::HttpRequest req;
  req.headers.emplace_back("Last-Event-ID", std::to_string(a.id));
  auto res = live->Open(req);
  ASSERT_TRUE(res.stream);
  EXPECT_EQ(res.stream->Take(), "retry: 3000\n\n" + SseEvent(c) + SseEvent(cli, false));
  EXPECT_TRUE(SseEvent(cli, false).starts_with("event: switched_on\ndata: {\"id\":"));
  live.reset();
  service_store->reset();
  std::remove(path.c_str());
}

TEST_F(LiveStreamTest, ReplayIsLimitedToTheNewestEventsAndSaysSo) {
  Start({.replay_max = 2});
  Event first = Record(EventType::kDeviceActive);
  Record(EventType::kDeviceActive);
  Event y = Record(EventType::kCycleFinished);
  Event z = Record(EventType::kSwitchedOff);
  ASSERT_TRUE(store_->Flush());
  auto s = Open(std::to_string(first.id - 1));
  const std::string text = s->Take();
  s->Sent();
  EXPECT_NE(text.find(": replay limited to the newest 2 events — GET /api/events for older ones"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("id: " + std::to_string(first.id) + "\n"), std::string::npos) << text;
  EXPECT_LT(text.find("id: " + std::to_string(y.id) + "\n"),
            text.find("id: " + std::to_string(z.id) + "\n"));
}

TEST_F(LiveStreamTest, ReplayLeavesRoomInTheClientsQueue) {
  Start({.max_queue_bytes = 1000});
  Event first = Record(EventType::kDeviceActive);
  for (int i = 0; i < 9; ++i) Record(EventType::kDeviceActive);
  Event last = Record(EventType::kSwitchedOff);
  auto s = Open(std::to_string(first.id));
  EXPECT_TRUE(s->open());
  EXPECT_LE(s->queued(), 500u + 100u);  // half the queue, the hello and the comment
  const std::string text = s->Take();
  s->Sent();
  std::size_t sent = 0;
  for (std::size_t at = 0; (at = text.find("\nid: ", at)) != std::string::npos; ++at) ++sent;
  EXPECT_GE(sent, 2u);
  EXPECT_LT(sent, 10u);
  EXPECT_NE(text.find(fmt::format(": replay limited to the newest {} events", sent)),
            std::string::npos)
      << text;
  EXPECT_TRUE(text.ends_with(SseEvent(last))) << text;
}

TEST_F(LiveStreamTest, ASlowClientIsDroppedWhileOthersKeepReceiving) {
  Start({.max_queue_bytes = 2000});
  auto slow = Open();
  auto fast = Open();
  ASSERT_EQ(live_->clients(), 2u);
  std::string got;
  for (int i = 0; i < 50; ++i) {
    bus_.Publish(MakeReading("washer", i));
    got += fast->Take();
    fast->Sent();
  }
  EXPECT_TRUE(slow->cut_off());
  EXPECT_FALSE(slow->open());
  EXPECT_EQ(live_->dropped(), 1);
  EXPECT_EQ(live_->clients(), 1u);
  EXPECT_TRUE(fast->open());
  EXPECT_NE(got.find(SseReading(MakeReading("washer", 49), "0.50")), std::string::npos) << got;
}

TEST_F(LiveStreamTest, ClientsAreCappedAndAClosedOneFreesItsPlace) {
  Start({.max_clients = 2});
  auto a = Open();
  auto b = Open();
  net::HttpRequest req;
  auto refused = live_->Open(req);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.body,
            R"({"error":"too many live stream clients (2) — close another dashboard or stream )"
            R"(client, then retry"})");
  EXPECT_EQ(refused.Header("Retry-After"), "5");
  EXPECT_FALSE(refused.stream);
  a->Close();  // the server is done with it (the peer left)
  EXPECT_EQ(live_->clients(), 1u);
  EXPECT_TRUE(Open());
}

TEST_F(LiveStreamTest, PingsKeepIdleClientsCompany) {
  Start({.ping_every = Duration(20)});
  auto s = Open();
  s->Take();
  s->Sent();
  io_.run_for(std::chrono::milliseconds(70));
  const std::string text = s->Take();
  EXPECT_TRUE(text.starts_with(": ping\n\n: ping\n\n")) << text;
}

TEST_F(LiveStreamTest, StopEndsEveryStreamAndRefusesNewOnes) {
  Start();
  auto s = Open();
  live_->Stop();
  EXPECT_TRUE(s->ending());
  net::HttpRequest req;
  auto res = live_->Open(req);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.body, R"({"error":"the service is shutting down — reconnect in a moment"})");
}

TEST_F(LiveStreamTest, TheBusOutlivingTheStreamIsHarmless) {
  Start();
  auto s = Open();
  live_.reset();
  bus_.Publish(MakeReading("washer", 1));
  Record(EventType::kDeviceActive);
  io_.run_for(std::chrono::milliseconds(5));
  EXPECT_EQ(s->Take(), "retry: 3000\n\n");
}

}  // namespace
}  // namespace plugwatch::api
