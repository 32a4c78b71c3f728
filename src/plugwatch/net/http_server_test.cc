// HttpServer seen from raw sockets: streamed responses (chunks as they are
// written, a peer that leaves, a peer too slow to keep up, a stalled write),
// deadlines on slow requests, caps, and the graceful shutdown.
#include "plugwatch/net/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "plugwatch/net/response_stream.h"
#include "plugwatch/net/simple_request.h"

namespace plugwatch::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// A blocking client on a plain socket, so that a test controls exactly what
// is sent and when (or whether) it reads.
class RawClient {
 public:
  // rcvbuf: a small receive buffer, so that a client that does not read
  // stalls the server quickly.
  explicit RawClient(std::uint16_t port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }

  void Send(std::string_view s) {
    while (!s.empty()) {
      auto n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads until `what` has arrived (true), the peer closed or the time ran out.
  bool ReadUntil(std::string_view what, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Steady::now() + timeout;
    while (received_.find(what) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }
  // Reads until the peer closes the connection (true) or the time runs out.
  bool ReadUntilClosed(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Steady::now() + timeout;
    while (!closed_)
      if (!ReadSome(deadline) && !closed_) return false;
    return true;
  }
  const std::string& received() const { return received_; }
  bool closed() const { return closed_; }

 private:
  bool ReadSome(Steady::time_point deadline) {
    if (closed_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    received_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

constexpr std::string_view kStreamRequest = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n";

// What both the generic handler and the fast route answer to "/fast".
std::string FastBody(std::string_view method, std::string_view body) {
  return fmt::format("{{\"method\":\"{}\",\"body\":\"{}\"}}", method, body);
}

// A server on a loop thread. "/stream" answers with a ResponseStream the test
// writes to (on the loop, through OnLoop); "/slow" answers after 300 ms;
// "/sleep" after 5 s; "/fast" FastBody as JSON; anything else "ok" at once.
// With a fast route (StartFast), the route takes plain requests to "/fast"
// unless they carry "X-Generic", and answers them on a later turn of the
// loop, as a store's commit would; "/held" it takes and answers only when
// the test says so (AnswerHeld).
class HttpServerTest : public ::testing::Test {
 protected:
  void StartFast(ServerLimits limits = {}) {
    fast_ = true;
    Start(limits);
  }
  void Start(ServerLimits limits, std::size_t max_queued = 1 << 20) {
    server_ = std::make_unique<HttpServer>(
        io_.get_executor(),
        [this, max_queued](HttpRequest& req) -> asio::awaitable<HttpResponse> {
          HttpResponse r;
          if (req.Path() == "/stream") {
            auto s = std::make_shared<ResponseStream>(max_queued);
            s->OnClose([this] { ++closed_streams_; });
            streams_.push_back(s);
            r.headers.emplace_back("Content-Type", "text/event-stream");
            r.stream = s;
          } else if (req.Path() == "/fast") {
            r.headers.emplace_back("Content-Type", "application/json");
            r.body = FastBody(req.method, req.body);
          } else if (req.Path() == "/slow" || req.Path() == "/sleep") {
            asio::steady_timer t(io_, req.Path() == "/slow" ? 300ms : 5000ms);
            co_await t.async_wait(asio::use_awaitable);
            r.body = "slept";
          } else {
            r.body = "ok";
          }
          co_return r;
        },
        limits);
    if (fast_)
      server_->SetFastRoute(
          [this](const SimpleRequest& req, const std::string& remote, FastReply reply) {
            if (req.Header("X-Generic") || remote != "127.0.0.1") return false;
            if (req.Path() == "/held") {
              held_.push_back(reply);
            } else if (req.Path() == "/throw") {
              throw std::runtime_error("route broke");
            } else if (req.Path() == "/answer-then-throw") {
              reply.Send(200, "application/json", FastBody(req.method, req.body));
              throw std::runtime_error("route broke after answering");
            } else if (req.Path() == "/now") {
              // Answered before the route returns.
              reply.Send(200, "application/json", FastBody(req.method, req.body));
            } else if (req.Path() == "/fast") {
              asio::post(io_, [reply, body = FastBody(req.method, req.body)] {
                reply.Send(200, "application/json", body);
              });
            } else {
              return false;
            }
            ++fast_taken_;
            return true;
          });
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port) << port.error().context;
    port_ = *port;
    thread_ = std::thread([this] { io_.run(); });
  }

  template <class F>
  auto OnLoop(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void TearDown() override {
    if (server_ && thread_.joinable())
      OnLoop([&] {
        server_.reset();
        return 0;
      });
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::shared_ptr<ResponseStream> Stream(std::size_t i) {
    return OnLoop([&] { return i < streams_.size() ? streams_[i] : nullptr; });
  }
  // Waits until the handler has made stream i.
  std::shared_ptr<ResponseStream> WaitForStream(std::size_t i) {
    for (int k = 0; k < 300; ++k) {
      if (auto s = Stream(i)) return s;
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }
  bool Eventually(const std::function<bool()>& f, std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = Steady::now() + timeout;
    while (Steady::now() < deadline) {
      if (OnLoop(f)) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  // Sends `c` a request the fast route holds, and waits until it is taken.
  bool Hold(RawClient& c) {
    const int before = FastTaken();
    c.Send("GET /held HTTP/1.1\r\n\r\n");
    return Eventually([&] { return fast_taken_ == before + 1; });
  }
  // Sends the held requests' answers: on the loop thread (SendHeld), or
  // from the test's (AnswerHeld).
  void SendHeld(std::string_view type = "application/json",
                const std::string& body = FastBody("held", "")) {
    for (auto& r : held_) r.Send(200, type, body);
    held_.clear();
  }
  void AnswerHeld(std::string_view type = "application/json",
                  const std::string& body = FastBody("held", "")) {
    OnLoop([&] {
      SendHeld(type, body);
      return 0;
    });
  }
  int FastTaken() {
    return OnLoop([&] { return fast_taken_; });
  }
  // Sends a held request with `next` (if any) pipelined behind it; on one
  // turn of the loop, answers the held one and calls `then`. Returns all the
  // client received before the server closed the connection.
  std::string AnswerHeldThen(std::string_view next, const std::function<void()>& then) {
    RawClient c(port_);
    c.Send(fmt::format("GET /held HTTP/1.1\r\n\r\n{}", next));
    EXPECT_TRUE(Eventually([&] { return fast_taken_ == 1; }));
    OnLoop([&] {
      SendHeld();
      then();
      return 0;
    });
    EXPECT_TRUE(c.ReadUntilClosed(1000ms));
    EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }));
    return c.received();
  }
  std::string ShutdownBehindAHeldAnswer(std::string_view next) {
    std::promise<void> done;
    std::string received =
        AnswerHeldThen(next, [&] { server_->Shutdown(Duration(3000), [&] { done.set_value(); }); });
    EXPECT_EQ(done.get_future().wait_for(1s), std::future_status::ready);
    return received;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::vector<std::shared_ptr<ResponseStream>> streams_;  // loop thread only
  int closed_streams_ = 0;                                // loop thread only
  bool fast_ = false;
  int fast_taken_ = 0;           // loop thread only
  std::vector<FastReply> held_;  // loop thread only
};

std::string FastAnswer(std::string_view method, std::string_view body,
                       std::string_view extra = "") {
  const std::string json = FastBody(method, body);
  return fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{}Content-Length: {}\r\n\r\n{}", extra,
      json.size(), method == "HEAD" ? "" : json);
}

TEST_F(HttpServerTest, StreamSendsEachPieceAsAChunkUntilItEnds) {
  Start({});
  RawClient c(port_);
  c.Send(kStreamRequest);
  auto s = WaitForStream(0);
  ASSERT_TRUE(s);
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  EXPECT_NE(c.received().find("HTTP/1.1 200 OK\r\n"), std::string::npos) << c.received();
  EXPECT_NE(c.received().find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(c.received().find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(c.received().find("Content-Length"), std::string::npos);

  EXPECT_TRUE(OnLoop([&] { return s->Write("data: one\n\n"); }));
  ASSERT_TRUE(c.ReadUntil("b\r\ndata: one\n\n\r\n")) << c.received();
  EXPECT_EQ(OnLoop([&] { return server_->streams(); }), 1u);

  OnLoop([&] {
    s->Write("data: two\n\n");
    s->End();
    return 0;
  });
  ASSERT_TRUE(c.ReadUntilClosed());
  EXPECT_TRUE(c.received().ends_with("b\r\ndata: two\n\n\r\n0\r\n\r\n")) << c.received();
  EXPECT_TRUE(Eventually([&] { return closed_streams_ == 1; }));
  EXPECT_FALSE(OnLoop([&] { return s->Write("late"); }));
}

TEST_F(HttpServerTest, APeerThatLeavesEndsItsStreamAtOnce) {
  Start({});
  RawClient c(port_);
  c.Send(kStreamRequest);
  auto s = WaitForStream(0);
  ASSERT_TRUE(s && c.ReadUntil("\r\n\r\n"));
  c.Close();
  // Nothing is written: the server notices from the read side.
  EXPECT_TRUE(Eventually([&] { return closed_streams_ == 1; }, 2000ms));
  EXPECT_FALSE(OnLoop([&] { return s->open(); }));
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }));
}

TEST_F(HttpServerTest, AClientTooSlowToReadIsCutOffWhileAnotherKeepsReceiving) {
  Start({.write_timeout = Duration(30'000)}, 64 * 1024);
  RawClient slow(port_, 4096);
  slow.Send(kStreamRequest);
  auto s_slow = WaitForStream(0);
  RawClient fast(port_);
  fast.Send(kStreamRequest);
  auto s_fast = WaitForStream(1);
  ASSERT_TRUE(s_slow && s_fast);

  // The fast client reads everything on its own thread; the slow one never reads.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) fast.ReadUntil("never-sent", 50ms);
  });
  const std::string piece(1024, 'x');
  std::size_t written = 0;
  bool slow_open = true;
  for (int i = 0; i < 64 * 1024 && slow_open; ++i) {
    // One loop turn per piece, as a producer would write: never blocked.
    slow_open = OnLoop([&] {
      EXPECT_TRUE(s_fast->Write(piece));
      return s_slow->Write(piece);
    });
    ++written;
    if (i % 64 == 0) std::this_thread::sleep_for(1ms);
  }
  EXPECT_FALSE(slow_open) << "the slow client was never cut off after " << written << " KiB";
  EXPECT_TRUE(OnLoop([&] { return s_slow->cut_off(); }));
  EXPECT_TRUE(Eventually([&] { return closed_streams_ == 1; }));
  // The fast client got every piece, and its stream goes on.
  EXPECT_TRUE(OnLoop([&] { return s_fast->open() && s_fast->Write("z-end"); }));
  const auto deadline = Steady::now() + 5s;
  while (Steady::now() < deadline && OnLoop([&] { return s_fast->queued(); }) > 0)
    std::this_thread::sleep_for(5ms);
  stop = true;
  reader.join();
  ASSERT_TRUE(fast.ReadUntil("z-end"));
  std::size_t xs = 0;
  for (char ch : fast.received().substr(fast.received().find("\r\n\r\n"))) xs += ch == 'x';
  EXPECT_EQ(xs, written * piece.size());
}

TEST_F(HttpServerTest, AStalledWriteMissesTheWriteDeadline) {
  Start({.write_timeout = Duration(300)}, 64 << 20);
  RawClient c(port_, 4096);
  c.Send(kStreamRequest);
  auto s = WaitForStream(0);
  ASSERT_TRUE(s);
  // Far more than the socket buffers hold, well under the queue bound.
  const std::string big(8 << 20, 'x');
  const auto start = Steady::now();
  EXPECT_TRUE(OnLoop([&] { return s->Write(big); }));
  EXPECT_TRUE(Eventually([&] { return closed_streams_ == 1; }, 3000ms));
  EXPECT_LT(Steady::now() - start, 2500ms);
  EXPECT_FALSE(OnLoop([&] { return s->cut_off(); }));  // the deadline, not the bound
}

TEST_F(HttpServerTest, HeadOfAStreamSendsHeadersOnlyAndClosesTheStream) {
  Start({});
  RawClient c(port_);
  c.Send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("\r\n\r\n"));
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 200 OK\r\n")) << c.received();
  EXPECT_TRUE(Eventually([&] { return closed_streams_ == 1; }));
}

TEST_F(HttpServerTest, AKeptAliveConnectionMustSendItsNextRequestWithinTheReadDeadline) {
  Start({.read_timeout = Duration(300), .idle_timeout = Duration(10'000)});
  RawClient c(port_);
  c.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(c.ReadUntil("ok"));
  // Idle well past the read deadline: still open (idle_timeout).
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(c.ReadUntilClosed(10ms));
  // A request that starts and then dribbles is cut at the read deadline.
  const auto start = Steady::now();
  c.Send("GET /b HTTP/1.1\r\n");
  EXPECT_TRUE(c.ReadUntilClosed(3000ms));
  EXPECT_LT(Steady::now() - start, 2000ms);
  EXPECT_EQ(c.received().find("GET /b"), std::string::npos);
}

TEST_F(HttpServerTest, ANewConnectionThatSendsNothingIsClosedAtTheReadDeadline) {
  Start({.read_timeout = Duration(300), .idle_timeout = Duration(10'000)});
  RawClient c(port_);
  const auto start = Steady::now();
  EXPECT_TRUE(c.ReadUntilClosed(3000ms));
  EXPECT_LT(Steady::now() - start, 2000ms);
}

TEST_F(HttpServerTest, OversizedHeadersGet431AsJson) {
  Start({.max_header = 1024});
  RawClient c(port_);
  c.Send(fmt::format("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", std::string(4096, 'a')));
  ASSERT_TRUE(c.ReadUntilClosed());
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 431 ")) << c.received();
  EXPECT_NE(
      c.received().find(R"({"error":"request headers too large — send fewer or shorter headers"})"),
      std::string::npos)
      << c.received();
}

TEST_F(HttpServerTest, ConnectionsOverTheCapAreClosedAtOnce) {
  Start({.max_connections = 2});
  RawClient a(port_), b(port_);
  a.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  b.Send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(a.ReadUntil("ok") && b.ReadUntil("ok"));
  RawClient c(port_);
  c.Send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(c.ReadUntilClosed());
  EXPECT_EQ(c.received(), "");
  a.Close();
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 1; }));
  RawClient d(port_);
  d.Send("GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(d.ReadUntil("ok"));
}

TEST_F(HttpServerTest, ShutdownFinishesWorkInProgressAndClosesTheRest) {
  Start({});
  RawClient idle(port_);
  idle.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(idle.ReadUntil("ok"));
  RawClient streaming(port_);
  streaming.Send(kStreamRequest);
  auto s = WaitForStream(0);
  ASSERT_TRUE(s);
  RawClient busy(port_);
  busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(Eventually([&] { return server_->connections() == 3; }));

  std::promise<void> done;
  const auto start = Steady::now();
  OnLoop([&] {
    s->Write("data: last words\n\n");
    server_->Shutdown(Duration(3000), [&] { done.set_value(); });
    return 0;
  });
  EXPECT_TRUE(idle.ReadUntilClosed(1000ms));
  ASSERT_TRUE(streaming.ReadUntilClosed());
  EXPECT_TRUE(streaming.received().ends_with("data: last words\n\n\r\n0\r\n\r\n"))
      << streaming.received();
  ASSERT_TRUE(busy.ReadUntilClosed());
  EXPECT_TRUE(busy.received().starts_with("HTTP/1.1 200 OK\r\n")) << busy.received();
  EXPECT_NE(busy.received().find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(busy.received().ends_with("slept"));
  EXPECT_EQ(done.get_future().wait_for(2s), std::future_status::ready);
  EXPECT_LT(Steady::now() - start, 2000ms);  // not the whole grace period
  EXPECT_EQ(OnLoop([&] { return server_->connections(); }), 0u);
  EXPECT_EQ(OnLoop([&] { return closed_streams_; }), 1);
  // No new connections.
  RawClient late(port_);
  EXPECT_FALSE(late.connected() && late.ReadUntil("HTTP/1.1", 300ms));
}

TEST_F(HttpServerTest, ShutdownIsBoundedByItsGracePeriod) {
  Start({});
  RawClient busy(port_);
  busy.Send("GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(Eventually([&] { return server_->connections() == 1; }));
  std::promise<void> done;
  const auto start = Steady::now();
  OnLoop([&] {
    server_->Shutdown(Duration(200), [&] { done.set_value(); });
    return 0;
  });
  ASSERT_EQ(done.get_future().wait_for(3s), std::future_status::ready);
  EXPECT_LT(Steady::now() - start, 1500ms);
  EXPECT_GE(Steady::now() - start, 190ms);
  EXPECT_TRUE(busy.ReadUntilClosed(1000ms));
  EXPECT_EQ(busy.received().find("slept"), std::string::npos);
}

TEST_F(HttpServerTest, TheFastRouteAnswersByteForByteAsTheGenericPath) {
  StartFast();
  for (std::string_view method : {"GET", "HEAD", "POST"}) {
    const std::string request = fmt::format(
        "{} /fast?x=1 HTTP/1.1\r\nHost: x\r\n{{}}Content-Length: 5\r\n\r\nhello", method);
    RawClient fast(port_), generic(port_);
    fast.Send(fmt::format(fmt::runtime(request), ""));
    generic.Send(fmt::format(fmt::runtime(request), "X-Generic: 1\r\n"));
    const std::string expected = FastAnswer(method, "hello");
    ASSERT_TRUE(fast.ReadUntil(expected)) << method << ": " << fast.received();
    ASSERT_TRUE(generic.ReadUntil(expected)) << method << ": " << generic.received();
    EXPECT_EQ(fast.received(), generic.received());
  }
  EXPECT_EQ(FastTaken(), 3);
}

TEST_F(HttpServerTest, ARequestSplitAtAnyByteIsAnsweredTheSame) {
  StartFast();
  const std::string request =
      "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /fast "
      "HTTP/1.1\r\n\r\n";
  const std::string expected = FastAnswer("POST", "hello") + FastAnswer("GET", "");
  for (std::size_t split = 1; split < request.size(); ++split) {
    RawClient c(port_);
    c.Send(std::string_view(request).substr(0, split));
    std::this_thread::sleep_for(2ms);  // the server reads the first part alone
    c.Send(std::string_view(request).substr(split));
    ASSERT_TRUE(c.ReadUntil(expected)) << "split after " << split << ": " << c.received();
    EXPECT_EQ(c.received(), expected) << "split after " << split;
  }
  // Whole requests go the fast way, split ones the generic way.
  EXPECT_GT(FastTaken(), 0);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrderWhicheverPathTakesThem) {
  StartFast();
  RawClient c(port_);
  c.Send(
      "POST /fast HTTP/1.1\r\nContent-Length: 1\r\n\r\na"
      "GET /plain HTTP/1.1\r\n\r\n"
      "GET /fast HTTP/1.1\r\nX-Generic: yes\r\n\r\n"
      "POST /now HTTP/1.1\r\nContent-Length: 1\r\n\r\nc"
      "POST /now HTTP/1.1\r\nContent-Length: 1\r\n\r\nd"
      "POST /fast HTTP/1.1\r\nContent-Length: 1\r\n\r\nb");
  const std::string expected = FastAnswer("POST", "a") +
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
                               FastAnswer("GET", "") + FastAnswer("POST", "c") +
                               FastAnswer("POST", "d") + FastAnswer("POST", "b");
  ASSERT_TRUE(c.ReadUntil(expected)) << c.received();
  EXPECT_EQ(c.received(), expected);
  EXPECT_EQ(FastTaken(), 4);
}

TEST_F(HttpServerTest, WithAFastRouteBadAndOversizedRequestsGetTheSameErrors) {
  StartFast({.max_body = 16, .max_header = 1024});
  struct Case {
    std::string request;
    std::string status_line;
    std::string error;
  };
  const Case cases[] = {
      {fmt::format("GET /fast HTTP/1.1\r\nX-Big: {}\r\n\r\n", std::string(4096, 'a')),
       "HTTP/1.1 431 Request Header Fields Too Large\r\n",
       R"({"error":"request headers too large — send fewer or shorter headers"})"},
      {"POST /fast HTTP/1.1\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'x'),
       "HTTP/1.1 413 Payload Too Large\r\n",
       R"({"error":"request body larger than 16 bytes — send less"})"},
      {"GET /fast HTTP/1.1\r\nBad Name: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n",
       R"({"error":"malformed HTTP request: )"},
  };
  for (const Case& k : cases) {
    RawClient c(port_);
    c.Send(k.request);
    ASSERT_TRUE(c.ReadUntilClosed()) << k.request;
    EXPECT_TRUE(c.received().starts_with(k.status_line)) << c.received();
    EXPECT_NE(c.received().find("Connection: close\r\n"), std::string::npos) << c.received();
    EXPECT_NE(c.received().find(k.error), std::string::npos) << c.received();
  }
  EXPECT_EQ(FastTaken(), 0);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10GoTheGenericWay) {
  StartFast();
  RawClient c(port_);
  c.Send("GET /fast HTTP/1.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(c.ReadUntilClosed());
  EXPECT_EQ(c.received(), FastAnswer("GET", "", "Connection: close\r\n"));
  RawClient old(port_);
  old.Send("GET /fast HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old.ReadUntilClosed());
  // The generic path answers HTTP/1.1, closing.
  EXPECT_EQ(old.received(), FastAnswer("GET", "", "Connection: close\r\n"));
  EXPECT_EQ(FastTaken(), 0);
}

TEST_F(HttpServerTest, ShutdownWaitsForAFastAnswerAndClosesAfterIt) {
  StartFast();
  RawClient c(port_);
  ASSERT_TRUE(Hold(c));
  std::promise<void> done;
  OnLoop([&] {
    server_->Shutdown(Duration(3000), [&] { done.set_value(); });
    return 0;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(c.received(), "");  // still waiting for its answer, not closed
  AnswerHeld();
  ASSERT_TRUE(c.ReadUntilClosed());
  EXPECT_EQ(c.received(), FastAnswer("held", "", "Connection: close\r\n"));
  EXPECT_EQ(done.get_future().wait_for(3s), std::future_status::ready);
}

TEST_F(HttpServerTest, WithAFastRouteTheReadAndIdleDeadlinesStillHold) {
  // Fast reads carry no timer of their own; the server's sweep keeps them.
  StartFast({.read_timeout = Duration(300), .idle_timeout = Duration(800)});
  RawClient silent(port_);
  RawClient kept(port_);
  kept.Send("GET /fast HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(kept.ReadUntil(FastAnswer("GET", "")));
  const auto answered = Steady::now();
  // A new connection that sends nothing: closed at the read deadline.
  EXPECT_TRUE(silent.ReadUntilClosed(3000ms));
  EXPECT_LT(Steady::now() - answered, 700ms);
  // A kept-alive one may idle past the read deadline, not past the idle one.
  std::this_thread::sleep_for(500ms - (Steady::now() - answered));
  EXPECT_FALSE(kept.ReadUntilClosed(10ms));
  EXPECT_TRUE(kept.ReadUntilClosed(3000ms));
  const auto idle = Steady::now() - answered;
  EXPECT_GT(idle, 700ms);
  EXPECT_LT(idle, 1500ms);
  EXPECT_EQ(FastTaken(), 1);
}

TEST_F(HttpServerTest, ARequestPipelinedBehindAHeldFastAnswerWaitsForIt) {
  StartFast();
  RawClient c(port_);
  c.Send("GET /held HTTP/1.1\r\n\r\nGET /plain HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(Eventually([&] { return fast_taken_ == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(c.ReadUntil("HTTP", 10ms)) << c.received();  // nothing overtakes /held
  EXPECT_EQ(FastTaken(), 1);
  AnswerHeld();
  const std::string expected = FastAnswer("held", "") +
                               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
                               FastAnswer("GET", "");
  ASSERT_TRUE(c.ReadUntil(expected)) << c.received();
  EXPECT_EQ(c.received(), expected);
}

TEST_F(HttpServerTest, AFastAnswerToAClientThatLeftOrAStoppedServerGoesNowhere) {
  StartFast();
  RawClient gone(port_);
  ASSERT_TRUE(Hold(gone));
  gone.Close();
  // The connection stays (its answer is owed) until the answer comes.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(OnLoop([&] { return server_->connections(); }), 1u);
  AnswerHeld();
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }));

  RawClient stopped(port_);
  ASSERT_TRUE(Hold(stopped));
  OnLoop([&] {
    server_->Stop();
    return 0;
  });
  AnswerHeld();  // written to a closed socket: nothing happens
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }));
  EXPECT_TRUE(stopped.ReadUntilClosed());
  EXPECT_EQ(stopped.received(), "");
}

TEST_F(HttpServerTest, AFastAnswerLargerThanTheSendBufferArrivesWhole) {
  StartFast();
  RawClient c(port_, 4096);
  const std::string big(1 << 20, 'x');
  ASSERT_TRUE(Hold(c));
  AnswerHeld("text/plain", big);
  ASSERT_TRUE(c.ReadUntil(big, 10'000ms));
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"));
  // And the connection goes on.
  c.Send("GET /fast HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(c.ReadUntil(FastAnswer("GET", "")));
}

TEST_F(HttpServerTest, ShutdownRightAfterAFastAnswerClosesTheConnectionOnceItIsOut) {
  // The answer is written, and its connection queued to read the next
  // request, when Shutdown comes: it is idle, so it closes after the answer.
  StartFast();
  // Sent before draining began, so without "Connection: close".
  EXPECT_EQ(ShutdownBehindAHeldAnswer(""), FastAnswer("held", ""));
}

// The first answer goes out before draining begins, so it keeps the
// connection alive, and the client's next request is already buffered: that
// request is answered, on whichever path, and its answer closes the connection.
TEST_F(HttpServerTest, ShutdownStillAnswersAFastRequestThatArrivedBehindAKeptAliveAnswer) {
  StartFast();
  EXPECT_EQ(ShutdownBehindAHeldAnswer("GET /fast HTTP/1.1\r\n\r\n"),
            FastAnswer("held", "") + FastAnswer("GET", "", "Connection: close\r\n"));
}

TEST_F(HttpServerTest, ShutdownStillAnswersAGenericRequestThatArrivedBehindAKeptAliveAnswer) {
  StartFast();
  EXPECT_EQ(ShutdownBehindAHeldAnswer("GET /plain HTTP/1.1\r\n\r\n"),
            FastAnswer("held", "") +
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
}

TEST_F(HttpServerTest, AfterStopNotEvenABufferedRequestIsServed) {
  StartFast();
  EXPECT_EQ(AnswerHeldThen("GET /fast HTTP/1.1\r\n\r\n", [&] { server_->Stop(); }),
            FastAnswer("held", ""));
  EXPECT_EQ(FastTaken(), 1);  // the buffered request never reached the route
}

TEST_F(HttpServerTest, AFastAnswerTheClientDoesNotReadMissesTheWriteDeadline) {
  StartFast({.write_timeout = Duration(300)});
  RawClient c(port_, 4096);
  ASSERT_TRUE(Hold(c));
  AnswerHeld("text/plain", std::string(8 << 20, 'x'));
  const auto sent = Steady::now();
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }, 2500ms));
  EXPECT_GT(Steady::now() - sent, 250ms);
  // The server goes on serving others.
  RawClient next(port_);
  next.Send("GET /fast HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(next.ReadUntil(FastAnswer("GET", "")));
}

TEST_F(HttpServerTest, AFastRouteThatThrowsClosesItsConnectionUnlessItAnswered) {
  StartFast();
  RawClient bad(port_);
  RawClient good(port_);
  bad.Send("GET /throw HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(bad.ReadUntilClosed());
  EXPECT_EQ(bad.received(), "");
  good.Send("GET /fast HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(good.ReadUntil(FastAnswer("GET", "")));
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 1; }));
  // A route that answered before it threw: the answer stands, the
  // connection goes on.
  RawClient answered(port_);
  answered.Send(
      "GET /answer-then-throw HTTP/1.1\r\n\r\n"
      "GET /fast HTTP/1.1\r\n\r\n");
  const std::string expected = FastAnswer("GET", "") + FastAnswer("GET", "");
  ASSERT_TRUE(answered.ReadUntil(expected)) << answered.received();
  EXPECT_EQ(answered.received(), expected);
}

TEST_F(HttpServerTest, AfterAGenericAnswerTheFastLaneKeepsTheDeadlines) {
  StartFast({.read_timeout = Duration(300), .idle_timeout = Duration(800)});
  RawClient kept(port_);
  kept.Send("GET /plain HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(kept.ReadUntil("ok"));
  const auto answered = Steady::now();
  // Idle after a generic answer: kept past the read deadline, closed at the idle one.
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(kept.ReadUntilClosed(10ms));
  EXPECT_TRUE(kept.ReadUntilClosed(3000ms));
  const auto idle = Steady::now() - answered;
  EXPECT_GT(idle, 700ms);
  EXPECT_LT(idle, 1500ms);
  // A request that starts and never ends: cut at the read deadline, unanswered.
  RawClient partial(port_);
  partial.Send("GET /plain HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(partial.ReadUntil("ok"));
  partial.Send("GET /fast HTTP/1.1\r\n");
  const auto started = Steady::now();
  EXPECT_TRUE(partial.ReadUntilClosed(3000ms));
  EXPECT_LT(Steady::now() - started, 700ms);
  EXPECT_EQ(partial.received(), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
}

TEST_F(HttpServerTest, ConnectionsAnsweredTogetherEachGoOnTheirOwnWay) {
  // One commit's answers: every connection is queued, and each then takes
  // its next request its own way (fast, generic) or finds its client gone.
  StartFast();
  RawClient fast(port_), generic(port_), gone(port_);
  fast.Send("GET /held HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n");
  generic.Send("GET /held HTTP/1.1\r\n\r\nGET /plain HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(Eventually([&] { return fast_taken_ == 2; }));
  ASSERT_TRUE(Hold(gone));
  gone.Close();
  AnswerHeld();
  const std::string held = FastAnswer("held", "");
  ASSERT_TRUE(fast.ReadUntil(held + FastAnswer("GET", ""))) << fast.received();
  ASSERT_TRUE(generic.ReadUntil(held + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
      << generic.received();
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 2; }));
  EXPECT_EQ(FastTaken(), 4);
}

}  // namespace
}  // namespace plugwatch::net
