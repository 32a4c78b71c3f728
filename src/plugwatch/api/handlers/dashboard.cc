// The web dashboard: GET / (index.html) and GET /assets/{name} (app.js,
// app.css, favicon.svg), served from the files web/ was built into and
// embedded in the binary at build time (cmake/dashboard.cmake), so the
// service stays one file and needs no document root.
//
// Caching: every file has a strong ETag (a hash of its bytes, computed once at
// start-up) and a matching If-None-Match gets 304. index.html always
// revalidates (Cache-Control: no-cache) and refers to the assets as
// /assets/<name>?v=<their ETag>; a request with the current version may be
// cached for a year (immutable), so a browser fetches each asset once per
// build and a new binary is picked up at the next page load.
//
// Every dashboard response carries a strict Content-Security-Policy: scripts,
// styles, images and connections only from this origin, no inline script or
// style, no plugins, no framing. The dashboard makes no request to any other
// host (no CDN, no web fonts).
//
// Routes are registered once at start-up; the handlers only read immutable
// tables, so they are safe on any executor.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugwatch/api/api_server.h"
#include "plugwatch/core/embedded_file.h"
#include "plugwatch/net/http_server.h"

namespace plugwatch::api {
namespace {

using Awaitable = boost::asio::awaitable<net::HttpResponse>;

constexpr std::string_view kCsp =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

struct Asset {
  std::string name;
  std::string body;
  std::string type;
  std::string etag;     // with quotes, as sent
  std::string version;  // the ETag without quotes, for ?v=
};

struct Assets {
  Asset index;
  std::vector<Asset> files;  // everything but index.html

  const Asset* Find(std::string_view name) const {
    for (const auto& a : files)
      if (a.name == name) return &a;
    return nullptr;
  }
};

std::string ContentType(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// FNV-1a, 64 bits: enough to tell builds apart, and stable across runs.
std::string Version(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

Asset MakeAsset(std::string_view name, std::string body) {
  Asset a;
  a.name = std::string(name);
  a.type = ContentType(name);
  a.version = Version(body);
  a.etag = "\"" + a.version + "\"";
  a.body = std::move(body);
  return a;
}

std::shared_ptr<const Assets> Load() {
  auto out = std::make_shared<Assets>();
  std::string index;
  for (const auto& f : embedded::DashboardAssets()) {
    if (f.name == "index.html")
      index = std::string(f.bytes);
    else
      out->files.push_back(MakeAsset(f.name, std::string(f.bytes)));
  }
  // Point the page at the current version of each asset.
  for (const auto& a : out->files) {
    const std::string plain = "/assets/" + a.name + "\"";
    const std::string versioned = "/assets/" + a.name + "?v=" + a.version + "\"";
    for (auto at = index.find(plain); at != std::string::npos;
         at = index.find(plain, at + versioned.size()))
      index.replace(at, plain.size(), versioned);
  }
  out->index = MakeAsset("index.html", std::move(index));
  return out;
}

// Whether an If-None-Match header names `etag` ("*", or a list of tags; weak
// tags compare by their value, as RFC 9110 says for If-None-Match).
bool NoneMatch(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

net::HttpResponse Serve(const net::HttpRequest& req, const Asset& a, std::string_view cache) {
  net::HttpResponse res;
  res.headers.emplace_back("ETag", a.etag);
  res.headers.emplace_back("Cache-Control", std::string(cache));
  res.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (auto inm = req.Header("If-None-Match"); inm && NoneMatch(*inm, a.etag)) {
    res.status = 304;
    return res;
  }
  res.headers.emplace_back("Content-Type", a.type);
  res.body = a.body;
  return res;
}

}  // namespace

void AddDashboardRoutes(Router& r) {
  auto assets = Load();
  r.Add("GET", "/", [assets](net::HttpRequest& req, const Params&) -> Awaitable {
    co_return Serve(req, assets->index, kRevalidate);
  });
  r.Add("GET", "/assets/{name}", [assets](net::HttpRequest& req, const Params& p) -> Awaitable {
    const Asset* a = assets->Find(p.at("name"));
    if (a == nullptr) {
      auto res = net::JsonError(
          404, fmt::format("no dashboard file '{}' — the dashboard starts at /", p.at("name")));
      res.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
      co_return res;
    }
    const bool current = req.QueryParam("v") == a->version;
    co_return Serve(req, *a, current ? kImmutable : kRevalidate);
  });
}

}  // namespace plugwatch::api
