// The HTTP framing the server's fast route reads itself: any bytes, as a
// client may send them, through ParseSimpleRequest (net/simple_request.h)
// and, for comparison, through Beast's request parser with the same limits,
// which is what the server uses for everything else.
//
// Properties: whenever ParseSimpleRequest takes a request (kComplete),
// Beast parses the same bytes to a complete request with the same method,
// target, fields (per name, the same values in the same order), body and
// length, and keeps the connection alive; every prefix of a taken request is
// kIncomplete.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <iterator>
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/net/simple_request.h"

namespace http = boost::beast::http;
using plugwatch::net::ParseSimpleRequest;
using plugwatch::net::SimpleParse;
using plugwatch::net::SimpleRequest;

namespace {
constexpr std::size_t kMaxHeader = 1024;  // small, so that inputs reach the limits
constexpr std::size_t kMaxBody = 256;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  SimpleRequest simple;
  if (ParseSimpleRequest(in, kMaxHeader, kMaxBody, simple) != SimpleParse::kComplete) return 0;

  http::request_parser<http::string_body> beast;
  beast.header_limit(static_cast<std::uint32_t>(kMaxHeader));
  beast.body_limit(kMaxBody);
  beast.eager(true);
  boost::beast::error_code ec;
  const std::size_t used = beast.put(boost::asio::buffer(in.data(), in.size()), ec);
  PW_FUZZ_CHECK(!ec && beast.is_done(), "a request taken by the fast route that Beast rejects");
  PW_FUZZ_CHECK(used == simple.size, "the fast route and Beast disagree on the request's length");
  const auto& msg = beast.get();
  const auto method = msg.method_string();
  const auto target = msg.target();
  PW_FUZZ_CHECK(std::string_view(method.data(), method.size()) == simple.method,
                "a different method");
  PW_FUZZ_CHECK(std::string_view(target.data(), target.size()) == simple.target,
                "a different target");
  PW_FUZZ_CHECK(msg.body() == simple.body, "a different body");
  PW_FUZZ_CHECK(msg.keep_alive(), "a taken request that does not keep the connection");
  // Beast keeps fields of one name together (a repeated name moves next to
  // the first); per name, the values and their order must be the same.
  PW_FUZZ_CHECK(
      static_cast<std::size_t>(std::distance(msg.begin(), msg.end())) == simple.field_count,
      "a different number of fields");
  for (std::size_t i = 0; i < simple.field_count; ++i) {
    const std::string_view name = simple.fields[i].first;
    auto [it, end] = msg.equal_range(boost::beast::string_view(name.data(), name.size()));
    for (std::size_t j = 0; j < simple.field_count; ++j) {
      if (!boost::beast::iequals(simple.fields[j].first,
                                 boost::beast::string_view(name.data(), name.size())))
        continue;
      PW_FUZZ_CHECK(it != end, "Beast sees fewer fields of a name");
      const auto value = it->value();
      PW_FUZZ_CHECK(std::string_view(value.data(), value.size()) == simple.fields[j].second,
                    "a different field value");
      ++it;
    }
    PW_FUZZ_CHECK(it == end, "Beast sees more fields of a name");
  }
  for (std::size_t n = 0; n < simple.size; ++n) {
    SimpleRequest part;
    PW_FUZZ_CHECK(
        ParseSimpleRequest(in.substr(0, n), kMaxHeader, kMaxBody, part) == SimpleParse::kIncomplete,
        "a prefix of a taken request that is not incomplete");
  }
  return 0;
}
