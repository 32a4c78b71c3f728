// Text from outside (a URL's percent-decoded query, a device's answer) may
// be any bytes; JSON, HTML and chat messages must be valid UTF-8. ValidUtf8
// keeps well-formed UTF-8 as it is and replaces every byte that does not
// start a well-formed sequence (RFC 3629: no overlongs, no surrogates, at
// most U+10FFFF) with U+FFFD, one replacement per bad byte, so the text stays
// readable and its length bounded (≤ 3 × input).
#pragma once

#include <string>
#include <string_view>

namespace plugwatch {

bool IsValidUtf8(std::string_view text);
std::string ValidUtf8(std::string_view text);

}  // namespace plugwatch
