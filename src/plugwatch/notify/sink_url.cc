#include "plugwatch/notify/sink_url.h"

#include <fmt/format.h>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include "plugwatch/net/url_authority.h"
#include "plugwatch/notify/http_sinks.h"

namespace plugwatch::notify {

namespace urls = boost::urls;

namespace {

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string HostPort(const SinkUrl& u) {
  std::string h = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port) h += ":" + std::to_string(u.port);
  return h;
}

std::string JoinPath(const SinkUrl& u) {
  std::string p;
  for (const auto& seg : u.path) p += "/" + urls::encode(seg, urls::pchars);
  return p.empty() ? "/" : p;
}

// The query without `drop`, re-encoded ("" or "?a=b&c=d").
std::string QueryWithout(const SinkUrl& u, std::initializer_list<std::string_view> drop) {
  std::string q;
  for (const auto& [k, v] : u.query) {
    if (std::find(drop.begin(), drop.end(), k) != drop.end()) continue;
    q += (q.empty() ? "?" : "&") + urls::encode(k, urls::unreserved_chars) + "=" +
         urls::encode(v, urls::unreserved_chars);
  }
  return q;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::shared_ptr<Sink>> MakeWebhook(const std::string& name, std::string_view,
                                          const SinkUrl& u, const SinkContext& ctx) {
  if (u.host.empty())
    return Fail(Errc::kInvalidArgument,
                fmt::format("sink '{}': a webhook URL needs a host — write e.g. "
                            "jsons://hooks.example.com/plugwatch?secret=…",
                            name));
  const bool tls = u.scheme == "https" || u.scheme == "jsons";
  std::string secret;
  if (auto it = u.query.find("secret"); it != u.query.end()) secret = it->second;
  const std::string url = fmt::format("{}://{}{}{}", tls ? "https" : "http", HostPort(u),
                                      JoinPath(u), QueryWithout(u, {"secret"}));
  return std::make_shared<WebhookSink>(name, ctx.web, ctx.timeout, url, secret);
}

Result<std::shared_ptr<Sink>> MakeNtfy(const std::string& name, std::string_view, const SinkUrl& u,
                                       const SinkContext& ctx) {
  std::string base, topic;
  if (u.path.empty() || (u.path.size() == 1 && u.path[0].empty())) {
    // ntfy://topic: the public ntfy.sh server.
    if (u.host.empty() || u.port)
      return Fail(Errc::kInvalidArgument,
                  fmt::format("sink '{}': an ntfy URL needs a topic — write ntfys://ntfy.sh/TOPIC "
                              "or ntfy://192.168.1.5:8080/TOPIC",
                              name));
    base = "https://ntfy.sh";
    topic = u.host;
  } else {
    if (u.path.size() != 1 || u.path[0].empty())
      return Fail(Errc::kInvalidArgument,
                  fmt::format("sink '{}': an ntfy URL has exactly one topic after the host — "
                              "write ntfys://ntfy.example.com/TOPIC",
                              name));
    base = fmt::format("{}://{}", u.scheme == "ntfys" ? "https" : "http", HostPort(u));
    topic = u.path[0];
  }
  std::string auth;
  if (auto it = u.query.find("token"); it != u.query.end())
    auth = "Bearer " + it->second;
  else if (!u.user.empty() && !u.has_password)
    auth = "Bearer " + u.user;
  else if (!u.user.empty())
    auth = "Basic " + Base64(u.user + ":" + u.password);
  const std::string url = base + "/" + urls::encode(topic, urls::pchars);
  return std::make_shared<NtfySink>(name, ctx.web, ctx.timeout, url, auth);
}

Result<std::shared_ptr<Sink>> MakeDiscord(const std::string& name, std::string_view,
                                          const SinkUrl& u, const SinkContext& ctx) {
  if (u.host.empty() || u.path.size() != 1 || u.path[0].empty())
    return Fail(Errc::kInvalidArgument,
                fmt::format("sink '{}': a Discord URL is discord://WEBHOOK_ID/WEBHOOK_TOKEN (from "
                            "https://discord.com/api/webhooks/WEBHOOK_ID/WEBHOOK_TOKEN)",
                            name));
  std::string api = "https://discord.com";
  if (auto it = u.query.find("api_url"); it != u.query.end()) api = it->second;
  while (api.ends_with('/')) api.pop_back();
  const std::string url = fmt::format("{}/api/webhooks/{}/{}?wait=true", api, u.host,
                                      urls::encode(u.path[0], urls::pchars));
  return std::make_shared<DiscordSink>(name, ctx.web, ctx.timeout, url);
}

Result<std::shared_ptr<Sink>> MakeConsole(const std::string& name, std::string_view, const SinkUrl&,
                                          const SinkContext&) {
  return std::make_shared<ConsoleSink>(name);
}

Result<std::shared_ptr<Sink>> NoTelegram(const std::string& name, std::string_view, const SinkUrl&,
                                         const SinkContext&) {
  return Fail(Errc::kNotSupported,
              fmt::format("sink '{}': tgram:// URLs are handled by the Telegram sink, which this "
                          "build has not registered — use [telegram] or another sink",
                          name));
}

}  // namespace

Result<SinkUrl> ParseSinkUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Fail(Errc::kInvalidArgument,
                fmt::format("'{}' is not a sink URL ({}) — write e.g. ntfys://ntfy.sh/my-topic, "
                            "jsons://example.com/hook or discord://ID/TOKEN",
                            MaskSinkUrl(text), why));
  };
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return bad("it needs a scheme");
  auto parsed = urls::parse_uri(text);
  if (!parsed) return bad(parsed.error().message());
  const urls::url_view& u = *parsed;
  SinkUrl out;
  out.scheme = Lower(u.scheme());
  if (u.has_fragment()) return bad("a #fragment is never sent; remove it");
  if (u.has_userinfo()) {
    out.user = u.user();
    out.has_password = u.has_password();
    out.password = u.password();
  }
  auto authority = net::ReadAuthority(u);
  if (!authority) return bad(authority.error());
  out.host = std::move(authority->host);
  if (authority->port) out.port = *authority->port;
  for (auto seg : u.segments()) out.path.emplace_back(seg);
  while (!out.path.empty() && out.path.back().empty()) out.path.pop_back();
  for (auto p : u.params()) out.query[p.key] = p.has_value ? p.value : "";
  return out;
}

std::string MaskSinkUrl(std::string_view url) {
  // Keep the scheme and host: enough to tell sinks apart, nothing secret.
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return "<sink URL>";
  std::string_view rest = url.substr(sep + 3);
  if (auto at = rest.find('@'); at != std::string_view::npos && at < rest.find('/'))
    rest = rest.substr(at + 1);
  const auto end = rest.find_first_of("/?#");
  const bool more = end != std::string_view::npos;
  std::string out = std::string(url.substr(0, sep + 3)) + std::string(rest.substr(0, end));
  if (url.starts_with("discord") || url.starts_with("tgram"))
    out = std::string(url.substr(0, sep + 3)) + "…";
  if (more) out += "/…";
  return out;
}

SinkRegistry::SinkRegistry() {
  for (const char* s : {"http", "https", "json", "jsons"}) Register(s, MakeWebhook);
  for (const char* s : {"ntfy", "ntfys"}) Register(s, MakeNtfy);
  Register("discord", MakeDiscord);
  Register("console", MakeConsole);
  Register("tgram", NoTelegram, false);
}

void SinkRegistry::Register(std::string scheme, SinkFactory f, bool parse) {
  factories_[std::move(scheme)] = Entry{std::move(f), parse};
}

Result<std::shared_ptr<Sink>> SinkRegistry::Make(const std::string& name, std::string_view url,
                                                 const SinkContext& ctx) const {
  const auto sep = url.find("://");
  if (sep != std::string_view::npos) {
    const std::string scheme = Lower(url.substr(0, sep));
    if (auto it = factories_.find(scheme); it != factories_.end() && !it->second.parse) {
      SinkUrl raw;
      raw.scheme = scheme;
      return it->second.make(name, url, raw, ctx);
    }
  }
  auto parsed = ParseSinkUrl(url);
  if (!parsed) return Fail(Wrap(parsed.error(), fmt::format("sink '{}'", name)));
  auto it = factories_.find(parsed->scheme);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [s, _] : factories_) known += (known.empty() ? "" : ", ") + s + "://";
    return Fail(Errc::kInvalidArgument,
                fmt::format("sink '{}': unknown scheme '{}://' — use one of {}", name,
                            parsed->scheme, known));
  }
  return it->second.make(name, url, *parsed, ctx);
}

}  // namespace plugwatch::notify
