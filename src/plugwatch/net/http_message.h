// HttpRequest / HttpResponse: plain values exchanged between plugwatch code and
// the Beast-based client and server in this module, so that protocol code never
// includes Beast. Header names compare case-insensitively. Values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugwatch::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

class ResponseStream;  // net/response_stream.h (server side)

// Case-insensitive lookup of the first header named `name`.
std::optional<std::string_view> FindHeader(const Headers& h, std::string_view name);

// The decoded value of the parameter `name` of a query string ("a=1&b=2"),
// or nullopt.
std::optional<std::string> FindQueryParam(std::string_view query, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, as sent
  Headers headers;
  std::string body;
  std::string remote;  // peer address (server side)

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  std::string_view Path() const;   // target without the query
  std::string_view Query() const;  // after '?', or empty
  // The decoded value of a query parameter, or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // Server side only: never answer (fault injection; the client must time out).
  bool hang = false;
  // Server side only: when set, the body is this stream, sent (chunked) as it
  // is written until it ends; `body` is ignored. See net/response_stream.h.
  std::shared_ptr<ResponseStream> stream;

  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

// Percent-decoding for query strings ('+' is a space). Invalid escapes are kept
// as they are.
std::string UrlDecode(std::string_view s);

}  // namespace plugwatch::net
