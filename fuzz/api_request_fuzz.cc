// A request to the REST API, as a script, a browser or an attacker sends it,
// after the HTTP framing: method, target (path and query, percent-encoded or
// not), the token or none, and a body. It goes through the real router and
// handlers of a real Service on a real SQLite file (in /dev/shm), so route
// matching, query parameters, JSON bodies (devices, heartbeats) and the
// store's validation are all reached.
//
// Input: "<method>\n<target>\n<auth>\n<body…>", where auth "A" sends the API
// token, "H" the heartbeat label's token, anything else none.
// Properties: every answer has a status in 100..599; every application/json
// answer parses as JSON (valid UTF-8 included); every status ≥ 400 comes with
// a JSON object {"error": "<non-empty message>"}.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/api/api_server.h"
#include "plugwatch/config/config.h"
#include "plugwatch/core/log.h"
#include "plugwatch/engine/service.h"
#include "plugwatch/net/response_stream.h"
#include "plugwatch/store/store.h"

using namespace plugwatch;

namespace {

constexpr std::string_view kApiToken = "fuzz-api-token";
constexpr std::string_view kHeartbeatToken = "fuzz-hb-token";

void RemoveDatabase(const std::string& db) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix, ec);
}

struct World {
  boost::asio::io_context io;
  SystemClock clock;
  std::unique_ptr<engine::Service> service;
  std::unique_ptr<api::ApiServer> server;

  World() {
    log::Init("off");  // millions of requests: only a violated property may speak
    const std::string dir =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    const std::string db = dir + "/plugwatch-fuzz-" + std::to_string(::getpid()) + ".db";
    static std::string path;
    path = db;
    RemoveDatabase(path);
    std::atexit([] { RemoveDatabase(path); });
    const std::string text = std::string(R"(
[server]
listen = "127.0.0.1:0"
api_token = ")") + std::string(kApiToken) +
                             R"("
[[devices]]
id = "lamp"
kind = "tcp"
address = "127.0.0.1:9"
poll_interval = "1h"
[[heartbeats]]
label = "POWER"
token = ")" + std::string(kHeartbeatToken) +
                             "\"\n";
    auto cfg = config::LoadString(text, "fuzz.toml");
    PW_FUZZ_CHECK(cfg.has_value(), "the fuzz config does not load");
    store::OpenOptions so;
    so.commit_interval = Duration(1);
    auto st = store::OpenSqlite(db, so);
    PW_FUZZ_CHECK(st.has_value(), "cannot open the fuzz database");
    engine::ServiceOptions opts;
    opts.print_events = false;
    service = std::make_unique<engine::Service>(io, std::move(*cfg), std::move(*st), clock, opts);
    PW_FUZZ_CHECK(service->Start().has_value(), "the service does not start");
    server = std::make_unique<api::ApiServer>(
        io.get_executor(), api::ApiContext{*service, clock, std::string(kApiToken)});
  }
};

std::string_view NextLine(std::string_view& in) {
  const auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

boost::asio::awaitable<void> Dispatch(World& w, net::HttpRequest& req, net::HttpResponse& res,
                                      bool& done) {
  res = co_await w.server->router().Dispatch(req);
  done = true;
}

// Runs the request through the router on the world's loop until answered.
// (A named coroutine, not a lambda: g++ 12 emits a lambda coroutine inside an
// extern "C" function twice.)
net::HttpResponse Call(World& w, net::HttpRequest& req) {
  net::HttpResponse res;
  bool done = false;
  boost::asio::co_spawn(w.io, Dispatch(w, req, res, done), boost::asio::detached);
  while (!done) w.io.run_one();
  return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* world = new World();  // lives for the process, as the service would
  std::string_view in(reinterpret_cast<const char*>(data), size);
  net::HttpRequest req;
  req.method = std::string(NextLine(in));
  req.target = std::string(NextLine(in));
  const std::string_view auth = NextLine(in);
  req.body = std::string(in);
  req.remote = "127.0.0.1";
  req.headers.emplace_back("Content-Type", "application/json");
  if (auth == "A") req.headers.emplace_back("Authorization", "Bearer " + std::string(kApiToken));
  if (auth == "H")
    req.headers.emplace_back("Authorization", "Bearer " + std::string(kHeartbeatToken));
  if (req.method.empty() || req.target.empty() || req.target[0] != '/') return 0;

  net::HttpResponse res = Call(*world, req);

  PW_FUZZ_CHECK(res.status >= 100 && res.status <= 599, "a status outside 100..599");
  const bool json = res.Header("Content-Type").value_or("").starts_with("application/json");
  PW_FUZZ_CHECK(res.status < 400 || res.stream || json, "an error answer that is not JSON");
  if (json && !res.stream) {
    boost::system::error_code ec;
    auto body = boost::json::parse(res.body, ec);
    PW_FUZZ_CHECK(!ec, "an application/json answer that does not parse as JSON");
    if (res.status >= 400) {
      const auto* error = body.is_object() ? body.as_object().if_contains("error") : nullptr;
      PW_FUZZ_CHECK(error != nullptr && error->is_string() && !error->as_string().empty(),
                    "an error answer without an error message");
    }
  }
  if (res.stream) res.stream->Close();  // a client that went away at once
  return 0;
}
