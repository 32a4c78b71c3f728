// HostPort: "host[:port]" as users write device addresses and listen
// addresses ("192.168.1.50", "127.0.0.1:8080", "[::1]:9000", "plug.lan").
// Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugwatch/core/error.h"

namespace plugwatch::net {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
  std::string ToString() const;  // brackets around IPv6 literals
};

// Fails with kInvalidArgument: "'x:y' is not HOST[:PORT] (…)".
Result<HostPort> ParseHostPort(std::string_view text, std::uint16_t default_port);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace plugwatch::net
