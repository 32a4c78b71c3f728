#include "plugwatch/notify/telegram/text.h"

namespace plugwatch::notify::telegram {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

struct Token {
  size_t size = 1;     // bytes
  size_t visible = 1;  // UTF-16 code units
  bool tag = false;
};

// The token starting at s[i]: a tag, an entity or one UTF-8 character.
Token Next(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == '<') {
    const size_t end = s.find('>', i);
    if (end != std::string_view::npos) return {end - i + 1, 0, true};
    return {1, 1, false};
  }
  if (c == '&') {
    const size_t end = s.find(';', i);
    if (end != std::string_view::npos && end - i <= 10) return {end - i + 1, 1, false};
    return {1, 1, false};
  }
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) n = 1;
  return {n, n == 4 ? 2u : 1u, false};
}

std::string TagName(std::string_view tag) {  // "<a href=..>" -> "a", "</b>" -> "b"
  size_t b = tag.size() > 1 && tag[1] == '/' ? 2 : 1;
  size_t e = b;
  while (e < tag.size() && tag[e] != ' ' && tag[e] != '>' && tag[e] != '/') ++e;
  return std::string(tag.substr(b, e - b));
}

void ApplyTag(std::vector<std::string>& open, std::string_view tag) {
  if (tag.size() > 1 && tag[1] == '/') {
    const std::string name = TagName(tag);
    for (size_t k = open.size(); k-- > 0;) {
      if (TagName(open[k]) == name) {
        open.erase(open.begin() + static_cast<long>(k));
        break;
      }
    }
  } else if (tag.size() < 2 || tag[tag.size() - 2] != '/') {
    open.emplace_back(tag);
  }
}

}  // namespace

size_t VisibleLength(std::string_view html) {
  size_t n = 0;
  for (size_t i = 0; i < html.size();) {
    const Token t = Next(html, i);
    n += t.visible;
    i += t.size;
  }
  return n;
}

std::vector<std::string> SplitMessage(std::string_view html, size_t limit) {
  std::vector<std::string> parts;
  if (limit == 0) limit = 1;
  std::vector<std::string> open;  // tags open where the current part starts
  size_t start = 0;
  while (start < html.size()) {
    std::vector<std::string> stack = open;
    struct Cut {
      size_t at = 0;    // end of this part (bytes)
      size_t skip = 0;  // separator bytes dropped after it
      std::vector<std::string> stack;
    };
    Cut line, space, chr;
    bool have_line = false, have_space = false;
    size_t visible = 0, i = start;
    bool full = false;
    while (i < html.size()) {
      const Token t = Next(html, i);
      if (visible + t.visible > limit) {
        full = true;
        break;
      }
      if (t.tag) {
        ApplyTag(stack, html.substr(i, t.size));
      } else if (visible > 0 && html[i] == '\n') {
        line = {i, 1, stack};
        have_line = true;
      } else if (visible > 0 && html[i] == ' ') {
        space = {i, 1, stack};
        have_space = true;
      }
      visible += t.visible;
      i += t.size;
      chr = {i, 0, stack};
    }
    if (!full) {
      chr = {html.size(), 0, stack};
    }
    const Cut& cut = !full ? chr : have_line ? line : have_space ? space : chr;
    std::string part;
    for (const auto& tag : open) part += tag;
    part.append(html.substr(start, cut.at - start));
    for (size_t k = cut.stack.size(); k-- > 0;) part += "</" + TagName(cut.stack[k]) + ">";
    if (VisibleLength(part) > 0) parts.push_back(std::move(part));
    if (cut.at == start && cut.skip == 0) {  // one token wider than the limit: cannot happen
      break;                                 // for limit >= 2; never loop forever
    }
    open = cut.stack;
    start = cut.at + cut.skip;
  }
  return parts;
}

}  // namespace plugwatch::notify::telegram
