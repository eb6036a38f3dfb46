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
  REQUIRE(res.has_value());
  auto& r = res.value();
  return {r.status, json::parse(r.body, nullptr, false), r.body};
}
const std::string kKeyA = "key-for-workspace-a-0123456789";
const std::string kKeyB = "key-for-workspace-b-0123456789";
}  // namespace

TEST_CASE("auth: every /v1 request needs a valid key and sees only its workspace") {
  TempDir dir;
  json config = {
      {"api",
       {{"keys",
         {{{"name", "a"}, {"key", kKeyA}, {"workspace", "a"}}, {{"name", "b"}, {"key", kKeyB}, {"workspace", "b"}}}}}},
      {"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 50}}}}}}}};
  DaemonProcess daemon(dir, config);
  json body = {{"name", "a's"},     {"agent_id", "agent_1"},
               {"provider", "sim"}, {"from_number", "+14155550100"},
               {"status", "draft"}, {"contacts", {{{"phone_number", "+14155550101"}}}}};

  auto none = call(daemon, "POST", "/v1/campaigns", {}, body.dump());
  CHECK(none.status == 401);
  CHECK(none.body["error"]["code"] == "unauthorized");
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"Authorization", "Bearer wrong-key-wrong-key"}}).status == 401);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyA + "x"}}).status == 401);
  CHECK(call(daemon, "GET", "/healthz", {}).status == 200);                         // health stays open
  CHECK(call(daemon, "POST", "/v1/providers/sim/events", {}, "{}").status == 400);  // callbacks: no API key

  auto created = call(daemon, "POST", "/v1/campaigns",
                      {{"Authorization", "Bearer " + kKeyA}, {"Content-Type", "application/json"}}, body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();
  CHECK(call(daemon, "GET", "/v1/campaigns/" + id, {{"X-API-Key", kKeyA}}).status == 200);
  CHECK(call(daemon, "GET", "/v1/campaigns/" + id, {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "POST", "/v1/campaigns/" + id + "/start", {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyA}}).body["data"]["items"].size() == 1);
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyB}}).body["data"]["items"].empty());
  CHECK(call(daemon, "GET", "/v1/calls/1", {{"X-API-Key", kKeyB}}).status == 404);
  CHECK(call(daemon, "GET", "/v1/calls/1", {{"X-API-Key", kKeyA}}).status == 200);
  // Another workspace's ids answer exactly as missing ones do (the same query finds nothing for both).
  for (const std::string path : {"/v1/campaigns/", "/v1/calls/"}) {
    const bool campaign = path == "/v1/campaigns/";
    auto theirs = call(daemon, "GET", path + (campaign ? id : "1"), {{"X-API-Key", kKeyB}});
    auto missing = call(daemon, "GET", path + "999", {{"X-API-Key", kKeyB}});
    CHECK(theirs.status == 404);
    CHECK(missing.status == 404);
    CHECK(theirs.body["error"]["code"] == missing.body["error"]["code"]);
    CHECK(theirs.body["error"]["message"] == (campaign ? "no campaign " + id : std::string("no call 1")));
    CHECK(missing.body["error"]["message"] == (campaign ? "no campaign 999" : "no call 999"));
  }
  // A field name holding a NUL is named in the message, escaped (what() would have ended at the NUL).
  auto nul = call(daemon, "POST", "/v1/campaigns", {{"X-API-Key", kKeyA}, {"Content-Type", "application/json"}},
                  R"({"name":"x","agent_id":"a","provider":"sim","from_number":"+14155550100","\u0000odd":1})");
  CHECK(nul.status == 400);
  CHECK(nul.body["error"]["message"] == "\\x00odd: unknown field (not supported by this version)");
  CHECK(nul.body["error"]["field"] == std::string("\0odd", 4));
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

TEST_CASE("auth: odd spellings of a path are refused before any handler, with or without a key") {
  // The shapes an attack on the running daemon used to reach /v1 with no key as workspace "default".
  TempDir dir;
  json config = {{"api", {{"keys", {{{"name", "crm"}, {"key", kKeyA}, {"workspace", "default"}}}}}},
                 {"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 50}}}}}}}};
  DaemonProcess daemon(dir, config);
  std::string body = R"({"name":"x","agent_id":"a","provider":"sim","from_number":"+14155550100",)"
                     R"("contacts":[{"phone_number":"+14155550101"}]})";
  auto post = [&](const std::string& target) {
    return raw_exchange(daemon.port(), "POST " + target +
                                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                           "Content-Type: application/json\r\nContent-Length: " +
                                           std::to_string(body.size()) + "\r\n\r\n" + body);
  };
  auto get = [&](const std::string& target) {
    return raw_exchange(daemon.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  };
  for (const char* target :
       {"//v1/campaigns", "///v1/campaigns", "/%2Fv1/campaigns", "/%2fv1/campaigns", "v1/campaigns", "/v1//campaigns",
        "/v1/campaigns/", "/v1/./campaigns", "/v1/x/../campaigns", "/v1%2Fcampaigns"}) {
    INFO(target);
    auto created = post(target);
    CHECK(raw_status(created) == 400);
    CHECK_THAT(created, Catch::Contains("\"bad_request\""));
    CHECK(raw_status(get(target)) == 400);
  }
  for (const char* target : {"//v1/suppressions", "v1/suppressions", "//v1/contacts/%2B14155550101", "//v1/calls/1",
                             "//metrics", "//healthz"}) {
    INFO(target);
    CHECK(raw_status(get(target)) == 400);
  }
  // Nothing was created: the canonical path with the key sees no campaign.
  CHECK(call(daemon, "GET", "/v1/campaigns", {{"X-API-Key", kKeyA}}).body["data"]["items"].empty());
  // The canonical path without a key is still 401, and with it 201.
  CHECK(raw_status(post("/v1/campaigns")) == 401);
  CHECK(call(daemon, "POST", "/v1/campaigns", {{"X-API-Key", kKeyA}, {"Content-Type", "application/json"}}, body)
            .status == 201);
  CHECK(raw_status(get("/healthz")) == 200);
}

TEST_CASE("auth: unknown transfer codings are refused, never read as a bodiless request") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", {{"kind", "simulator"}}}}}});
  // Were "xchunked" read as no body, the body would run as a second request (a smuggled POST).
  std::string smuggled =
      "POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n{}";
  for (const char* coding : {"xchunked", "gzip", "chunked, chunked", "identity"}) {
    INFO(coding);
    auto answer = raw_exchange(daemon.port(), std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") +
                                                  coding + "\r\n\r\n" + smuggled);
    CHECK(raw_status(answer) == 501);
    CHECK_THAT(answer, Catch::Contains("not_implemented"));
    CHECK(answer.find("HTTP/1.1", 10) == std::string::npos);  // one answer: the smuggled request never ran
  }
  auto both = raw_exchange(daemon.port(),
                           "POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                           "Content-Length: 5\r\n\r\n0\r\n\r\n");
  CHECK(raw_status(both) == 400);
  // A well-formed chunked body is still read.
  auto chunked = raw_exchange(daemon.port(),
                              "POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "2\r\n{}\r\n0\r\n\r\n");
  CHECK(raw_status(chunked) == 400);  // the body reached the handler: an empty campaign is invalid
  CHECK_THAT(chunked, Catch::Contains("is required"));
}

TEST_CASE("auth: contacts and suppressions are per workspace - another never reads or changes them") {
  TempDir dir;
  const std::string admin = "key-for-the-operator-0123456789";
  json config = {{"api",
                  {{"keys",
                    {{{"name", "a"}, {"key", kKeyA}, {"workspace", "a"}},
                     {{"name", "b"}, {"key", kKeyB}, {"workspace", "b"}},
                     {{"name", "ops"}, {"key", admin}, {"workspace", "ops"}, {"role", "admin"}}}}}},
                 {"providers", {{"sim", {{"kind", "simulator"}}}}}};
  DaemonProcess daemon(dir, config);
  auto as = [](const std::string& key) {
    return std::vector<std::pair<std::string, std::string>>{{"X-API-Key", key}, {"Content-Type", "application/json"}};
  };
  const std::string phone = "%2B14155550101";  // San Francisco
  auto campaign = [](const std::string& first, const std::optional<std::string>& tz) {
    json contact = {{"phone_number", "+14155550101"}, {"first_name", first}};
    if (tz) contact["timezone"] = *tz;
    return json{{"name", "c"},       {"agent_id", "agent_1"}, {"provider", "sim"}, {"from_number", "+14155550100"},
                {"status", "draft"}, {"contacts", {contact}}}
        .dump();
  };
  REQUIRE(call(daemon, "POST", "/v1/campaigns", as(kKeyA), campaign("Ann", std::nullopt)).status == 201);
  // B names the same number with another name and a zone that would widen A's legal hours.
  REQUIRE(call(daemon, "POST", "/v1/campaigns", as(kKeyB), campaign("Bob", "Europe/London")).status == 201);
  auto a_view = call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyA));
  REQUIRE(a_view.status == 200);
  CHECK(a_view.body["data"]["first_name"] == "Ann");
  CHECK(a_view.body["data"]["timezone"].is_null());
  CHECK(a_view.body["data"]["zones"] == json::array({"America/Los_Angeles"}));
  auto b_view = call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyB));
  CHECK(b_view.body["data"]["first_name"] == "Bob");
  // B's own declared zone narrows B's calls only, and never replaces the number's zone.
  CHECK(b_view.body["data"]["zones"] == json::array({"Europe/London", "America/Los_Angeles"}));
  CHECK(b_view.body["data"]["zone_source"] == "contact_and_number");
  // B's PATCH changes B's record only.
  CHECK(call(daemon, "PATCH", "/v1/contacts/" + phone, as(kKeyB), R"({"active": false, "first_name": "X"})").status ==
        200);
  a_view = call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyA));
  CHECK(a_view.body["data"]["active"] == true);
  CHECK(a_view.body["data"]["first_name"] == "Ann");
  // The admin's workspace has no record of the number: 404, as for a number nobody has.
  CHECK(call(daemon, "GET", "/v1/contacts/" + phone, as(admin)).status == 404);
  CHECK(call(daemon, "GET", "/v1/contacts/%2B14155550199", as(kKeyA)).status == 404);

  // B's suppression: B's calls only; A cannot see, overwrite or remove it, reasons included.
  json supp = {{"phone_number", "+14155550101"}, {"reason", "b-private-reason"}};
  auto added = call(daemon, "POST", "/v1/suppressions", as(kKeyB), supp.dump());
  REQUIRE(added.status == 201);
  CHECK(added.body["data"]["scope"] == "workspace");
  CHECK(added.body["data"]["workspace"] == "b");
  CHECK(added.body["data"]["created_by"] == "b");
  CHECK(call(daemon, "GET", "/v1/suppressions", as(kKeyA)).body["data"]["items"].empty());
  CHECK(call(daemon, "GET", "/v1/suppressions/" + phone, as(kKeyA)).status == 404);
  CHECK(call(daemon, "DELETE", "/v1/suppressions/" + phone, as(kKeyA)).status == 404);
  CHECK(call(daemon, "GET", "/v1/suppressions?workspace=b", as(kKeyA)).status == 403);
  CHECK(call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyA)).body["data"]["suppressed"].is_null());
  CHECK(call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyB)).body["data"]["suppressed"] == "b-private-reason");
  CHECK(call(daemon, "GET", "/v1/suppressions/" + phone, as(kKeyB)).body["data"]["reason"] == "b-private-reason");
  // A's own entry for the same number is A's, and leaves B's untouched.
  supp["reason"] = "a-reason";
  CHECK(call(daemon, "POST", "/v1/suppressions", as(kKeyA), supp.dump()).status == 201);
  CHECK(call(daemon, "GET", "/v1/suppressions/" + phone, as(kKeyB)).body["data"]["reason"] == "b-private-reason");
  CHECK(call(daemon, "DELETE", "/v1/suppressions/" + phone, as(kKeyA)).status == 204);

  // The global list: only admin keys change or read it; it applies to every workspace.
  supp["scope"] = "global";
  supp["reason"] = "regulator order 17";
  auto refused = call(daemon, "POST", "/v1/suppressions", as(kKeyA), supp.dump());
  CHECK(refused.status == 403);
  CHECK(refused.body["error"]["code"] == "forbidden");
  CHECK(call(daemon, "GET", "/v1/suppressions?scope=global", as(kKeyA)).status == 403);
  auto global = call(daemon, "POST", "/v1/suppressions", as(admin), supp.dump());
  REQUIRE(global.status == 201);
  CHECK(global.body["data"]["scope"] == "global");
  CHECK(global.body["data"]["workspace"].is_null());
  CHECK(call(daemon, "GET", "/v1/contacts/" + phone, as(kKeyA)).body["data"]["suppressed"] ==
        "on the global do-not-call list");
  auto listed = call(daemon, "GET", "/v1/suppressions?scope=global", as(admin));
  REQUIRE(listed.body["data"]["items"].size() == 1);
  CHECK(listed.body["data"]["items"][0]["reason"] == "regulator order 17");
  CHECK(call(daemon, "GET", "/v1/suppressions/" + phone + "?workspace=b", as(admin)).status == 200);
  CHECK(call(daemon, "DELETE", "/v1/suppressions/" + phone + "?workspace=b", as(admin)).status == 204);
  CHECK(call(daemon, "DELETE", "/v1/suppressions/" + phone + "?scope=global", as(admin)).status == 204);

  // Every removal is recorded with the key that made it.
  std::string out;
  REQUIRE(run_command("sqlite3 " + daemon.db_path() +
                          " \"SELECT workspace || ':' || reason || ':' || removed_by FROM suppression_removals "
                          "ORDER BY id\"",
                      out) == 0);
  CHECK(out == "a:a-reason:a\nb:b-private-reason:ops\n*:regulator order 17:ops\n");
}
