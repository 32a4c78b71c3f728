#include "plugwatch/devices/tapo/session.h"

#include <charconv>

namespace plugwatch::tapo {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<SessionCookie> ParseSessionCookie(const net::Headers& headers) {
  SessionCookie cookie;
  for (const auto& [name, value] : headers) {
    if (!IEquals(name, "Set-Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      const std::string_view part = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const auto eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = Trim(part.substr(0, eq));
      const std::string_view val = Trim(part.substr(eq + 1));
      if ((key == "TP_SESSIONID" || key == "SESSIONID") &&
          (cookie.value.empty() || key == "TP_SESSIONID")) {
        cookie.name = std::string(key);
        cookie.value = std::string(val);
      } else if (IEquals(key, "TIMEOUT")) {
        long long seconds = 0;
        const auto [end, ec] = std::from_chars(val.data(), val.data() + val.size(), seconds);
        if (ec == std::errc() && end == val.data() + val.size() && seconds > 0)
          cookie.timeout = std::chrono::seconds(seconds);
      }
    }
  }
  if (cookie.value.empty()) return std::nullopt;
  return cookie;
}

Duration RenewAfter(std::chrono::seconds lifetime) {
  constexpr auto kMargin = std::chrono::minutes(20);
  if (lifetime > 2 * kMargin) return std::chrono::duration_cast<Duration>(lifetime - kMargin);
  return std::chrono::duration_cast<Duration>(lifetime) / 2;
}

}  // namespace plugwatch::tapo
