// Identifiers users type and that appear in URLs and topics: [a-z0-9_-]+,
// 1–64 characters. Pure.
#pragma once

#include <string_view>

namespace plugwatch {

inline bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

inline constexpr std::string_view kIdRule = "use 1–64 characters from a-z, 0-9, '_' and '-'";

}  // namespace plugwatch
