#include "plugwatch/notify/outbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <filesystem>

namespace plugwatch::notify {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// A sink that records what it is given and answers from a script (then
// "delivered"), after a short delay like a network round trip.
class ScriptedSink final : public Sink {
 public:
  explicit ScriptedSink(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  asio::awaitable<Outcome> Deliver(const Delivery& d) override {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
    co_await t.async_wait(asio::use_awaitable);
    seen.push_back(d.recipient + ":" + d.message.text + "#" + std::to_string(d.attempt));
    if (!script.empty()) {
      Outcome o = script.front();
      script.pop_front();
      co_return o;
    }
    co_return Outcome::Delivered();
  }
  std::deque<Outcome> script;
  std::vector<std::string> seen;

 private:
  std::string name_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("pw-outbox-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    fs::remove(path_);
    auto s = store::OpenSqlite(path_);
    ASSERT_TRUE(s) << s.error().context;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(path_ + ext);
  }
  // Runs the io_context until `done` or 5 s.
  template <class F>
  bool RunUntil(F done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < until) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
    return done();
  }
  long long Count(const std::string& sink, const std::string& state) {
    auto c = store_->NotificationCounts();
    EXPECT_TRUE(c);
    for (const auto& x : *c)
      if (x.sink == sink)
        return state == "queued"      ? x.queued
               : state == "delivered" ? x.delivered
               : state == "failed"    ? x.failed
                                      : x.dropped;
    return 0;
  }

  std::string path_;
  std::unique_ptr<store::Store> store_;
  asio::io_context io_;
  SystemClock clock_;
  RetryPolicy fast_{.initial = Duration(5), .max_delay = Duration(20), .jitter = 0.2};
};

Message Text(std::string t) {
  Message m;
  m.text = std::move(t);
  return m;
}

TEST_F(OutboxTest, DeliversInOrderPerRecipientThroughRetries) {
  auto sink = std::make_shared<ScriptedSink>("hook");
  sink->script = {Outcome::Retry("HTTP 503"), Outcome::Retry("HTTP 429", Duration(10))};
  Outbox outbox(io_.get_executor(), *store_, clock_, fast_);
  outbox.AddSink(sink);
  for (int i = 1; i <= 3; ++i)
    ASSERT_EQ(outbox.Enqueue("hook", "", "test", "k" + std::to_string(i), Text(std::to_string(i))),
              1);
  // The same idempotency key is not queued twice.
  EXPECT_EQ(outbox.Enqueue("hook", "", "test", "k1", Text("1")), 0);
  outbox.Start();
  ASSERT_TRUE(RunUntil([&] { return sink->seen.size() >= 5; }));
  EXPECT_EQ(sink->seen, (std::vector<std::string>{":1#1", ":1#2", ":1#3", ":2#1", ":3#1"}));
  ASSERT_TRUE(store_->Flush());
  EXPECT_EQ(Count("hook", "delivered"), 3);
  EXPECT_EQ(Count("hook", "queued"), 0);
  auto stats = outbox.Stats();
  EXPECT_EQ(stats.results["hook"]["delivered"], 3);
  EXPECT_EQ(stats.results["hook"]["retry"], 2);
}

TEST_F(OutboxTest, PermanentFailureDoesNotBlockTheNextMessage) {
  auto sink = std::make_shared<ScriptedSink>("hook");
  sink->script = {Outcome::Failed("HTTP 400: bad request")};
  Outbox outbox(io_.get_executor(), *store_, clock_, fast_);
  outbox.AddSink(sink);
  ASSERT_TRUE(outbox.Enqueue("hook", "", "test", "a", Text("a")));
  ASSERT_TRUE(outbox.Enqueue("hook", "", "test", "b", Text("b")));
  outbox.Start();
  ASSERT_TRUE(RunUntil([&] { return sink->seen.size() >= 2; }));
  ASSERT_TRUE(store_->Flush());
  EXPECT_EQ(Count("hook", "failed"), 1);
  EXPECT_EQ(Count("hook", "delivered"), 1);
  auto counts = store_->NotificationCounts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->at(0).last_error, "HTTP 400: bad request");
}

TEST_F(OutboxTest, RecipientGoneDropsItsQueueAndCallsTheHook) {
  auto sink = std::make_shared<ScriptedSink>("telegram");
  sink->script = {Outcome::RecipientGone("403 blocked")};
  Outbox outbox(io_.get_executor(), *store_, clock_, fast_);
  outbox.AddSink(sink);
  std::vector<std::string> hook;
  outbox.OnRecipientChange([&](const std::string& s, const std::string& old, const Outcome& o) {
    hook.push_back(s + "/" + old + "/" + o.detail);
  });
  ASSERT_TRUE(outbox.Enqueue("telegram", "42", "test", "a", Text("a")));
  ASSERT_TRUE(outbox.Enqueue("telegram", "42", "test", "b", Text("b")));
  ASSERT_TRUE(outbox.Enqueue("telegram", "7", "test", "c", Text("c")));
  outbox.Start();
  ASSERT_TRUE(RunUntil([&] { return sink->seen.size() >= 2 && !hook.empty(); }));
  io_.run_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(store_->Flush());
  EXPECT_EQ(hook, (std::vector<std::string>{"telegram/42/403 blocked"}));
  EXPECT_EQ(Count("telegram", "dropped"), 2);
  EXPECT_EQ(Count("telegram", "delivered"), 1);
  EXPECT_EQ(std::count(sink->seen.begin(), sink->seen.end(), "42:b#1"), 0);
}

TEST_F(OutboxTest, QueuedRowsSurviveARestart) {
  {
    Outbox first(io_.get_executor(), *store_, clock_, fast_);
    ASSERT_TRUE(first.Enqueue("hook", "", "test", "a", Text("a")));
    ASSERT_TRUE(first.Enqueue("hook", "", "test", "b", Text("b")));
    // Never started: the process "died" with both queued.
  }
  store_.reset();
  auto reopened = store::OpenSqlite(path_);
  ASSERT_TRUE(reopened);
  store_ = std::move(*reopened);
  auto sink = std::make_shared<ScriptedSink>("hook");
  Outbox second(io_.get_executor(), *store_, clock_, fast_);
  second.AddSink(sink);
  second.Start();
  ASSERT_TRUE(RunUntil([&] { return sink->seen.size() >= 2; }));
  EXPECT_EQ(sink->seen, (std::vector<std::string>{":a#1", ":b#1"}));
}

TEST_F(OutboxTest, TooOldRowsAreDroppedUnsent) {
  ManualClock clock;
  RetryPolicy p = fast_;
  p.max_age = Duration(1000);
  auto sink = std::make_shared<ScriptedSink>("hook");
  Outbox outbox(io_.get_executor(), *store_, clock, p);
  outbox.AddSink(sink);
  ASSERT_TRUE(outbox.Enqueue("hook", "", "test", "a", Text("a")));
  clock.Advance(Duration(5000));
  outbox.Start();
  ASSERT_TRUE(RunUntil([&] { return outbox.Stats().results["hook"]["dropped"] == 1; }));
  EXPECT_TRUE(sink->seen.empty());
}

}  // namespace
}  // namespace plugwatch::notify
