// HttpUrl: an http:// or https:// URL split into what net::HttpClient needs
// (host, port, request target), as users write server and sink addresses
// ("http://192.168.1.10:8080", "http://power.lan/api/heartbeat?x=1",
// "http://[::1]:8080/"). Parsed with Boost.URL. Pure; values.
//
// Decisions: the scheme is required (a bare "host:port" is ambiguous about
// TLS); user:password@ is refused (credentials belong in headers, not in
// URLs that end up in logs and `ps`); a #fragment is refused (it is never
// sent, so it is almost certainly a mistake). Whether https is usable is the
// caller's business: HttpClient speaks plain HTTP only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugwatch/core/error.h"

namespace plugwatch::net {

struct HttpUrl {
  std::string scheme;          // "http" or "https", lower case
  std::string host;            // without brackets, percent-decoded
  std::uint16_t port = 0;      // 80 / 443 when absent
  std::string target = "/";    // path and query as sent; "/" when the path is empty
  bool explicit_path = false;  // the URL had a path other than "" or "/"

  // "http://host:port/target" (brackets around IPv6 literals). Never
  // carries credentials, so it is safe to log.
  std::string ToString() const;
  // "http://host:port".
  std::string Origin() const;
};

// Fails with kInvalidArgument: "'x' is not an http:// URL (why) — write e.g.
// http://192.168.1.10:8080".
Result<HttpUrl> ParseHttpUrl(std::string_view text);

}  // namespace plugwatch::net
