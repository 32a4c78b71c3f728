#include "plugwatch/net/url_authority.h"

#include <charconv>

namespace plugwatch::net {

namespace urls = boost::urls;

std::expected<UrlAuthority, std::string> ReadAuthority(const urls::url_view& u) {
  UrlAuthority out;
  switch (u.host_type()) {
    case urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      break;
    case urls::host_type::ipv4:
      out.host = u.host_ipv4_address().to_string();
      break;
    case urls::host_type::name:
      out.host = u.host();
      break;
    case urls::host_type::none:
      break;
    default:
      return std::unexpected("unsupported host");
  }
  if (u.has_port()) {
    const std::string_view p = u.port();
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535)
      return std::unexpected("port must be 1–65535");
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

}  // namespace plugwatch::net
