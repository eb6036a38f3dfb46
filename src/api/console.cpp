// The web console (docs/CONSOLE.md): static files compiled into the binary (ui/, cmake/embed_assets.cmake),
// served under /ui/ on the API's listener. They need no API key: the console asks for one when api.keys
// is set and sends it with every API request, as any client does. Every answer carries a
// Content-Security-Policy that allows this origin's own scripts, styles and API only: no inline script, no
// eval, no other origin, no framing.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "common.hpp"
#include "console_assets.hpp"
#include "dialerd/util/crypto.hpp"

namespace dialerd::api {

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

void harden(http::Response& r) {
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

http::Response to_console() {
  const std::string root(http::kConsoleRoot);
  http::Response r;
  r.status = 308;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "the console is at " + root + "\n";
  r.headers.emplace_back("Location", root);
  harden(r);
  return r;
}

// The console's files with their ETags, computed once: the files are the binary's own.
struct TaggedAsset {
  ConsoleAsset asset;
  std::string etag;
};
const std::vector<TaggedAsset>& tagged_assets() {
  static const std::vector<TaggedAsset> tagged = [] {
    std::vector<TaggedAsset> out;
    for (const auto& a : console_assets())
      out.push_back({a, "\"" + util::hmac_sha256_hex("dialerd console", a.body).substr(0, 32) + "\""});
    return out;
  }();
  return tagged;
}

// One file, revalidated on each load (Cache-Control: no-cache, with an ETag), so a new binary's console
// is never mixed with an old one's cached script.
http::Response asset(const http::Request& req, std::string_view name) {
  for (const auto& [a, etag] : tagged_assets()) {
    if (a.name != name) continue;
    http::Response r;
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Cache-Control", "no-cache");
    harden(r);
    if (req.header("if-none-match") == etag) {
      r.status = 304;
      r.content_type = std::string(a.content_type);
      return r;
    }
    r.content_type = std::string(a.content_type);
    r.body = std::string(a.body);
    return r;
  }
  auto r = http::error_response(404, "not_found",
                                fmt::format("the console has no file '{}'", util::escape_control(std::string(name))));
  harden(r);
  return r;
}

}  // namespace

void register_console_routes(http::Router& router) {
  for (const char* path : {"/", "/ui"})
    router.add(
        "GET", path, [](const http::Request&, const http::Params&) { return to_console(); }, http::Access::open);
  router.add(
      "GET", std::string(http::kConsoleRoot),
      [](const http::Request& r, const http::Params&) { return asset(r, "index.html"); }, http::Access::open);
  router.add(
      "GET", "/ui/{file}", [](const http::Request& r, const http::Params& p) { return asset(r, p.at("file")); },
      http::Access::open);
}

}  // namespace dialerd::api
