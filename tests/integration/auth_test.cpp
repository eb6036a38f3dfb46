// API keys and workspaces.
#include <catch2/catch.hpp>

#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
HttpResult call(const DaemonProcess& d, const std::string& method, const std::string& path,
                std::vector<std::pair<std::string, std::string>> headers, const std::string& body = "") {
  dialerd::http::ClientRequest req;
  req.method = method;
  req.url = d.url(path);
  req.headers = std::move(headers);
  req.body = body;
  auto res = dialerd::http::fetch_blocking(req);
  REQUIRE(std::holds_alternative<dialerd::http::ClientResponse>(res));
  auto& r = std::get<dialerd::http::ClientResponse>(res);
  return {r.status, json::parse(r.body, nullptr, false), r.body};
}
const std::string kKeyA = "key-for-workspace-a-0123456789";
const std::string kKeyB = "key-for-workspace-b-0123456789";
}  // namespace

TEST_CASE("auth: every /v1 request needs a valid key and sees only its workspace") {
  TempDir dir;
  json config = {{"api", {{"keys", {{{"name", "a"}, {"key", kKeyA}, {"workspace", "a"}},
                                    {{"name", "b"}, {"key", kKeyB}, {"workspace", "b"}}}}}},
                 {"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 50}}}}}}}};
  DaemonProcess daemon(dir, config);
  json body = {{"name", "a's"}, {"agent_id", "agent_1"}, {"provider", "sim"}, {"from_number", "+14155550100"},
               {"status", "draft"}, {"contacts", {{{"phone_number", "+14155550101"}}}}};

  auto none = call(daemon, "POST", "/v1/campaigns", {}, body.dump());
  CHECK(none.status == 401);
  CHECK(none.body["error"]["code"] == "unauthorized");
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"Authorization", "Bearer wrong-key-wrong-key"}}).status == 401);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyA + "x"}}).status == 401);
  CHECK(call(daemon, "GET", "/healthz", {}).status == 200);  // health stays open
  CHECK(call(daemon, "POST", "/v1/providers/sim/events", {}, "{}").status == 400);  // callbacks: no API key

  auto created = call(daemon, "POST", "/v1/campaigns", {{"Authorization", "Bearer " + kKeyA}, {"Content-Type", "application/json"}},
                      body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();
  CHECK(call(daemon, "GET", "/v1/campaigns/" + id, {{"X-API-Key", kKeyA}}).status == 200);
  CHECK(call(daemon, "GET", "/v1/campaigns/" + id, {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "POST", "/v1/campaigns/" + id + "/start", {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyA}}).body["data"]["items"].size() == 1);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyB}}).body["data"]["items"].empty());
  CHECK(call(daemon, "GET", "/v1/calls/1", {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "GET", "/v1/calls/1", {{"X-API-Key", kKeyA}}).status == 200);
  // The key never appears in the log.
  CHECK(daemon.log().find(kKeyA) == std::string::npos);

  // dialerctl's actions carry a key too (--api-key or DIALERD_API_KEY): without one the daemon refuses;
  // with one the request reaches the call, which is not held (409), or is in another workspace (404).
  std::string out, ctl = std::string(DIALERCTL_BIN) + " --url " + daemon.url("") + " ";
  CHECK(run_command(ctl + "release 1", out) == 1);
  CHECK_THAT(out, Catch::Contains("API key is required"));
  CHECK(run_command(ctl + "release 1 --api-key " + kKeyA, out) == 1);
  CHECK_THAT(out, Catch::Contains("only held calls can be released"));
  CHECK(run_command("DIALERD_API_KEY=" + kKeyB + " " + ctl + "fail 1", out) == 1);
  CHECK_THAT(out, Catch::Contains("no call 1"));
}

TEST_CASE("auth: bad api.keys entries are config errors naming the key") {
  TempDir dir;
  write_file(dir.file("bad.json"),
             R"({"api": {"keys": [{"key": "short", "workspace": "a"}]}, "providers": {"s": {"kind": "simulator"}}})");
  std::string out;
  CHECK(run_command(std::string(DIALERD_BIN) + " --check-config " + dir.file("bad.json"), out) == 2);
  CHECK_THAT(out, Catch::Contains("api.keys: [0].key: must be a string of at least 16 characters"));
}
