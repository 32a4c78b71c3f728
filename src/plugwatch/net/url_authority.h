// UrlAuthority: the host and port of a URL parsed by Boost.URL, read the same
// way for every URL users write (net::ParseHttpUrl, notify::ParseSinkUrl): IP
// literals normalised and without brackets, names percent-decoded, the port
// checked to be 1–65535. Include it only from .cc files (Boost.URL).
#pragma once

#include <boost/url/url_view.hpp>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace plugwatch::net {

struct UrlAuthority {
  std::string host;                   // "" when the URL has none
  std::optional<std::uint16_t> port;  // absent when the URL has none
};

// Fails with the reason alone ("unsupported host", "port must be 1–65535"),
// for the caller's own message.
std::expected<UrlAuthority, std::string> ReadAuthority(const boost::urls::url_view& u);

}  // namespace plugwatch::net
