// The pre-dial check through the real daemon (issue 19.6; docs/COMPLIANCE.md, "Pre-dial check"): a
// customer's endpoint on 127.0.0.1 answers allow, deny, deny for a while, fails or is slow; the asks are
// signed like webhooks; both on_error policies; a slow endpoint holds back only its own campaign; call-now
// asks first; the answer is in the call's checks; bad settings are refused naming the field.
#include <catch2/catch.hpp>

#include "dialerd/util/time.hpp"
#include "fakes/fake_batchcall.hpp"
#include "fakes/predial_endpoint.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

// Monday 15 June 2026, 12:00 UTC; legal all day, so only the pre-dial answers decide.
const std::vector<std::string> kAtNoon = {"--test-clock", "2026-06-15T12:00:00Z"};
const std::string kSecret = "crm-predial-secret-0001";

json config_for(const FakeBatchCall& fake) {
  return {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
          {"webhooks", {{"secrets", {{"crm", kSecret}}}, {"allow_networks", json::array({"127.0.0.1"})}}},
          {"providers", {{"acme", fake.provider_config()}}}};
}

json campaign(std::vector<std::string> phones, json predial, int concurrency = 10) {
  json contacts = json::array();
  for (const auto& p : phones) contacts.push_back({{"phone_number", p}, {"timezone", "Etc/UTC"}});
  json c = {{"name", "predial"},          {"agent_id", "agent_1"},
            {"provider", "acme"},         {"from_number", "+14157774444"},
            {"concurrency", concurrency}, {"complete_when_done", false},
            {"contacts", contacts}};
  if (!predial.is_null()) c["predial"] = predial;
  return c;
}

json predial_to(const PredialEndpoint& endpoint, const std::string& mode, json extra = json::object()) {
  json p = {{"url", endpoint.url(mode)}, {"secret_id", "crm"}};
  p.update(extra);
  return p;
}

// The campaign's calls in `state`, each explained by GET /v1/calls/{id}.
std::vector<json> calls_in(const DaemonProcess& d, const std::string& campaign_id, const std::string& state) {
  auto page = http_get(d.url("/v1/campaigns/" + campaign_id + "/calls?state=" + state));
  REQUIRE(page.status == 200);
  std::vector<json> out;
  for (const auto& item : page.body["data"]["items"]) {
    auto call = http_get(d.url("/v1/calls/" + item["id"].get<std::string>()));
    REQUIRE(call.status == 200);
    out.push_back(call.body["data"]);
  }
  return out;
}

bool signed_ok(const PredialEndpoint::Ask& a) {
  auto header = a.headers.count("x-dialerd-signature") ? a.headers.at("x-dialerd-signature") : "";
  return signature_ok(header, kSecret, a.body);
}

// Whether an RFC 3339 field is within [from, from + 60 s) (the test clock runs at the wall clock's speed).
bool about(const json& field, const std::string& from) {
  auto t = field.is_string() ? dialerd::util::parse_rfc3339(field.get<std::string>()) : std::nullopt;
  auto f = dialerd::util::parse_rfc3339(from);
  return t && f && *t >= *f && *t < *f + 60000;
}

// Numbers kept to this file's range (area code 312).
std::string phone(int i) {
  return nanp_phone(i, "312", 5000000);
}

}  // namespace

TEST_CASE("predial: signed asks - allowed numbers are called and a refused one is skipped or waits as answered") {
  TempDir dir;
  FakeBatchCall fake;
  PredialEndpoint endpoint;
  endpoint.deny({phone(2)});
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  auto id = create_campaign(daemon, campaign({phone(1), phone(2), phone(3)}, predial_to(endpoint, "allow")));
  CHECK(campaign_of(daemon, id)["predial"] == json({{"url", endpoint.url("allow")},
                                                    {"secret_id", "crm"},
                                                    {"timeout_ms", 2000},
                                                    {"on_error", "wait"},
                                                    {"cache_seconds", 60}}));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 2; }));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["skipped"] == 1; }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(fake.received_numbers() == std::map<std::string, int>{{phone(1), 1}, {phone(3), 1}});

  // One ask per number, signed, with the contact, the campaign and the call.
  auto asks = endpoint.asks("allow");
  REQUIRE(asks.size() == 3);
  std::set<std::string> asked;
  for (const auto& a : asks) {
    CHECK(signed_ok(a));
    CHECK(a.headers.at("x-dialerd-event-type") == "predial.check");
    auto body = json::parse(a.body);
    CHECK(body["type"] == "predial.check");
    CHECK(body["campaign"]["id"] == id);
    CHECK(body["campaign"]["name"] == "predial");
    CHECK(body["call"]["attempt"] == 1);
    CHECK(body["call"]["id"].is_string());
    CHECK(body["contact"]["contact_id"].get<std::string>().rfind("ctc_", 0) == 0);
    asked.insert(body["contact"]["phone_number"].get<std::string>());
  }
  CHECK(asked == std::set<std::string>{phone(1), phone(2), phone(3)});

  // The answers are in the calls' checks: passed for the called ones, failed for the skipped one.
  auto skipped = calls_in(daemon, id, "skipped");
  REQUIRE(skipped.size() == 1);
  CHECK_THAT(
      skipped[0]["last_error"].get<std::string>(),
      Catch::Contains("pre-dial: 127.0.0.1:") && Catch::Contains("refuses the call: on the customer's own hold list"));
  auto refused = check_named(skipped[0]["compliance"]["checks_failed"], "pre-dial");
  REQUIRE(refused.is_object());
  CHECK(refused["source"] == "campaign predial");
  auto called = calls_in(daemon, id, "in_progress");
  for (auto& call : calls_in(daemon, id, "dispatching")) called.push_back(std::move(call));
  CHECK(called.size() == 2);
  for (const auto& call : called) {
    auto passed = check_named(call["compliance"]["checks_passed"], "pre-dial");
    REQUIRE(passed.is_object());
    CHECK_THAT(passed["reason"].get<std::string>(), Catch::Contains("allows the call: in good standing"));
  }
  CHECK(metric(daemon, "dialerd_predial_asks_total{answer=\"allowed\"}") == 2);
  CHECK(metric(daemon, "dialerd_predial_asks_total{answer=\"denied\"}") == 1);

  // retry_after_seconds: the call waits that long instead of being skipped, and is not asked again meanwhile.
  auto later = create_campaign(daemon, campaign({phone(4)}, predial_to(endpoint, "deny-later")));
  REQUIRE(wait_until([&] { return endpoint.asks("deny-later").size() == 1; }));
  REQUIRE(wait_until([&] {
    auto pending = calls_in(daemon, later, "pending");
    return pending.size() == 1 && about(pending[0]["next_attempt_at"], "2026-06-15T13:00:00Z");
  }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  auto waiting = calls_in(daemon, later, "pending");
  CHECK_THAT(waiting[0]["last_error"].get<std::string>(), Catch::Contains("refuses the call: promised to pay") &&
                                                              Catch::Contains("asked again from 2026-06-15T13:0"));
  CHECK(endpoint.asks("deny-later").size() == 1);
  CHECK(fake.received_numbers().count(phone(4)) == 0);
}

TEST_CASE("predial: an endpoint that fails holds calls with on_error wait and lets them out with on_error call") {
  TempDir dir;
  FakeBatchCall fake;
  PredialEndpoint endpoint;
  endpoint.set_delay_ms(3000);
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  auto closed = create_campaign(daemon, campaign({phone(10), phone(11)}, predial_to(endpoint, "fail")));
  auto garbage = create_campaign(daemon, campaign({phone(12)}, predial_to(endpoint, "garbage")));
  auto timed_out = create_campaign(daemon, campaign({phone(13)}, predial_to(endpoint, "slow", {{"timeout_ms", 300}})));
  auto open = create_campaign(daemon, campaign({phone(14)}, predial_to(endpoint, "fail", {{"on_error", "call"}})));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  CHECK(fake.received_numbers() == std::map<std::string, int>{{phone(14), 1}});
  auto sent = calls_in(daemon, open, "dispatching");
  if (sent.empty()) sent = calls_in(daemon, open, "in_progress");
  REQUIRE(sent.size() == 1);
  CHECK_THAT(check_named(sent[0]["compliance"]["checks_passed"], "pre-dial")["reason"].get<std::string>(),
             Catch::Contains("gave no answer (HTTP 500)") && Catch::Contains("predial.on_error is call"));

  // Fail-closed: each waits 30 s (the error stands that long), then is asked again.
  auto held_back = [&](const std::string& id, std::size_t n, const std::string& why) {
    std::vector<json> pending;
    bool ok = wait_until([&] {
      pending = calls_in(daemon, id, "pending");
      return pending.size() == n && std::all_of(pending.begin(), pending.end(), [&](const json& c) {
               return c["last_error"].is_string() && about(c["next_attempt_at"], "2026-06-15T12:00:30Z");
             });
    });
    REQUIRE(ok);
    for (const auto& c : pending)
      CHECK_THAT(c["last_error"].get<std::string>(),
                 Catch::Contains("pre-dial:") && Catch::Contains(why) && Catch::Contains("predial.on_error is wait"));
  };
  held_back(closed, 2, "gave no answer (HTTP 500)");
  held_back(garbage, 1, "the answer is not a JSON object with a boolean \"allow\"");
  held_back(timed_out, 1, "no answer within predial.timeout_ms");
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(fake.tasks_received() == 1);
  CHECK(metric(daemon, "dialerd_predial_asks_total{answer=\"error\"}") == 5);
}

TEST_CASE("predial: a slow endpoint holds back only its own campaign - the loop and another campaign go on") {
  TempDir dir;
  FakeBatchCall fake;
  PredialEndpoint endpoint;
  endpoint.set_delay_ms(8000);
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  std::vector<std::string> slow_phones;
  for (int i = 20; i < 60; ++i) slow_phones.push_back(phone(i));
  auto slow = create_campaign(daemon, campaign(slow_phones, predial_to(endpoint, "slow", {{"timeout_ms", 10000}}), 40));
  REQUIRE(wait_until([&] { return endpoint.unanswered() > 0; }));
  // At most 16 asks of one campaign at once.
  REQUIRE(wait_until([&] { return endpoint.unanswered() == 16; }));
  auto quick = create_campaign(daemon, campaign({phone(60), phone(61)}, predial_to(endpoint, "allow")));
  auto plain = create_campaign(daemon, campaign({phone(62)}, nullptr));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
  // The slow campaign's asks are still unanswered: nothing of it went out, nothing waited for it.
  CHECK(endpoint.unanswered() == 16);
  CHECK(fake.received_numbers() == std::map<std::string, int>{{phone(60), 1}, {phone(61), 1}, {phone(62), 1}});
  CHECK(http_get(daemon.url("/healthz")).status == 200);
  CHECK(campaign_of(daemon, slow)["counts"]["pending"] == 40);
  (void)quick;
  (void)plain;
  // Once they answer, its calls go out (16 at a time).
  REQUIRE(wait_until([&] { return fake.tasks_received() >= 3 + 16; }, std::chrono::seconds(60)));
}

TEST_CASE("predial: call-now asks first - a refused contact gets 422 naming the check and an allowed one 201") {
  TempDir dir;
  FakeBatchCall fake;
  PredialEndpoint endpoint;
  endpoint.deny({phone(71)});
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  auto id = create_campaign(daemon, campaign({}, predial_to(endpoint, "allow")));
  auto ok = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(70)}}}});
  REQUIRE(ok.status == 201);
  auto passed = check_named(ok.body["data"]["compliance"]["checks_passed"], "pre-dial");
  REQUIRE(passed.is_object());
  CHECK_THAT(passed["reason"].get<std::string>(), Catch::Contains("allows the call"));
  auto no = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(71)}}}});
  REQUIRE(no.status == 422);
  CHECK(no.body["error"]["code"] == "not_eligible");
  CHECK_THAT(no.body["error"]["message"].get<std::string>(), Catch::Contains("Pre-Dial Check"));
  CHECK(check_named(no.body["error"]["compliance"]["checks_failed"], "pre-dial").is_object());

  // Bulk: each record asked (one request each), answered per record.
  auto bulk =
      api_post(daemon, "/v1/calls/bulk",
               {{"campaign_id", id},
                {"contacts", {{{"phone_number", phone(72)}}, {{"phone_number", phone(71)}}, {{"phone_number", "x"}}}}});
  REQUIRE(bulk.status == 200);
  CHECK(bulk.body["data"]["summary"]["successful"] == 1);
  CHECK(bulk.body["data"]["results"][0]["success"] == true);
  CHECK(bulk.body["data"]["results"][1]["error"]["code"] == "not_eligible");
  CHECK(bulk.body["data"]["results"][2]["error"]["code"] == "invalid_field");
  // phone(71) was answered a moment ago: the standing answer is used, not asked again.
  std::map<std::string, int> asked;
  for (const auto& a : endpoint.asks("allow"))
    ++asked[json::parse(a.body)["contact"]["phone_number"].get<std::string>()];
  CHECK(asked == std::map<std::string, int>{{phone(70), 1}, {phone(71), 1}, {phone(72), 1}});
  for (const auto& a : endpoint.asks("allow")) CHECK(json::parse(a.body)["call"]["id"].is_null());
  REQUIRE(wait_until([&] { return fake.tasks_received() == 2; }));
}

TEST_CASE("predial: bad settings are refused naming the field - PATCH sets and removes the check") {
  TempDir dir;
  FakeBatchCall fake;
  PredialEndpoint endpoint;
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  auto refused = [&](json predial, const std::string& field, const std::string& says) {
    auto r = api_post(daemon, "/v1/campaigns", campaign({phone(80)}, predial));
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == field);
    CHECK_THAT(r.body["error"]["message"].get<std::string>(), Catch::Contains(says));
  };
  refused("https://x", "predial", "must be an object");
  refused({{"secret_id", "crm"}}, "predial.url", "required");
  refused(predial_to(endpoint, "allow", {{"url", "ftp://127.0.0.1/x"}}), "predial.url", "");
  refused(predial_to(endpoint, "allow", {{"url", "http://10.1.2.3/x"}}), "predial.url", "");
  refused(predial_to(endpoint, "allow", {{"secret_id", "nope"}}), "predial.secret_id",
          "not a secret in webhooks.secrets");
  refused(predial_to(endpoint, "allow", {{"timeout_ms", 60000}}), "predial.timeout_ms", "");
  refused(predial_to(endpoint, "allow", {{"on_error", "skip"}}), "predial.on_error", "must be wait");
  refused(predial_to(endpoint, "allow", {{"cache_seconds", 1}}), "predial.cache_seconds", "");
  refused(predial_to(endpoint, "allow", {{"headers", {}}}), "predial.headers", "unknown field");

  auto id = create_campaign(daemon, campaign({}, nullptr));
  CHECK(campaign_of(daemon, id)["predial"].is_null());
  auto set =
      api_call(daemon, "PATCH", "/v1/campaigns/" + id,
               json{{"predial", predial_to(endpoint, "deny", {{"on_error", "call"}, {"cache_seconds", 300}})}}.dump());
  REQUIRE(set.status == 200);
  CHECK(set.body["data"]["predial"]["on_error"] == "call");
  CHECK(set.body["data"]["predial"]["cache_seconds"] == 300);
  auto denied = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(81)}}}});
  CHECK(denied.status == 422);
  auto removed = api_call(daemon, "PATCH", "/v1/campaigns/" + id, json{{"predial", nullptr}}.dump());
  REQUIRE(removed.status == 200);
  CHECK(removed.body["data"]["predial"].is_null());
  auto placed = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(81)}}}});
  CHECK(placed.status == 201);
  CHECK(endpoint.asks("deny").size() == 1);
}
