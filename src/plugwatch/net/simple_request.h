// SimpleRequest: a strict parser for the plainest HTTP/1.1 requests, used by
// HttpServer's fast route (http_server.h) to answer hot endpoints without
// Beast's generic parser. It reads views into the caller's buffer and never
// allocates.
//
// It accepts only what it fully understands: a request line
// `METHOD SP /target SP HTTP/1.1`, at most kMaxFields header fields with
// plain values, no Transfer-Encoding, Upgrade or Expect, Connection absent or
// keep-alive, at most one Content-Length, and the whole request (head and
// body) within the limits. Anything else is kOther, and the caller hands the
// same bytes to the generic parser, which gives today's answers (400, 413,
// 431, Connection: close, chunked bodies, ...). Pure.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace plugwatch::net {

struct SimpleRequest {
  static constexpr std::size_t kMaxFields = 32;

  std::string_view method;
  std::string_view target;  // path and query, as sent
  std::array<std::pair<std::string_view, std::string_view>, kMaxFields> fields;
  std::size_t field_count = 0;
  std::string_view body;
  std::size_t size = 0;  // bytes of the whole request: head and body

  // Case-insensitive lookup of the first field named `name`.
  std::optional<std::string_view> Header(std::string_view name) const;
  std::string_view Path() const;   // target without the query
  std::string_view Query() const;  // after '?', or empty
};

enum class SimpleParse {
  kComplete,    // `out` holds the request; `out.size` bytes belong to it
  kIncomplete,  // a simple request so far, but not all of it has arrived
  kOther,       // not a simple request (or over a limit): use the generic parser
};

// Parses the request at the start of `in`. max_header bounds the head
// (request line and fields, with their line ends), max_body the body.
SimpleParse ParseSimpleRequest(std::string_view in, std::size_t max_header, std::size_t max_body,
                               SimpleRequest& out);

}  // namespace plugwatch::net
