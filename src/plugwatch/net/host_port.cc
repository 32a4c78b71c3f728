#include "plugwatch/net/host_port.h"

#include <fmt/format.h>

#include <charconv>

namespace plugwatch::net {

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<HostPort> ParseHostPort(std::string_view text, std::uint16_t default_port) {
  auto bad = [&](std::string_view why) {
    return Fail(Errc::kInvalidArgument,
                fmt::format("'{}' is not HOST[:PORT] ({}) — write e.g. 192.168.1.50, "
                            "127.0.0.1:8080 or [::1]:8080",
                            text, why));
  };
  HostPort hp;
  hp.port = default_port;
  std::string_view rest;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    hp.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return bad("junk after ']'");
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos)
      return bad("IPv6 addresses need brackets");
    hp.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (hp.host.empty()) return bad("empty host");
  for (char c : hp.host)
    if (c == ' ' || c == '/' || c == '?' || c == '#' || c == '@') return bad("invalid host");
  if (!rest.empty()) {
    rest.remove_prefix(1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
    if (ec != std::errc() || p != rest.data() + rest.size() || port > 65535)
      return bad("port must be 0–65535");
    hp.port = static_cast<std::uint16_t>(port);
  }
  return hp;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace plugwatch::net
