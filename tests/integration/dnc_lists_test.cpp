// Named do-not-call lists through the real daemon (issue 19.3): a gzip import with a per-line report, a
// campaign honouring the list skipping the listed number and calling the other, the export and lookup, a
// list past its max age stopping the campaign until a fresh copy is imported, global lists kept by admin
// keys, another workspace's lists invisible, and the bulk body limit. Each test lives at an instant it
// chooses (dialerd --test-clock).
#include <catch2/catch.hpp>

#include "dialerd/http/client.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"
#include "support/gzip.hpp"

using namespace dialerd::testing;

namespace {

// Monday 15 June 2026, 12:00 UTC; legal all day, so only the lists decide.
const std::vector<std::string> kAtNoon = {"--test-clock", "2026-06-15T12:00:00Z"};

json config_for(const FakeBatchCall& fake, json extra = json::object()) {
  json c = {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
            {"providers", {{"acme", fake.provider_config()}}}};
  c.update(extra);
  return c;
}

json campaign(std::vector<std::string> phones, json extra = json::object()) {
  json contacts = json::array();
  for (const auto& p : phones) contacts.push_back({{"phone_number", p}, {"timezone", "Etc/UTC"}});
  json c = {{"name", "dnc"},     {"agent_id", "agent_1"}, {"provider", "acme"}, {"from_number", "+14157774444"},
            {"concurrency", 10}, {"contacts", contacts}};
  c.update(extra);
  return c;
}

struct Answer {
  int status = 0;
  json body;
  std::string text;
  std::map<std::string, std::string> headers;
};

Answer call(const DaemonProcess& d, const std::string& method, const std::string& path, const std::string& body = "",
            const std::string& content_type = "application/json", const std::string& key = "") {
  dialerd::http::ClientRequest req;
  req.method = method;
  req.url = d.url(path);
  req.headers = {{"Content-Type", content_type}};
  if (!key.empty()) req.headers.emplace_back("X-API-Key", key);
  req.body = body;
  req.timeout_ms = 60000;
  auto res = dialerd::http::fetch_blocking(req);
  REQUIRE(res.has_value());
  return {res->status, json::parse(res->body, nullptr, false), res->body, res->headers};
}

// The one pending call of a campaign, as GET /v1/calls/{id} explains it now.
json pending_call(const DaemonProcess& d, const std::string& campaign_id) {
  auto calls = http_get(d.url("/v1/campaigns/" + campaign_id + "/calls?state=pending"));
  REQUIRE(calls.status == 200);
  REQUIRE(calls.body["data"]["items"].size() == 1);
  auto call = http_get(d.url("/v1/calls/" + calls.body["data"]["items"][0]["id"].get<std::string>()));
  REQUIRE(call.status == 200);
  return call.body["data"];
}

// Numbers kept to this file's range (area code 646).
std::string phone(int i) {
  return nanp_phone(i, "646", 3000000);
}

}  // namespace

TEST_CASE("dnc lists: a gzip import reports bad lines - the campaign skips the listed number and calls the other") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  auto made = call(daemon, "POST", "/v1/dnc-lists",
                   json{{"name", "registry"}, {"source", "National DNC Registry"}, {"max_age_days", 31}}.dump());
  REQUIRE(made.status == 201);
  CHECK(made.body["data"]["numbers"] == 0);
  CHECK(made.body["data"]["stale"] == true);  // a max age and nothing imported yet
  CHECK(call(daemon, "POST", "/v1/dnc-lists", json{{"name", "registry"}}.dump()).status == 409);
  CHECK(call(daemon, "POST", "/v1/dnc-lists", json{{"name", "internal"}}.dump()).body["error"]["field"] == "name");

  // Listed: phone(1) in E.164, phone(2) as 10 NANP digits; a bad line and a duplicate between them.
  std::string file = phone(1) + "\n" + phone(2).substr(2) + "\nnot-a-number\n" + phone(1) + "\n";
  for (int i = 100; i < 5100; ++i) file += phone(i) + "\n";
  auto imported = call(daemon, "POST", "/v1/dnc-lists/registry/numbers?mode=replace&as_of=2026-06-14", gzip(file),
                       "application/gzip");
  REQUIRE(imported.status == 200);
  const auto& report = imported.body["data"]["import"];
  CHECK(report["gzip"] == true);
  CHECK(report["lines"] == 5004);
  CHECK(report["numbers"] == 5003);
  CHECK(report["added"] == 5002);
  CHECK(report["duplicates"] == 1);
  CHECK(report["invalid"] == 1);
  REQUIRE(report["errors"].size() == 1);
  CHECK(report["errors"][0]["line"] == 3);
  CHECK(report["errors"][0]["text"] == "not-a-number");
  CHECK(imported.body["data"]["list"]["numbers"] == 5002);
  CHECK(imported.body["data"]["list"]["as_of"] == "2026-06-14T00:00:00.000Z");
  CHECK(imported.body["data"]["list"]["stale"] == false);

  // A campaign naming a list that does not exist is refused; one honouring "registry" skips phone(1).
  auto unknown = api_post(daemon, "/v1/campaigns", campaign({phone(3)}, {{"dnc_lists", {"nope"}}}));
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["field"] == "dnc_lists");
  auto id = create_campaign(daemon, campaign({phone(1), phone(2), phone(3)}, {{"dnc_lists", {"registry"}}}));
  CHECK(campaign_of(daemon, id)["dnc_lists"] == json::array({"registry"}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["skipped"] == 2; }));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(fake.received_numbers().count(phone(3)) == 1);
  CHECK(fake.tasks_received() == 1);
  auto skipped = http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=skipped"));
  REQUIRE(skipped.body["data"]["items"].size() == 2);
  CHECK_THAT(skipped.body["data"]["items"][0]["last_error"].get<std::string>(),
             Catch::Contains("dnc-lists: Number is on the do-not-call list \"registry\""));

  // Call-now holds to the list too, naming its source.
  auto now = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(150)}}}});
  CHECK(now.status == 422);
  auto refused = check_named(now.body["error"]["compliance"]["checks_failed"], "dnc-lists");
  REQUIRE(refused.is_object());
  CHECK(refused["source"] == "National DNC Registry");

  // Lookup and export.
  CHECK(call(daemon, "GET", "/v1/dnc-lists/registry/numbers/" + phone(2).substr(1)).status == 200);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/registry/numbers/" + phone(3).substr(1)).status == 404);
  auto page = call(daemon, "GET", "/v1/dnc-lists/registry/numbers?limit=3");
  REQUIRE(page.status == 200);
  CHECK(page.text == phone(1) + "\n" + phone(2) + "\n" + phone(100) + "\n");
  REQUIRE(page.headers.count("dialerd-next-after"));
  CHECK(page.headers["dialerd-next-after"] == phone(100));
  auto rest = call(daemon, "GET", "/v1/dnc-lists/registry/numbers?limit=1000000&after=" + phone(100).substr(1));
  CHECK(std::count(rest.text.begin(), rest.text.end(), '\n') == 4999);
  CHECK_FALSE(rest.headers.count("dialerd-next-after"));
  // The header's value as it stands (an unencoded "+" reads as a space) is the same cursor.
  auto same = call(daemon, "GET", "/v1/dnc-lists/registry/numbers?limit=2&after=" + phone(100));
  CHECK(same.text == phone(101) + "\n" + phone(102) + "\n");

  // Removing the number lets it be called again; deleting a list in use is refused, naming the campaign.
  CHECK(call(daemon, "DELETE", "/v1/dnc-lists/registry/numbers/" + phone(1).substr(1)).status == 204);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/registry").body["data"]["numbers"] == 5001);
  auto in_use = call(daemon, "DELETE", "/v1/dnc-lists/registry");
  CHECK(in_use.status == 409);
  CHECK(in_use.body["error"]["campaign_ids"] == json::array({std::stoll(id)}));
  // The campaign stops honouring it (PATCH); then it may go.
  auto patched = call(daemon, "PATCH", "/v1/campaigns/" + id, json{{"dnc_lists", json::array()}}.dump());
  REQUIRE(patched.status == 200);
  CHECK(patched.body["data"]["dnc_lists"] == json::array());
  CHECK(call(daemon, "PATCH", "/v1/campaigns/" + id, json{{"dnc_lists", {"nope"}}}.dump()).status == 400);
  CHECK(call(daemon, "DELETE", "/v1/dnc-lists/registry").status == 204);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/registry").status == 404);
}

TEST_CASE("dnc lists: a list past its max age stops the campaign until a fresh copy is imported") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists", json{{"name", "registry"}, {"max_age_days", 31}}.dump()).status == 201);
  // A copy from 1 May: 45 days old on 15 June.
  auto old = call(daemon, "POST", "/v1/dnc-lists/registry/numbers?mode=replace&as_of=2026-05-01", phone(1) + "\n",
                  "text/plain");
  REQUIRE(old.status == 200);
  CHECK(old.body["data"]["list"]["stale"] == true);
  auto id = create_campaign(daemon, campaign({phone(2)}, {{"dnc_lists", {"registry"}}}));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, id)["counts"]["pending"] == 1);
  CHECK(fake.tasks_received() == 0);
  auto blocked = check_named(pending_call(daemon, id)["compliance"]["checks_failed"], "dnc-lists");
  REQUIRE(blocked.is_object());
  CHECK_THAT(blocked["reason"].get<std::string>(),
             Catch::Contains("\"registry\" is past its max age of 31 days (as of 2026-05-01T00:00:00Z)"));
  REQUIRE(
      wait_until([&] { return daemon.log().find("dispatches nothing: the do-not-call list") != std::string::npos; }));
  // Preflight counts it as waiting on the list.
  auto preflight = http_get(daemon.url("/v1/campaigns/" + id + "/preflight"));
  REQUIRE(preflight.status == 200);
  CHECK(preflight.body["data"]["wait"]["calls"] == 1);
  CHECK(preflight.body["data"]["wait"]["by_check"].dump().find("dnc-lists") != std::string::npos);
  // The forecast says so, and counts its hours as if the list were refreshed now.
  auto forecast = http_get(daemon.url("/v1/campaigns/" + id + "/forecast"));
  REQUIRE(forecast.status == 200);
  CHECK_THAT(forecast.body["data"]["blocked"].get<std::string>(), Catch::Contains("past its max age"));
  CHECK(forecast.body["data"]["finishes_within_horizon"] == true);

  // A refresh (dated now) lets it go on at once.
  auto fresh = call(daemon, "POST", "/v1/dnc-lists/registry/numbers?mode=replace", phone(1) + "\n", "text/plain");
  REQUIRE(fresh.status == 200);
  CHECK(fresh.body["data"]["list"]["stale"] == false);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  CHECK(daemon.log().find("do-not-call lists are current again") != std::string::npos);
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/forecast")).body["data"]["blocked"].is_null());

  // A replace with no valid number would empty the list: refused, the list keeps its copy.
  auto empty = call(daemon, "POST", "/v1/dnc-lists/registry/numbers?mode=replace", "junk\n", "text/plain");
  CHECK(empty.status == 400);
  CHECK_THAT(empty.body["error"]["message"].get<std::string>(), Catch::Contains("keeps its 1 numbers"));
  CHECK(call(daemon, "GET", "/v1/dnc-lists/registry").body["data"]["numbers"] == 1);
}

TEST_CASE(
    "dnc lists: global lists are kept by admin keys and honoured by every workspace - others' lists look missing") {
  TempDir dir;
  FakeBatchCall fake;
  const std::string a = "key-for-workspace-a-0123456789", b = "key-for-workspace-b-0123456789",
                    admin = "key-for-the-operator-0123456789";
  json keys = {{{"name", "a"}, {"key", a}, {"workspace", "a"}},
               {{"name", "b"}, {"key", b}, {"workspace", "b"}},
               {{"name", "ops"}, {"key", admin}, {"workspace", "ops"}, {"role", "admin"}}};
  DaemonProcess daemon(dir, config_for(fake, {{"api", {{"keys", keys}}}}), {}, kAtNoon);
  const std::string global = json{{"name", "federal"}, {"scope", "global"}}.dump();
  CHECK(call(daemon, "POST", "/v1/dnc-lists", global, "application/json", a).status == 403);
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists", global, "application/json", admin).status == 201);
  CHECK(call(daemon, "POST", "/v1/dnc-lists/federal/numbers?scope=global", phone(1), "text/plain", a).status == 403);
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists/federal/numbers?scope=global", phone(1), "text/plain", admin).status ==
          200);
  // Every workspace reads it.
  auto seen = call(daemon, "GET", "/v1/dnc-lists", "", "application/json", b);
  REQUIRE(seen.status == 200);
  CHECK(seen.body["data"]["items"].size() == 2);  // internal and federal
  CHECK(seen.body["data"]["items"][1]["scope"] == "global");

  // A's own list is not B's: B cannot read, import into, or honour it.
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists", json{{"name", "mine"}}.dump(), "application/json", a).status == 201);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/mine", "", "application/json", b).status == 404);
  CHECK(call(daemon, "POST", "/v1/dnc-lists/mine/numbers", phone(2), "text/plain", b).status == 404);
  auto bc = call(daemon, "POST", "/v1/campaigns", campaign({phone(2)}, {{"dnc_lists", {"mine"}}}).dump(),
                 "application/json", b);
  CHECK(bc.status == 400);
  CHECK(bc.body["error"]["field"] == "dnc_lists");
  // An admin key keeps another workspace's lists with ?workspace=; a workspace key may not.
  const std::string for_b = json{{"name", "theirs"}}.dump();
  CHECK(call(daemon, "POST", "/v1/dnc-lists?workspace=b", for_b, "application/json", a).status == 403);
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists?workspace=b", for_b, "application/json", admin).status == 201);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/theirs", "", "application/json", b).status == 200);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/theirs", "", "application/json", a).status == 404);

  // B's campaign honouring the global list skips its number.
  auto made = call(daemon, "POST", "/v1/campaigns", campaign({phone(1), phone(3)}, {{"dnc_lists", {"federal"}}}).dump(),
                   "application/json", b);
  REQUIRE(made.status == 201);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  CHECK(fake.received_numbers().count(phone(3)) == 1);
  CHECK(fake.received_numbers().count(phone(1)) == 0);
}

TEST_CASE("dnc lists: an import may be far larger than http.body_limit_bytes - other requests may not") {
  TempDir dir;
  FakeBatchCall fake;
  const std::string key = "key-for-the-importer-0123456789";
  json keys = {{{"name", "importer"}, {"key", key}, {"workspace", "default"}}};
  DaemonProcess daemon(dir, config_for(fake, {{"http", {{"body_limit_bytes", 4096}}}, {"api", {{"keys", keys}}}}), {},
                       kAtNoon);
  REQUIRE(call(daemon, "POST", "/v1/dnc-lists", json{{"name", "big"}}.dump(), "application/json", key).status == 201);
  std::string csv = "id,phone\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i) + "," + phone(i) + "\n";  // ~ 300 KB
  // Without a valid key the larger limit is not granted: the body is refused before it is read.
  CHECK(call(daemon, "POST", "/v1/dnc-lists/big/numbers", csv, "text/csv").status == 413);
  CHECK(call(daemon, "POST", "/v1/dnc-lists/big/numbers", csv, "text/csv", "not-a-key-0123456789").status == 413);
  CHECK(call(daemon, "POST", "/v1/dnc-lists/big/numbers", phone(1), "text/plain").status == 401);
  auto imported = call(daemon, "POST", "/v1/dnc-lists/big/numbers", csv, "text/csv", key);
  REQUIRE(imported.status == 200);
  CHECK(imported.body["data"]["import"]["added"] == 20000);
  auto refused = call(daemon, "POST", "/v1/suppressions", std::string(5000, ' '), "application/json", key);
  CHECK(refused.status == 413);
  CHECK(call(daemon, "GET", "/v1/dnc-lists/big", "", "application/json", key).body["data"]["numbers"] == 20000);
}
