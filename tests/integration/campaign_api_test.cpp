// The campaign API beyond creation: adding contacts, start/pause/resume/cancel, listing.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
json campaign_body(json extra) {
  json c = {{"name", "api"},
            {"agent_id", "agent_1"},
            {"provider", "acme"},
            {"from_number", "+14157774444"},
            {"concurrency", 100}};
  c.update(extra);
  return c;
}
std::string create(const DaemonProcess& d, json extra) {
  return create_campaign(d, campaign_body(std::move(extra)));
}
json config_for(const FakeBatchCall& fake) {
  return {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
          {"providers", {{"acme", fake.provider_config()}}}};
}
}  // namespace

TEST_CASE("campaign api: contacts are added in chunks with per-record errors and the pending duplicate updated") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create(daemon, {{"status", "draft"},
                            {"required_variables", {"account"}},
                            {"contacts", {{{"phone_number", nanp_phone(0)}, {"account", "A0"}}}}});
  json records = json::array({{{"phone_number", nanp_phone(1)}, {"account", "A1"}},
                              {{"phoneNumber", nanp_phone(2)}, {"account", "A2"}},
                              {{"to_number", nanp_phone(3)}, {"account", "A3"}},
                              {{"phone_number", "12"}, {"account", "bad"}},
                              {{"phone_number", nanp_phone(4)}},
                              {{"phone_number", nanp_phone(0)}, {"account", "A0-updated"}}});
  auto r = api_post(daemon, "/v1/campaigns/" + id + "/contacts", records);
  INFO(r.raw);
  REQUIRE(r.status == 207);
  CHECK(r.body["data"]["added"] == 3);
  CHECK(r.body["data"]["updated"] == 1);
  CHECK(r.body["data"]["call_ids"].size() == 4);
  REQUIRE(r.body["data"]["errors"].size() == 2);
  CHECK(r.body["data"]["errors"][0]["index"] == 3);
  CHECK(r.body["data"]["errors"][0]["field"] == "contacts[3].phone_number");
  CHECK(r.body["data"]["errors"][1]["field"] == "contacts[4].account");
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 4);

  // addCallsToBatch's shape; all good -> 200.
  auto ok = api_post(daemon, "/v1/campaigns/" + id + "/contacts",
                     {{"call_data", {{{"phoneNumber", nanp_phone(5)}, {"account", "A5"}}}}});
  CHECK(ok.status == 200);
  CHECK(ok.body["data"]["added"] == 1);
  // Nothing valid -> 400 with every record's error.
  auto bad = api_post(daemon, "/v1/campaigns/" + id + "/contacts", json::array({{{"phone_number", "x"}}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "contacts[0].phone_number");
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/contacts", json::array()).status == 400);
  CHECK(api_post(daemon, "/v1/campaigns/999/contacts", json::array({{{"phone_number", nanp_phone(9)}}})).status == 404);

  // A draft sends nothing until started; then every call goes out once, with the updated variables.
  CHECK(fake.tasks_received() == 0);
  auto started = api_post(daemon, "/v1/campaigns/" + id + "/start");
  CHECK(started.status == 200);
  CHECK(started.body["data"]["status"] == "running");
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(fake.tasks_received() == 5);
  for (const auto& b : fake.batches())
    for (const auto& t : b.body["tasks"])
      if (t["to_number"] == nanp_phone(0)) CHECK(t["dynamic_variables"]["account"] == "A0-updated");
  CHECK(
      api_post(daemon, "/v1/campaigns/" + id + "/contacts", json::array({{{"phone_number", nanp_phone(7)}}})).status ==
      409);
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/cancel").status == 409);
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 409);
}

TEST_CASE("campaign api: contacts import from CSV with quotes BOM and CRLF") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  CHECK(http_get(daemon.url("/readyz")).status == 200);
  auto id = create(daemon, {{"status", "draft"}});
  std::string csv =
      "\xEF\xBB\xBFphone_number,first_name,note,max_retries\r\n"
      "+14152000001,Ann,\"Smith, Jones\",2\r\n"
      "(415) 200-0002,Bo,\"two\nlines\",\r\n"
      "\r\n"
      "12,Bad,,\r\n";
  auto r = http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), csv, "text/csv");
  INFO(r.raw);
  REQUIRE(r.status == 207);
  CHECK(r.body["data"]["added"] == 2);
  REQUIRE(r.body["data"]["errors"].size() == 1);
  CHECK(r.body["data"]["errors"][0]["field"] == "contacts[2].phone_number");
  auto call = http_get(daemon.url("/v1/calls/" + r.body["data"]["call_ids"][0].get<std::string>()));
  CHECK(call.body["data"]["variables"]["note"] == "Smith, Jones");
  CHECK(call.body["data"]["variables"]["first_name"] == "Ann");
  auto second = http_get(daemon.url("/v1/calls/" + r.body["data"]["call_ids"][1].get<std::string>()));
  CHECK(second.body["data"]["variables"]["note"] == "two\nlines");
  CHECK(second.body["data"]["phone_number"] == "+14152000002");

  auto no_phone = http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), "name\nAnn\n", "text/csv");
  CHECK(no_phone.status == 400);
  CHECK(no_phone.body["error"]["code"] == "invalid_csv");
  auto ragged =
      http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), "phone_number,a\n+14152000003\n", "text/csv");
  CHECK(ragged.status == 400);
  CHECK_THAT(ragged.body["error"]["message"].get<std::string>(), Catch::Contains("line 2"));
  auto open = http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), "phone_number\n\"+1415", "text/csv");
  CHECK(open.status == 400);
  CHECK(http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), "phone_number\n+1", "text/plain").status == 415);
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 2);
}

TEST_CASE("campaign api: PATCH changes pacing and windows of a running campaign and nothing else") {
  TempDir dir;
  FakeBatchCall fake;
  // It lives on Monday 15 June 2026 at 12:00 UTC (dialerd --test-clock), whatever the day the suite runs.
  DaemonProcess daemon(dir, config_for(fake), {}, {"--test-clock", "2026-06-15T12:00:00Z"});
  auto patch = [&](const std::string& id, const json& body) {
    dialerd::http::ClientRequest req;
    req.method = "PATCH";
    req.url = daemon.url("/v1/campaigns/" + id);
    req.body = body.dump();
    auto res = dialerd::http::fetch_blocking(req);
    REQUIRE(res.has_value());
    auto& r = res.value();
    return HttpResult{r.status, json::parse(r.body, nullptr, false), r.body};
  };
  // A running campaign whose window is closed all day long (every weekday but today, a Monday): nothing
  // goes out.
  const std::vector<int> other_days = {2, 3, 4, 5, 6, 7};
  auto id = create(daemon, {{"timezone", "UTC"},
                            {"working_days", other_days},
                            {"concurrency", 1},
                            {"contacts", {{{"phone_number", nanp_phone(1)}}, {{"phone_number", nanp_phone(2)}}}}});
  REQUIRE(wait_loop_idle(daemon, "scheduler"));  // it has looked at the campaign since it was created
  CHECK(fake.tasks_received() == 0);
  auto r = patch(id, {{"working_days", nullptr}, {"concurrency", 5}, {"max_calls_per_day", 100}, {"name", "renamed"}});
  INFO(r.raw);
  REQUIRE(r.status == 200);
  CHECK(r.body["data"]["working_days"].is_null());
  CHECK(r.body["data"]["concurrency"] == 5);
  CHECK(r.body["data"]["max_calls_per_day"] == 100);
  CHECK(r.body["data"]["name"] == "renamed");
  REQUIRE(wait_until([&] { return fake.tasks_received() == 2; }));  // the new settings apply at once

  CHECK(patch(id, {{"provider", "other"}}).body["error"]["message"] == "provider: cannot be changed after creation");
  CHECK(patch(id, {{"colour", "red"}}).status == 400);
  CHECK(patch(id, {{"concurrency", 0}}).body["error"]["field"] == "concurrency");
  CHECK(patch(id, {{"end_time", "25:00"}}).body["error"]["field"] == "end_time");
  CHECK(patch(id, json::object()).status == 400);
  CHECK(patch("999", {{"concurrency", 2}}).status == 404);
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/cancel").status == 200);
  CHECK(patch(id, {{"concurrency", 2}}).status == 409);
}

TEST_CASE("campaign api: a contact across campaigns - GET shows it and PATCH active false keeps it from being called") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto a = create(
      daemon,
      {{"status", "draft"},
       {"contacts", {{{"phone_number", nanp_phone(1)}, {"first_name", "Ann"}}, {{"phone_number", nanp_phone(2)}}}}});
  auto b = create(daemon, {{"status", "draft"}, {"contacts", {{{"phone_number", nanp_phone(1)}}}}});
  auto got = http_get(daemon.url("/v1/contacts/%2B14152000001"));
  INFO(got.raw);
  REQUIRE(got.status == 200);
  CHECK(got.body["data"]["phone_number"] == nanp_phone(1));
  CHECK(got.body["data"]["first_name"] == "Ann");
  CHECK(got.body["data"]["calls"].size() == 2);
  CHECK(got.body["data"]["calls_today"] == 0);
  CHECK(got.body["data"]["daily_cap"] == 4);
  CHECK(got.body["data"]["zones"] == json::array({"America/Los_Angeles"}));
  CHECK(got.body["data"]["region"] == "US-CA");
  CHECK(got.body["data"]["active"] == true);

  dialerd::http::ClientRequest req;
  req.method = "PATCH";
  req.url = daemon.url("/v1/contacts/(415)%20200-0001");  // national format works too
  req.body = json{{"active", false}, {"timezone", "America/Denver"}}.dump();
  auto res = dialerd::http::fetch_blocking(req);
  REQUIRE(res.has_value());
  auto patched = json::parse(res.value().body);
  CHECK(patched["data"]["active"] == false);
  // The declared zone joins the number's (Los Angeles): a call must be legal in both.
  CHECK(patched["data"]["zones"] == json::array({"America/Denver", "America/Los_Angeles"}));
  CHECK(patched["data"]["zone_source"] == "contact_and_number");
  req.body = json{{"colour", "red"}}.dump();
  CHECK(dialerd::http::fetch_blocking(req).value().status == 400);
  req.body = json{{"timezone", "Nowhere/Town"}}.dump();
  CHECK(dialerd::http::fetch_blocking(req).value().status == 400);
  CHECK(http_get(daemon.url("/v1/contacts/%2B14159999999")).status == 404);
  CHECK(http_get(daemon.url("/v1/contacts/12")).status == 404);

  // Both campaigns run: the inactive contact is skipped with the reason in both; the other goes out.
  CHECK(api_post(daemon, "/v1/campaigns/" + a + "/start").status == 200);
  CHECK(api_post(daemon, "/v1/campaigns/" + b + "/start").status == 200);
  REQUIRE(wait_until([&] {
    return campaign_of(daemon, b)["counts"]["skipped"] == 1 && campaign_of(daemon, a)["counts"]["called"] == 1;
  }));
  CHECK(campaign_of(daemon, a)["counts"]["skipped"] == 1);
  CHECK(fake.received_numbers().count(nanp_phone(1)) == 0);
  auto after = http_get(daemon.url("/v1/contacts/%2B14152000001")).body["data"];
  CHECK(after["calls"][0]["state"] == "skipped");
}

TEST_CASE("campaign api: pause resume and cancel are idempotent and refuse impossible moves with 409") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto later =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      3600 * 1000;
  auto id = create(daemon, {{"trigger_timestamp", later}, {"contacts", {{{"phone_number", nanp_phone(1)}}}}});
  CHECK(campaign_of(daemon, id)["status"] == "scheduled");
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/pause").body["data"]["status"] == "paused");
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/pause").body["data"]["status"] == "paused");
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 409);  // paused: resume it
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/resume").body["data"]["status"] ==
        "scheduled");  // start still ahead
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/resume").status == 200);
  CHECK(fake.tasks_received() == 0);
  // start runs a scheduled campaign now, before its time.
  CHECK(api_post(daemon, "/v1/campaigns/" + id + "/start").body["data"]["status"] == "running");
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));

  auto draft = create(daemon, {{"status", "draft"},
                               {"contacts", {{{"phone_number", nanp_phone(2)}}, {{"phone_number", nanp_phone(3)}}}}});
  CHECK(api_post(daemon, "/v1/campaigns/" + draft + "/resume").status == 409);
  CHECK(api_post(daemon, "/v1/campaigns/" + draft + "/pause").status == 409);
  auto cancelled = api_post(daemon, "/v1/campaigns/" + draft + "/cancel");
  CHECK(cancelled.status == 200);
  CHECK(cancelled.body["data"]["status"] == "cancelled");
  CHECK(cancelled.body["data"]["counts"]["skipped"] == 2);
  CHECK(api_post(daemon, "/v1/campaigns/" + draft + "/cancel").status == 200);
  CHECK(api_post(daemon, "/v1/campaigns/" + draft + "/start").status == 409);
  CHECK(api_post(daemon, "/v1/campaigns/999/pause").status == 404);
  CHECK(api_post(daemon, "/v1/campaigns/" + draft + "/explode").status == 404);

  // Listing, by status and in pages.
  auto all = http_get(daemon.url("/v1/campaigns"));
  CHECK(all.body["data"]["items"].size() == 2);
  auto only = http_get(daemon.url("/v1/campaigns?status=cancelled"));
  REQUIRE(only.body["data"]["items"].size() == 1);
  CHECK(only.body["data"]["items"][0]["id"] == draft);
  auto page = http_get(daemon.url("/v1/campaigns?limit=1"));
  CHECK(page.body["data"]["items"].size() == 1);
  auto next = page.body["data"]["next_after"].get<std::string>();
  CHECK(http_get(daemon.url("/v1/campaigns?limit=1&after=" + next)).body["data"]["items"][0]["id"] == draft);
  CHECK(http_get(daemon.url("/v1/campaigns?status=asleep")).status == 400);
  CHECK(http_get(daemon.url("/v1/campaigns?limit=0")).status == 400);
}

TEST_CASE("campaign api: duplicate copies the settings and, when asked, the contacts not completed") {
  TempDir dir;
  FakeBatchCall fake;
  // Monday 15 June 2026 at 12:00 UTC (dialerd --test-clock): inside the campaign's 09:00-17:00 window.
  DaemonProcess daemon(dir, config_for(fake), {}, {"--test-clock", "2026-06-15T12:00:00Z"});
  // Number 0 is reached; 1 and 2 never answer (no retries): after the run only 0 is completed.
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string& number, int) -> std::string {
    return number == nanp_phone(0) ? "completed" : "no_answer";
  });
  json contacts = json::array();
  for (int i = 0; i < 3; ++i)
    contacts.push_back({{"phone_number", nanp_phone(i)},
                        {"first_name", "P" + std::to_string(i)},
                        {"timezone", "America/Chicago"},
                        {"account", "A" + std::to_string(i)}});
  json policy = {{"busy", {{"retry", true}, {"delay_seconds", 30}, {"max_attempts", 3}}}};
  auto id = create(daemon, {{"name", "weekly"},
                            {"concurrency", 7},
                            {"max_calls_per_day", 500},
                            {"start_time", "09:00"},
                            {"end_time", "17:00"},
                            {"retry_policy", policy},
                            {"contacts", contacts}});
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));

  // The default: the settings only, in draft.
  auto plain = api_post(daemon, "/v1/campaigns/" + id + "/duplicate");
  REQUIRE(plain.status == 201);
  const auto& copy = plain.body["data"];
  CHECK(copy["id"] != id);
  CHECK(copy["name"] == "weekly (copy)");
  CHECK(copy["status"] == "draft");
  CHECK(copy["duplicated_from"] == id);
  CHECK(copy["contacts_copied"] == 0);
  CHECK(copy["counts"]["total"] == 0);
  for (const char* k : {"concurrency", "max_calls_per_day", "start_time", "end_time", "retry_policy", "provider",
                        "from_number", "agent_id", "timezone"})
    CHECK(copy[k] == campaign_of(daemon, id)[k]);

  // Again next week: the contacts not completed, running at once; each record as it was uploaded.
  auto again = api_post(daemon, "/v1/campaigns/" + id + "/duplicate",
                        {{"name", "weekly, again"}, {"contacts", "not_completed"}, {"status", "running"}});
  REQUIRE(again.status == 201);
  auto again_id = again.body["data"]["id"].get<std::string>();
  CHECK(again.body["data"]["contacts_copied"] == 2);
  REQUIRE(wait_until([&] { return campaign_of(daemon, again_id)["status"] == "completed"; }));
  CHECK(fake.received_numbers() ==
        std::map<std::string, int>{{nanp_phone(0), 1}, {nanp_phone(1), 2}, {nanp_phone(2), 2}});
  auto calls = http_get(daemon.url("/v1/campaigns/" + again_id + "/calls"));
  REQUIRE(calls.body["data"]["items"].size() == 2);
  auto call = http_get(daemon.url("/v1/calls/" + calls.body["data"]["items"][0]["id"].get<std::string>()));
  CHECK(call.body["data"]["variables"]["account"] == "A1");

  // all, scheduled for later; bad requests name the field.
  auto later = api_post(daemon, "/v1/campaigns/" + id + "/duplicate",
                        {{"contacts", "all"}, {"status", "scheduled"}, {"scheduled_at", "2099-01-05T09:00:00Z"}});
  REQUIRE(later.status == 201);
  CHECK(later.body["data"]["status"] == "scheduled");
  CHECK(later.body["data"]["counts"]["pending"] == 3);
  CHECK(later.body["data"]["scheduled_at"] == "2099-01-05T09:00:00.000Z");
  auto bad = [&](json body, const std::string& field) {
    auto r = api_post(daemon, "/v1/campaigns/" + id + "/duplicate", body);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == field);
  };
  bad({{"contacts", "some"}}, "contacts");
  bad({{"status", "paused"}}, "status");
  bad({{"status", "scheduled"}}, "status");
  bad({{"name", ""}}, "name");
  bad({{"concurrency", 3}}, "concurrency");
  CHECK(api_post(daemon, "/v1/campaigns/999999/duplicate").status == 404);
}

TEST_CASE(
    "campaign api: calls_per_second and calls_per_minute pace a campaign - call now counts and is refused past them") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto bad = api_post(daemon, "/v1/campaigns", campaign_body({{"calls_per_second", 0}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "calls_per_second");
  auto id = create(daemon, {{"calls_per_minute", 2}, {"complete_when_done", false}});
  CHECK(campaign_of(daemon, id)["calls_per_minute"] == 2);
  CHECK(campaign_of(daemon, id)["calls_per_second"].is_null());
  // Two calls a minute: the first two calls now go out, the third is refused naming the check and when.
  for (int i = 0; i < 2; ++i)
    CHECK(api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", nanp_phone(60 + i)}}}})
              .status == 201);
  auto third = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", nanp_phone(62)}}}});
  REQUIRE(third.status == 422);
  CHECK_THAT(third.body["error"]["message"].get<std::string>(),
             Catch::Contains("Campaign Pacing [At 2 per minute; the next call may start at"));
  // Queued calls wait for the pacing too: added now, none goes out until the bucket refills.
  auto added = api_post(daemon, "/v1/campaigns/" + id + "/contacts", json::array({{{"phone_number", nanp_phone(63)}}}));
  REQUIRE(added.status == 200);
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(fake.tasks_received() == 2);
  auto removed = api_call(daemon, "PATCH", "/v1/campaigns/" + id, json{{"calls_per_minute", nullptr}}.dump());
  INFO(removed.raw);
  REQUIRE(removed.status == 200);
  CHECK(removed.body["data"]["calls_per_minute"].is_null());
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
}

TEST_CASE("campaign api: local_presence sends each batch from a number local to its calls") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto bad = api_post(daemon, "/v1/campaigns", campaign_body({{"phone_rotation_strategy", "local"}}));
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "phone_rotation_strategy");
  json contacts = json::array();
  for (const char* area : {"415", "212", "415", "646"})
    contacts.push_back({{"phone_number", nanp_phone(contacts.size(), area, 7700000)}});
  auto id = create(daemon, {{"from_number", "+12125550100"},
                            {"from_numbers", {"+12125550100", "+14155550100"}},
                            {"phone_rotation_strategy", "local_presence"},
                            {"contacts", contacts}});
  CHECK(campaign_of(daemon, id)["phone_rotation_strategy"] == "local_presence");
  REQUIRE(wait_until([&] { return fake.tasks_received() == 4; }));
  // The batch-call API takes one caller id per request: a batch per local number.
  std::map<std::string, std::set<std::string>> areas_by_from;
  for (const auto& b : fake.batches())
    for (const auto& t : b.body["tasks"])
      areas_by_from[b.body["from_number"].get<std::string>()].insert(t["to_number"].get<std::string>().substr(2, 3));
  CHECK(areas_by_from ==
        std::map<std::string, std::set<std::string>>{{"+12125550100", {"212", "646"}}, {"+14155550100", {"415"}}});
}
