// Text for the Bot API with parse_mode HTML: escaping plain text and splitting
// long messages (sendMessage takes 1–4096 characters after entity parsing).
//
// Length is counted as Telegram does: in UTF-16 code units of the text after
// parsing, so tags count nothing, an entity (&amp;) counts one, a character
// outside the BMP (most emoji) counts two.
//
// Splitting prefers the last line break that fits, then the last space, and
// only then cuts between two characters; it never cuts inside a tag, an
// entity or a UTF-8 sequence. Tags open at a cut are closed at the end of one
// part and reopened at the start of the next, so each part is valid HTML on
// its own. The line break or space at a cut is dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace plugwatch::notify::telegram {

inline constexpr size_t kMaxMessageLength = 4096;

// Escapes &, <, > and " for parse_mode HTML.
std::string EscapeHtml(std::string_view text);

// Visible length of HTML text in UTF-16 code units (Telegram's count).
size_t VisibleLength(std::string_view html);

// Splits HTML text into parts of at most `limit` visible characters each.
// An empty text gives no parts.
std::vector<std::string> SplitMessage(std::string_view html, size_t limit = kMaxMessageLength);

}  // namespace plugwatch::notify::telegram
