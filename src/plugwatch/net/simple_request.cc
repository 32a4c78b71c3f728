#include "plugwatch/net/simple_request.h"

#include <strings.h>

namespace plugwatch::net {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// RFC 9110 tchar: the characters of methods and field names.
bool IsTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// Visible ASCII, space and tab: what a plain field value holds. Control
// characters and obs-text are left to the generic parser.
bool IsPlainValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); }

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// The request line without its CRLF; false unless it is plain.
bool ParseRequestLine(std::string_view line, SimpleRequest& out) {
  const auto sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return false;
  out.method = line.substr(0, sp1);
  for (unsigned char c : out.method)
    if (c < 'A' || c > 'Z') return false;
  line.remove_prefix(sp1 + 1);
  const auto sp2 = line.find(' ');
  if (sp2 == std::string_view::npos) return false;
  out.target = line.substr(0, sp2);
  if (out.target.empty() || out.target.front() != '/') return false;
  for (unsigned char c : out.target)
    if (c <= 0x20 || c >= 0x7f) return false;
  return line.substr(sp2 + 1) == "HTTP/1.1";
}

}  // namespace

std::optional<std::string_view> SimpleRequest::Header(std::string_view name) const {
  for (std::size_t i = 0; i < field_count; ++i)
    if (EqualsNoCase(fields[i].first, name)) return fields[i].second;
  return std::nullopt;
}

std::string_view SimpleRequest::Path() const { return target.substr(0, target.find('?')); }

std::string_view SimpleRequest::Query() const {
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

SimpleParse ParseSimpleRequest(std::string_view in, std::size_t max_header, std::size_t max_body,
                               SimpleRequest& out) {
  // Not `out = {}`: the field array is overwritten as it fills, and clearing
  // its kilobyte per request would be most of the parse.
  out.method = out.target = out.body = {};
  out.field_count = 0;
  out.size = 0;
  const auto end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    // Not all of the head yet (or more than the generic parser accepts).
    return in.size() >= max_header ? SimpleParse::kOther : SimpleParse::kIncomplete;
  }
  const std::size_t head_size = end + 4;
  if (head_size > max_header) return SimpleParse::kOther;
  std::string_view head = in.substr(0, end + 2);  // each line with its CRLF

  auto next_line = [&head](std::string_view& line) {
    const auto crlf = head.find("\r\n");
    line = head.substr(0, crlf);
    head.remove_prefix(crlf + 2);
  };
  std::string_view line;
  next_line(line);
  if (!ParseRequestLine(line, out)) return SimpleParse::kOther;  // bare CR/LF fail there too

  std::optional<std::size_t> content_length;
  while (!head.empty()) {
    next_line(line);
    const auto colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return SimpleParse::kOther;
    const std::string_view name = line.substr(0, colon);
    for (unsigned char c : name)
      if (!IsTokenChar(c)) return SimpleParse::kOther;
    const std::string_view raw = line.substr(colon + 1);
    for (unsigned char c : raw)
      if (!IsPlainValueChar(c)) return SimpleParse::kOther;
    const std::string_view value = TrimOws(raw);

    if (EqualsNoCase(name, "Transfer-Encoding") || EqualsNoCase(name, "Upgrade") ||
        EqualsNoCase(name, "Expect"))
      return SimpleParse::kOther;
    if (EqualsNoCase(name, "Connection") && !EqualsNoCase(value, "keep-alive"))
      return SimpleParse::kOther;
    if (EqualsNoCase(name, "Content-Length")) {
      if (content_length || value.empty() || value.size() > 9) return SimpleParse::kOther;
      std::size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return SimpleParse::kOther;
        n = n * 10 + static_cast<std::size_t>(c - '0');
      }
      content_length = n;
    }
    if (out.field_count == SimpleRequest::kMaxFields) return SimpleParse::kOther;
    out.fields[out.field_count++] = {name, value};
  }

  const std::size_t body_size = content_length.value_or(0);
  if (body_size > max_body) return SimpleParse::kOther;
  if (in.size() - head_size < body_size) return SimpleParse::kIncomplete;
  out.body = in.substr(head_size, body_size);
  out.size = head_size + body_size;
  return SimpleParse::kComplete;
}

}  // namespace plugwatch::net
