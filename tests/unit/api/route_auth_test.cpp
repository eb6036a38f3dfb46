// Authentication is decided by the route a request matches, and no spelling of a path reaches a handler
// without the key its route needs (issue 16, item 1: `//v1/campaigns`, `/%2Fv1/...` and `v1/...` were
// served with no key as workspace "default").
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dialerd/http/router.hpp"
#include "support/daemon_process.hpp"
#include "support/routes.hpp"
#include "support/run_sync.hpp"

using namespace dialerd;

namespace {

// A route's pattern with each {parameter} filled in: "/v1/campaigns/{id}" -> "/v1/campaigns/1".
std::string concrete(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    auto end = pattern.find('}', i);
    auto name = pattern.substr(i + 1, end - i - 1);
    out += name == "phone" ? "%2B14155550101" : name == "name" ? "sim" : "1";
    i = end;
  }
  return out;
}

http::Request request(const std::string& method, const std::string& target, const std::string& key = "") {
  http::Request r;
  r.method = method;
  r.target = target;
  http::parse_target(target, r.path, r.query);
  if (!key.empty()) r.headers["x-api-key"] = key;
  if (method == "POST" || method == "PATCH" || method == "PUT") {
    r.headers["content-type"] = "application/json";
    r.body = "{}";
  }
  return r;
}

// The real routes, with one API key configured, as main() registers them.
struct Api : testing::Routes {
  Api()
      : testing::Routes([] {
          auto c = app::parse_config(app::default_config_text());
          c.api_keys.push_back({"a", "key-for-workspace-a-0123456789", "default", false});
          return c;
        }()) {}
};

}  // namespace

TEST_CASE("route auth: every route refuses non-canonical spellings and asks its key by the matched route") {
  Api api;
  auto& ctx = api.ctx;
  auto& router = api.router;

  auto routes = router.routes();
  REQUIRE(routes.size() > 20);
  for (const auto& route : routes) {
    auto path = concrete(route.pattern);
    bool open = route.pattern == "/healthz" || route.pattern == "/readyz" || route.pattern == "/metrics" ||
                route.pattern == "/v1/providers/{name}/events" || route.pattern == "/" ||
                route.pattern.rfind("/ui", 0) == 0;  // the console's files: its API requests carry the key
    INFO(route.method << " " << route.pattern);
    auto plain = dialerd::testing::run_sync(api::serve(ctx, router, request(route.method, path)));
    if (open)
      CHECK(plain.status != 401);
    else
      CHECK(plain.status == 401);
    std::vector<std::string> shapes = {"/" + path,
                                       "//" + path,
                                       path.substr(1),
                                       path + "/",
                                       "/%2F" + path.substr(1),
                                       "/%2f" + path.substr(1),
                                       "/./" + path.substr(1)};
    auto slash = path.find('/', 1);
    if (slash != std::string::npos) {
      shapes.push_back(path.substr(0, slash) + "/" + path.substr(slash));        // "/v1//campaigns"
      shapes.push_back(path.substr(0, slash) + "%2F" + path.substr(slash + 1));  // "/v1%2Fcampaigns"
      shapes.push_back(path.substr(0, slash) + "/x/.." + path.substr(slash));    // "/v1/x/../campaigns"
    }
    for (const auto& shape : shapes) {
      if (shape == http::kConsoleRoot) continue;  // "/ui" + "/": the console's root, a route of its own
      if (shape.empty()) continue;                // "/" without its '/': no target, so no request
      INFO("target " << shape);
      auto r = dialerd::testing::run_sync(api::serve(ctx, router, request(route.method, shape)));
      CHECK(r.status == 400);
      CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "bad_request");
    }
  }
}

TEST_CASE("route auth: a request whose path did not come from a target still matches no route by odd spelling") {
  Api api;
  auto& ctx = api.ctx;
  auto& router = api.router;
  for (const char* path : {"//v1/campaigns", "v1/campaigns", "/v1/campaigns/", "//healthz"}) {
    INFO(path);
    http::Request r;
    r.method = "GET";
    r.path = path;  // no target: serve cannot check one, the router's exact matching is what holds
    CHECK(dialerd::testing::run_sync(api::serve(ctx, router, r)).status == 404);
  }
}
