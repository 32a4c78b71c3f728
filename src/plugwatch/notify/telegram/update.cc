#include "plugwatch/notify/telegram/update.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace plugwatch::notify::telegram {

namespace json = boost::json;

namespace {

long long Int(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_int64()) return v->as_int64();
  if (auto* v = o.if_contains(key); v && v->is_uint64())
    return static_cast<long long>(v->as_uint64());
  return 0;
}

std::string Str(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return {};
}

const json::object* Obj(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_object()) return &v->as_object();
  return nullptr;
}

void From(const json::object* from, Update& u) {
  if (!from) return;
  u.user_id = Int(*from, "id");
  u.first_name = Str(*from, "first_name");
  u.username = Str(*from, "username");
  u.language_code = Str(*from, "language_code");
}

}  // namespace

Result<std::vector<Update>> ParseUpdates(const json::value& result) {
  if (!result.is_array())
    return Fail(Errc::kProtocol, "getUpdates: the reply's result is not a list of updates");
  std::vector<Update> out;
  for (const auto& v : result.as_array()) {
    if (!v.is_object()) continue;
    const auto& o = v.as_object();
    Update u;
    u.update_id = Int(o, "update_id");
    if (u.update_id == 0) continue;
    if (const auto* m = Obj(o, "message")) {
      u.kind = Update::Kind::kMessage;
      if (const auto* chat = Obj(*m, "chat")) u.chat_id = Int(*chat, "id");
      From(Obj(*m, "from"), u);
      u.text = Str(*m, "text");
      if (u.chat_id == 0) u.kind = Update::Kind::kOther;
    } else if (const auto* cq = Obj(o, "callback_query")) {
      u.kind = Update::Kind::kCallback;
      u.callback_id = Str(*cq, "id");
      u.data = Str(*cq, "data");
      From(Obj(*cq, "from"), u);
      if (const auto* m = Obj(*cq, "message")) {
        u.message_id = Int(*m, "message_id");
        if (const auto* chat = Obj(*m, "chat")) u.chat_id = Int(*chat, "id");
      }
      if (u.chat_id == 0) u.chat_id = u.user_id;
    }
    out.push_back(std::move(u));
  }
  return out;
}

Command ParseCommand(std::string_view text) {
  Command c;
  if (!text.starts_with('/')) return c;
  const size_t end = text.find_first_of(" \n\t");
  std::string_view name = text.substr(0, end);
  if (const size_t at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  for (char ch : name) c.name += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (end != std::string_view::npos) {
    std::string_view rest = text.substr(end + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
    c.args = std::string(rest);
  }
  return c;
}

}  // namespace plugwatch::notify::telegram
