#include "plugwatch/notify/telegram/bot_api.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace plugwatch::notify::telegram {

namespace asio = boost::asio;
namespace json = boost::json;

BotApi::BotApi(std::shared_ptr<net::WebClient> web, std::string api_url, std::string token,
               Duration timeout)
    : web_(std::move(web)),
      api_url_(std::move(api_url)),
      token_(std::move(token)),
      timeout_(timeout) {
  while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
}

std::string BotApi::Scrub(std::string text) const {
  if (token_.empty()) return text;
  for (size_t i = text.find(token_); i != std::string::npos; i = text.find(token_, i)) {
    text.replace(i, token_.size(), "<token>");
  }
  return text;
}

asio::awaitable<Result<net::HttpResponse>> BotApi::Call(const std::string& method,
                                                        const json::object& params,
                                                        Duration timeout) {
  net::WebRequest req;
  req.method = "POST";
  req.url = api_url_ + "/bot" + token_ + "/" + method;
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = json::serialize(params);
  auto r = co_await web_->Send(req, timeout);
  if (!r) {
    Error e = r.error();
    e.context = Scrub("Telegram " + method + ": " + e.context) + " — check [telegram] api_url";
    co_return Fail(std::move(e));
  }
  co_return r;
}

asio::awaitable<Result<net::HttpResponse>> BotApi::Call(const std::string& method,
                                                        const json::object& params) {
  auto r = co_await Call(method, params, timeout_);
  co_return r;
}

asio::awaitable<Result<net::HttpResponse>> BotApi::GetUpdates(long long offset, int timeout_s) {
  json::object p;
  if (offset > 0) p["offset"] = offset;
  p["timeout"] = timeout_s;
  p["allowed_updates"] = json::array{"message", "callback_query"};
  const Duration deadline = timeout_ + Duration(static_cast<long long>(timeout_s) * 1000);
  const std::string method = "getUpdates";
  auto r = co_await Call(method, p, deadline);
  co_return r;
}

}  // namespace plugwatch::notify::telegram
