// Compliance rule sets through the real daemon (issue 19.1): the built-in US set's state hours and
// per-subject caps, each failed check naming its statute, and a rule file re-read on SIGHUP (a bad one keeps
// the rules in force). Each test lives at an instant it chooses (dialerd --test-clock).
#include <catch2/catch.hpp>
#include <csignal>
#include <set>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

json config_for(const FakeBatchCall& fake, json compliance) {
  return {{"compliance", compliance}, {"providers", {{"acme", fake.provider_config()}}}};
}

json campaign(const std::string& phone, json extra = json::object()) {
  json c = {{"name", "rules"},    {"agent_id", "agent_1"},
            {"provider", "acme"}, {"from_number", "+14157774444"},
            {"concurrency", 10},  {"contacts", {{{"phone_number", phone}}}}};
  c.update(extra);
  return c;
}

// The one call of a campaign, as GET /v1/calls/{id} shows it (with the decision evaluated now).
json only_call(const DaemonProcess& d, const std::string& campaign_id) {
  auto calls = http_get(d.url("/v1/campaigns/" + campaign_id + "/calls"));
  REQUIRE(calls.status == 200);
  const auto& items = calls.body["data"]["items"];
  REQUIRE(items.size() == 1);
  auto call = http_get(d.url("/v1/calls/" + items[0]["id"].get<std::string>()));
  REQUIRE(call.status == 200);
  return call.body["data"];
}

// Miami and New York numbers (area codes 305 and 212), kept to this file's range.
const std::string kMiami = "+13052001001", kNewYork = "+12122001001";

}  // namespace

TEST_CASE(
    "rule sets: the US set holds a Florida number to 20:00 local while New York's 21:00 holds - naming the statute") {
  TempDir dir;
  FakeBatchCall fake;
  // Monday 15 June 2026, 20:30 EDT.
  DaemonProcess daemon(dir, config_for(fake, {{"rules", "us"}}), {}, {"--test-clock", "2026-06-16T00:30:00Z"});
  auto fl = create_campaign(daemon, campaign(kMiami));
  auto ny = create_campaign(daemon, campaign(kNewYork));
  REQUIRE(wait_until([&] { return campaign_of(daemon, ny)["counts"]["called"] == 1; }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, fl)["counts"]["pending"] == 1);
  CHECK(fake.tasks_received() == 1);

  auto call = only_call(daemon, fl);
  const auto& compliance = call["compliance"];
  CHECK(compliance["rule_set"] == "us");
  CHECK(compliance["region"] == "US-FL");
  CHECK(compliance["verdict"] == "wait");
  CHECK_THAT(compliance["eligible_at"].get<std::string>(), Catch::StartsWith("2026-06-16T12:00:00"));  // 08:00
  auto hours = check_named(compliance["checks_failed"], "respectful-hours");
  REQUIRE(hours.is_object());
  CHECK_THAT(hours["reason"].get<std::string>(), Catch::Contains("outside respectful hours 08:00-20:00 on Monday"));
  CHECK_THAT(hours["source"].get<std::string>(), Catch::Contains("Fla. Stat."));
  // The cap of three calls a day on one subject is in force and not reached.
  auto cap = check_named(compliance["checks_passed"], "subject-rolling-cap");
  REQUIRE(cap.is_object());
  CHECK_THAT(cap["source"].get<std::string>(), Catch::Contains("Fla. Stat."));

  // Call-now holds to the same rules: refused with the check and its statute.
  auto now = api_post(daemon, "/v1/calls", {{"campaign_id", fl}, {"contact", {{"phone_number", "+13052001004"}}}});
  CHECK(now.status == 422);
  auto refused = check_named(now.body["error"]["compliance"]["checks_failed"], "respectful-hours");
  REQUIRE(refused.is_object());
  CHECK_THAT(refused["source"].get<std::string>(), Catch::Contains("Fla. Stat."));
}

TEST_CASE("rule sets: three calls in 24 hours on one subject - the fourth waits while another subject's goes out") {
  TempDir dir;
  FakeBatchCall fake;
  // Monday 15 June 2026, 08:00 EDT: Florida's hours have just opened.
  DaemonProcess daemon(dir, config_for(fake, {{"rules", "us"}}), {}, {"--test-clock", "2026-06-15T12:00:00Z"});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  auto empty = api_post(daemon, "/v1/campaigns", campaign(kMiami, {{"subject", ""}}));
  CHECK(empty.status == 400);
  CHECK(empty.body["error"]["field"] == "subject");

  const json invoice = {{"subject", "invoice 17"}};
  for (int i = 0; i < 3; ++i) {
    auto id = create_campaign(daemon, campaign(kMiami, invoice));
    CHECK(campaign_of(daemon, id)["subject"] == "invoice 17");
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["completed"] == 1; }));
  }
  auto fourth = create_campaign(daemon, campaign(kMiami, invoice));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, fourth)["counts"]["pending"] == 1);
  auto call = only_call(daemon, fourth);
  auto cap = check_named(call["compliance"]["checks_failed"], "subject-rolling-cap");
  REQUIRE(cap.is_object());
  CHECK_THAT(cap["reason"].get<std::string>(),
             Catch::Contains("3 calls in the last 24 hours on subject \"invoice 17\""));
  CHECK_THAT(cap["source"].get<std::string>(), Catch::Contains("Fla. Stat."));
  CHECK_THAT(call["compliance"]["eligible_at"].get<std::string>(), Catch::StartsWith("2026-06-16T1"));  // a day on

  // Another subject counts its own calls: it goes out (the fourth call today, within the daily cap of 4).
  auto renewal = create_campaign(daemon, campaign(kMiami, {{"subject", "renewal"}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, renewal)["counts"]["completed"] == 1; }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, fourth)["counts"]["pending"] == 1);
  CHECK(fake.tasks_received() == 4);
}

TEST_CASE("rule sets: SIGHUP re-reads the rule file - a bad one keeps the rules in force and names the place") {
  TempDir dir;
  FakeBatchCall fake;
  auto rules = [](const std::string& start, const std::string& source) {
    return json{{"name", "mine"},
                {"regions",
                 {{"US-NY",
                   {{"hours",
                     {{{"days", {1, 2, 3, 4, 5, 6, 7}},
                       {"start", start},
                       {"end", "20:00"},
                       {"source", source},
                       {"effective_from", "2020-01-01"}}}}}}}}}
        .dump(2);
  };
  write_file(dir.file("rules.json"), rules("08:00", "First Act"));
  // Relative to the config file's directory. Monday 15 June 2026, 08:00 EDT.
  DaemonProcess daemon(dir, config_for(fake, {{"rules", "rules.json"}}), {}, {"--test-clock", "2026-06-15T12:00:00Z"});
  // A draft campaign never dispatches: its call shows the decision the rules make now.
  auto id = create_campaign(daemon, campaign(kNewYork, {{"status", "draft"}}));
  auto source_of_hours = [&] {
    auto call = only_call(daemon, id);
    CHECK(call["compliance"]["rule_set"] == "mine");
    for (const auto* list : {"checks_passed", "checks_failed"})
      if (auto c = check_named(call["compliance"][list], "respectful-hours"); c.is_object())
        return std::string(list) + ": " + c["source"].get<std::string>();
    return std::string("none");
  };
  CHECK(source_of_hours() == "checks_passed: First Act");

  auto bad = json::parse(rules("08:00", "Bad Act"));
  bad["regions"]["US-NY"]["hours"][0]["start"] = "8am";
  write_file(dir.file("rules.json"), bad.dump());
  daemon.signal(SIGHUP);
  REQUIRE(wait_until([&] { return daemon.log().find("reload: keeping the running config") != std::string::npos; }));
  CHECK_THAT(daemon.log(), Catch::Contains("regions.US-NY.hours[0].start: \"8am\" is not a time HH:MM"));
  CHECK(daemon.running());
  CHECK(source_of_hours() == "checks_passed: First Act");

  write_file(dir.file("rules.json"), rules("09:00", "Second Act"));
  daemon.signal(SIGHUP);
  REQUIRE(wait_until([&] { return daemon.log().find("reload: config re-read and applied") != std::string::npos; }));
  CHECK(source_of_hours() == "checks_failed: Second Act");
}

TEST_CASE(
    "rule sets: Regulation F - the eighth call in 7 days on a debt waits and so does a call after a conversation") {
  TempDir dir;
  FakeBatchCall fake;
  // Legal all day and no daily cap in the way: only Regulation F holds calls back here.
  DaemonProcess daemon(dir,
                       config_for(fake, {{"rules", "none"},
                                         {"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}},
                                         {"contact_daily_cap", 100}}),
                       {}, {"--test-clock", "2026-06-15T12:00:00Z"});
  const std::string talks = "+12122001002";
  fake.report_to(daemon.url("/v1/providers/acme/events"),
                 [&](const std::string& to, int) { return to == talks ? "completed" : "no_answer"; });

  auto bad = api_post(daemon, "/v1/campaigns", campaign(kNewYork, {{"reg_f", "yes"}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "reg_f");
  bad = api_post(daemon, "/v1/campaigns", campaign(kNewYork, {{"reg_f", {{"calls", 0}}}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "reg_f.calls");

  const json debt = {{"subject", "debt 42"}, {"reg_f", true}};
  for (int i = 0; i < 7; ++i) {
    auto id = create_campaign(daemon, campaign(kNewYork, debt));
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["failed"] == 1; }));  // no answer
  }
  auto eighth = create_campaign(daemon, campaign(kNewYork, debt));
  CHECK(campaign_of(daemon, eighth)["reg_f"] == json{{"calls", 7}, {"days", 7}, {"quiet_days_after_conversation", 7}});
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, eighth)["counts"]["pending"] == 1);
  auto cap = check_named(only_call(daemon, eighth)["compliance"]["checks_failed"], "reg-f-frequency");
  REQUIRE(cap.is_object());
  CHECK_THAT(cap["source"].get<std::string>(), Catch::Contains("Regulation F"));
  // A campaign that does not opt in is not held by it.
  auto other = create_campaign(daemon, campaign(kNewYork, {{"subject", "debt 42"}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, other)["counts"]["failed"] == 1; }));

  // A conversation starts a quiet week on the subject, whatever the count.
  auto first = create_campaign(daemon, campaign(talks, debt));
  REQUIRE(wait_until([&] { return campaign_of(daemon, first)["counts"]["completed"] == 1; }));
  auto again = create_campaign(daemon, campaign(talks, debt));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, again)["counts"]["pending"] == 1);
  auto call = only_call(daemon, again);
  auto quiet = check_named(call["compliance"]["checks_failed"], "conversation-quiet-period");
  REQUIRE(quiet.is_object());
  CHECK_THAT(quiet["source"].get<std::string>(), Catch::Contains("1006.14(b)(2)(i)(B)"));
  CHECK_THAT(call["compliance"]["eligible_at"].get<std::string>(), Catch::StartsWith("2026-06-22T13:0"));
  auto renewal = create_campaign(daemon, campaign(talks, {{"subject", "debt 43"}, {"reg_f", true}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, renewal)["counts"]["completed"] == 1; }));
}

TEST_CASE("preflight: what would pass now, wait until when and be skipped - by check, with nothing dispatched") {
  TempDir dir;
  FakeBatchCall fake;
  // Monday 15 June 2026, 20:30 EDT: New York may still be called, Miami not until 08:00.
  DaemonProcess daemon(dir, config_for(fake, {{"rules", "us"}}), {}, {"--test-clock", "2026-06-16T00:30:00Z"});
  const std::string stopped = "+12122001003";
  REQUIRE(http_post(daemon.url("/v1/suppressions"), json{{"phone_number", stopped}, {"reason", "asked to stop"}}.dump())
              .status == 201);
  json contacts = json::array({{{"phone_number", kNewYork}}, {{"phone_number", kMiami}}, {{"phone_number", stopped}}});
  auto id = create_campaign(daemon, campaign(kNewYork, {{"status", "draft"}, {"contacts", contacts}}));

  auto r = http_get(daemon.url("/v1/campaigns/" + id + "/preflight"));
  REQUIRE(r.status == 200);
  const auto& p = r.body["data"];
  CHECK(p["status"] == "draft");
  CHECK(p["rule_set"] == "us");
  CHECK(p["pending"] == 3);
  CHECK(p["pass"] == 1);
  CHECK(p["wait"]["calls"] == 1);
  REQUIRE(p["wait"]["by_check"].size() == 1);
  CHECK(p["wait"]["by_check"][0]["check"] == "respectful-hours");
  CHECK(p["wait"]["by_check"][0]["calls"] == 1);
  CHECK_THAT(p["wait"]["by_check"][0]["earliest"].get<std::string>(), Catch::StartsWith("2026-06-16T12:00:00"));
  CHECK(p["skip"]["calls"] == 1);
  REQUIRE(p["skip"]["by_check"].size() == 1);
  CHECK(p["skip"]["by_check"][0]["check"] == "cease-and-desist-exclusion");
  CHECK_THAT(p["skip"]["by_check"][0]["example"].get<std::string>(), Catch::Contains("asked to stop"));
  CHECK(p["unreadable"] == 0);
  // Nothing moved.
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, id)["counts"]["pending"] == 3);
  CHECK(fake.tasks_received() == 0);
  CHECK(http_get(daemon.url("/v1/campaigns/999/preflight")).status == 404);
}

TEST_CASE("consent: recorded on upload (JSON and CSV) and by PATCH - a campaign that requires it skips who lacks it") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(
      dir, config_for(fake, {{"rules", "none"}, {"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}), {},
      {"--test-clock", "2026-06-15T12:00:00Z"});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const std::string written = "+12122001011", spoken = "+12122001012", none = "+12122001013", late = "+12122001014";
  auto up = api_call(daemon, "POST", "/v1/contacts",
                     json::array({{{"phone_number", written},
                                   {"consent",
                                    {{"type", "express_written"},
                                     {"source", "web form 7"},
                                     {"captured_at", "2026-05-01T10:00:00Z"},
                                     {"expires_at", "2027-05-01T10:00:00Z"}}}},
                                  {{"phone_number", none}},
                                  {{"phone_number", late}, {"consent", {{"type", "express_written"}}}}})
                         .dump());
  INFO(up.raw);
  REQUIRE(up.status == 207);
  REQUIRE(up.body["data"]["errors"].size() == 1);
  CHECK(up.body["data"]["errors"][0]["field"] == "contacts[2].consent.source");
  // CSV: a column per field.
  auto csv =
      api_call(daemon, "POST", "/v1/contacts",
               "phone_number,consent_type,consent_source,consent_captured_at\n" + spoken +
                   ",express,call recording 12,2026-06-01T09:00:00Z\n" + late + ",verbal,x,2026-06-01T09:00:00Z\n",
               "text/csv");
  INFO(csv.raw);
  REQUIRE(csv.status == 207);
  CHECK(csv.body["data"]["errors"][0]["field"] == "contacts[1].consent.type");
  auto record = api_call(daemon, "GET", "/v1/contacts/%2B" + spoken.substr(1));
  CHECK(record.body["data"]["consent"] == json{{"type", "express"},
                                               {"source", "call recording 12"},
                                               {"captured_at", "2026-06-01T09:00:00.000Z"},
                                               {"expires_at", nullptr},
                                               {"revoked_at", nullptr}});
  CHECK(api_call(daemon, "GET", "/v1/contacts/%2B" + none.substr(1)).body["data"]["consent"].is_null());

  auto bad = api_post(daemon, "/v1/campaigns", campaign(written, {{"require_consent", "implied"}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "require_consent");
  json contacts = json::array({{{"phone_number", written}}, {{"phone_number", spoken}}, {{"phone_number", none}}});
  auto id =
      create_campaign(daemon, campaign(written, {{"contacts", contacts}, {"require_consent", "express_written"}}));
  CHECK(campaign_of(daemon, id)["require_consent"] == "express_written");
  REQUIRE(wait_until([&] {
    auto c = campaign_of(daemon, id)["counts"];
    return c["completed"] == 1 && c["skipped"] == 2;
  }));
  CHECK(fake.tasks_received() == 1);
  auto calls = http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=skipped")).body["data"]["items"];
  REQUIRE(calls.size() == 2);
  std::set<std::string> reasons;
  for (const auto& c : calls) reasons.insert(c["last_error"].get<std::string>());
  CHECK(reasons == std::set<std::string>{"consent: Consent is express; the campaign requires express_written",
                                         "consent: No consent recorded; the campaign requires express_written"});

  // Withdrawn by PATCH: the next campaign that requires it skips the contact.
  auto ref = api_call(daemon, "GET", "/v1/contacts/%2B" + written.substr(1)).body["data"]["id"].get<std::string>();
  auto revoked = api_call(daemon, "PATCH", "/v1/contacts/" + ref,
                          json{{"consent",
                                {{"type", "express_written"},
                                 {"source", "web form 7"},
                                 {"captured_at", "2026-05-01T10:00:00Z"},
                                 {"revoked_at", "2026-06-10T00:00:00Z"}}}}
                              .dump());
  REQUIRE(revoked.status == 200);
  auto again = create_campaign(daemon, campaign(written, {{"require_consent", "express"}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, again)["counts"]["skipped"] == 1; }));
  auto reason = http_get(daemon.url("/v1/campaigns/" + again + "/calls")).body["data"]["items"][0]["last_error"];
  CHECK(reason == "consent: Consent was revoked at 2026-06-10T00:00:00Z");
  // A campaign that requires nothing still calls them.
  auto plain = create_campaign(daemon, campaign(written));
  REQUIRE(wait_until([&] { return campaign_of(daemon, plain)["counts"]["completed"] == 1; }));

  // An opt-out withdraws consent too.
  auto spoken_ref =
      api_call(daemon, "GET", "/v1/contacts/%2B" + spoken.substr(1)).body["data"]["id"].get<std::string>();
  REQUIRE(api_call(daemon, "POST", "/v1/contacts/" + spoken_ref + "/opt-out").status == 200);
  auto after = api_call(daemon, "GET", "/v1/contacts/" + spoken_ref).body["data"]["consent"];
  CHECK(after["type"] == "express");
  CHECK_THAT(after["revoked_at"].get<std::string>(), Catch::StartsWith("2026-06-15T12:"));
}
