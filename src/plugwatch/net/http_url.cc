#include "plugwatch/net/http_url.h"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "plugwatch/net/url_authority.h"

namespace plugwatch::net {

namespace urls = boost::urls;

std::string HttpUrl::Origin() const {
  if (host.find(':') != std::string::npos) return fmt::format("{}://[{}]:{}", scheme, host, port);
  return fmt::format("{}://{}:{}", scheme, host, port);
}

std::string HttpUrl::ToString() const { return Origin() + target; }

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Fail(Errc::kInvalidArgument,
                fmt::format("'{}' is not an http:// URL ({}) — write e.g. http://192.168.1.10:8080 "
                            "or http://power.lan:8080/api/heartbeat",
                            text, why));
  };
  if (text.find("://") == std::string_view::npos) return bad("it needs a scheme");
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) return bad(parsed.error().message());
  const urls::url_view& u = *parsed;
  HttpUrl out;
  for (char c : u.scheme()) out.scheme.push_back(static_cast<char>(std::tolower(c)));
  if (out.scheme != "http" && out.scheme != "https")
    return bad(fmt::format("scheme '{}' — use http or https", out.scheme));
  if (!u.has_authority()) return bad("no host");
  if (u.has_userinfo())
    return bad("user:password@ in a URL is not supported; credentials go in a header");
  if (u.has_fragment()) return bad("a #fragment is never sent; remove it");
  auto authority = ReadAuthority(u);
  if (!authority) return bad(authority.error());
  out.host = std::move(authority->host);
  if (out.host.empty()) return bad("empty host");
  for (char c : out.host)
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@') return bad("invalid host");
  out.port = authority->port.value_or(out.scheme == "https" ? 443 : 80);
  const std::string_view path = u.encoded_path();
  out.explicit_path = !path.empty() && path != "/";
  out.target = path.empty() ? std::string("/") : std::string(path);
  if (u.has_query()) out.target.append("?").append(u.encoded_query());
  return out;
}

}  // namespace plugwatch::net
