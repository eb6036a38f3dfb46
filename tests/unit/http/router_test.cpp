#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "dialerd/http/router.hpp"

using namespace dialerd::http;

namespace {
Request req(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  parse_target(r.target, r.path, r.query);
  return r;
}
}  // namespace

TEST_CASE("router: patterns bind parameters - unknown paths are 404 and wrong methods 405 with Allow") {
  Router router;
  router.add("GET", "/v1/campaigns/{id}", [](const Request&, const Params& p) {
    Response r;
    r.body = p.at("id");
    return r;
  });
  router.add("POST", "/v1/campaigns", [](const Request&, const Params&) {
    return Response{201, "application/json", "", {}};
  });
  CHECK(router.dispatch(req("GET", "/v1/campaigns/42")).body == "42");
  CHECK(router.dispatch(req("GET", "/v1/campaigns/42/")).status == 404);  // one spelling per path
  CHECK(router.dispatch(req("POST", "/v1/campaigns")).status == 201);
  auto r404 = router.dispatch(req("GET", "/v1/nothing"));
  CHECK(r404.status == 404);
  CHECK(nlohmann::json::parse(r404.body)["error"]["code"] == "not_found");
  auto r405 = router.dispatch(req("DELETE", "/v1/campaigns/42"));
  CHECK(r405.status == 405);
  REQUIRE(r405.headers.size() == 1);
  CHECK(r405.headers[0] == std::pair<std::string, std::string>{"Allow", "GET"});
}

TEST_CASE("router: targets are split and percent-decoded") {
  auto r = req("GET", "/v1/contacts/%2B14155550101?state=pending&q=a+b&x=%41");
  CHECK(r.path == "/v1/contacts/+14155550101");
  CHECK(r.query.at("state") == "pending");
  CHECK(r.query.at("q") == "a b");
  CHECK(r.query.at("x") == "A");
  CHECK(percent_decode("%zz%4", false) == "%zz%4");
}

TEST_CASE("router: an error message quoting invalid UTF-8 still makes a valid answer") {
  auto r = error_response(400, "invalid_field", "\xC3\x28: unknown field", "\xC3\x28");
  CHECK_NOTHROW(nlohmann::json::parse(r.body));
}

TEST_CASE("router: error bodies name the field") {
  auto r = error_response(400, "invalid_field", "name: is required", "name");
  auto j = nlohmann::json::parse(r.body);
  CHECK(j["error"]["field"] == "name");
  CHECK(nlohmann::json::parse(error_response(404, "not_found", "x").body)["error"]["field"].is_null());
}

TEST_CASE("router: empty segments and paths without a leading slash match no route") {
  Router router;
  router.add("GET", "/v1/campaigns", [](const Request&, const Params&) {
    return Response{200, "text/plain", "ok", {}};
  });
  router.add(
      "GET", "/healthz", [](const Request&, const Params&) { return Response{}; }, Access::open);
  CHECK(router.find(req("GET", "/v1/campaigns")).handler != nullptr);
  CHECK(router.find(req("GET", "/v1/campaigns")).access == Access::api_key);
  CHECK(router.find(req("GET", "/healthz")).access == Access::open);
  for (const char* target : {"//v1/campaigns", "///v1/campaigns", "/v1//campaigns", "/v1/campaigns/", "v1/campaigns",
                             "/%2Fv1/campaigns", "//healthz"}) {
    INFO(target);
    auto m = router.find(req("GET", target));
    CHECK(m.handler == nullptr);
    CHECK(m.refusal.status == 404);
  }
}

TEST_CASE("router: target_problem accepts canonical origin-form targets only") {
  for (const char* ok : {"/", "/healthz", "/v1/campaigns?status=running", "/v1/contacts/%2B14155550101",
                         "/v1/campaigns/42/calls?cursor=a%2Fb", "/v1/a.b/..c", "/ui/", "/ui/?x=1"}) {
    INFO(ok);
    CHECK(target_problem(ok).empty());
  }
  struct Case {
    const char* target;
    const char* says;
  };
  for (auto c : {Case{"", "origin form"}, Case{"v1/campaigns", "origin form"}, Case{"*", "origin form"},
                 Case{"http://x/v1/campaigns", "origin form"}, Case{"//v1/campaigns", "exactly one '/'"},
                 Case{"///v1", "exactly one '/'"}, Case{"/v1//campaigns", "empty segment"},
                 Case{"/v1/campaigns/", "empty segment"}, Case{"/healthz/", "empty segment"},
                 Case{"/ui//", "empty segment"}, Case{"/ui/app.js/", "empty segment"},
                 Case{"/%2Fv1/campaigns", "encoded '/'"}, Case{"/%2fv1/campaigns", "encoded '/'"},
                 Case{"/v1%5Ccampaigns", "encoded '/' or '\\'"}, Case{"/v1/./campaigns", "'.' or '..'"},
                 Case{"/v1/%2e%2e/campaigns", "'.' or '..'"}, Case{"/v1/campaigns%00", "control character"},
                 Case{"/v1/campaigns%0d%0a", "control character"}, Case{"/v1/cam\tpaigns", "control character"}}) {
    INFO(c.target);
    CHECK_THAT(target_problem(c.target), Catch::Contains(c.says));
  }
}
