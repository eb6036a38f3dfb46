// The CSV reports' limit on reports sent at once, through the real routes (an integration test cannot
// hold eight downloads open without reading them).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dialerd/http/router.hpp"
#include "dialerd/store/store.hpp"
#include "support/routes.hpp"

using namespace dialerd;

namespace {

struct Api : testing::Routes {
  // The route's answer as the server would get it, for a caller of `workspace`: a streamed body not read yet.
  http::Response get(const std::string& target, const std::string& workspace = "default") {
    http::Request r;
    r.method = "GET";
    r.target = target;
    http::parse_target(target, r.path, r.query);
    r.workspace = workspace;
    r.admin = true;
    auto m = router.find(r);
    REQUIRE(m.handler);
    return (*m.handler)(r, m.params);
  }
};

}  // namespace

TEST_CASE("reports api: at most 8 CSV reports are sent at once and 2 of one workspace - the next waits") {
  Api api;
  domain::CampaignSpec spec;
  spec.name = "r";
  spec.agent_id = "a";
  spec.provider = "simulator";
  spec.from_number = "+14155550100";
  domain::ContactInput c;
  c.phone = "+14155550101";
  const auto id = api.store.create_campaign(spec, {c}, 1000);
  const std::string report = "/v1/campaigns/" + std::to_string(id) + "/report";
  auto code = [](const http::Response& r) { return nlohmann::json::parse(r.body)["error"]["code"]; };

  std::vector<http::Response> open;
  open.push_back(api.get(report));
  open.push_back(api.get("/v1/reports/calls?from=0"));
  REQUIRE(open.back().status == 200);
  REQUIRE(open.back().stream);
  // A third of the same workspace waits; other workspaces still get theirs.
  auto third = api.get(report);
  CHECK(third.status == 429);
  CHECK(code(third) == "too_many_reports");
  CHECK_THAT(nlohmann::json::parse(third.body)["error"]["message"].get<std::string>(),
             Catch::Contains("of this workspace"));
  CHECK_FALSE(third.stream);
  for (int w = 1; w <= 3; ++w)
    for (int i = 0; i < 2; ++i) {
      open.push_back(api.get("/v1/reports/calls?from=0", "w" + std::to_string(w)));
      REQUIRE(open.back().status == 200);
    }
  REQUIRE(open.size() == 8);
  auto ninth = api.get("/v1/reports/calls?from=0", "w4");
  CHECK(ninth.status == 429);
  CHECK(code(ninth) == "too_many_reports");
  // A report read to its end, or dropped, makes room.
  open.erase(open.begin());
  CHECK(api.get(report).status == 200);
  CHECK(api.get("/v1/reports/calls?from=0", "w4").status == 200);
}
