// When a pending call goes out, through the real daemon and the fake batch-call provider: callbacks at a set
// time (docs/SCHEDULING.md, "Callbacks at a set time": a call's not_before from an upload, PATCH
// /v1/calls/{id}, POST /v1/calls and a provider's callback_at) and priority ("Priority").
#include <catch2/catch.hpp>

#include "dialerd/util/time.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using namespace dialerd::testing;

namespace {
// New York numbers, so the number's zone and the declared one agree.
std::string ny(long i) {
  return nanp_phone(i, "212", 3100000);
}
// The daemon's clock now plus `seconds` (each answer's meta.ts).
std::string daemon_time_plus(const DaemonProcess& d, int seconds) {
  auto ts = http_get(d.url("/v1/campaigns")).body["meta"]["ts"].get<std::string>();
  return util::format_rfc3339(*util::parse_rfc3339(ts) + seconds * 1000LL, util::TimePrecision::seconds);
}
std::string call_of(const DaemonProcess& d, const std::string& campaign, const std::string& phone) {
  const auto calls = http_get(d.url("/v1/campaigns/" + campaign + "/calls"));
  for (const auto& item : calls.body["data"]["items"])
    if (item["phone_number"] == phone) return item["id"].get<std::string>();
  FAIL("no call to " << phone);
  return "";
}
}  // namespace

TEST_CASE("scheduled calls: not_before on upload, PATCH and POST /v1/calls waits for the time and the rules") {
  TempDir dir;
  FakeBatchCall fake;
  // Monday 15 June 2026, 10:00 in New York (dialerd --test-clock); respectful hours 08:00-21:00 local.
  DaemonProcess daemon(dir,
                       {{"compliance", {{"respectful_hours", {{"start", "08:00"}, {"end", "21:00"}}}}},
                        {"providers", {{"acme", fake.provider_config()}}}},
                       {}, {"--test-clock", "2026-06-15T14:00:00Z"});
  const auto tz = "America/New_York";
  json contacts = {{{"phone_number", ny(0)}, {"timezone", tz}, {"not_before", "2026-06-15T22:00:00-04:00"}},
                   {{"phone_number", ny(1)}, {"timezone", tz}, {"not_before", daemon_time_plus(daemon, 4)}},
                   {{"phone_number", ny(2)}, {"timezone", tz}}};
  auto id = create_campaign(daemon, {{"name", "callbacks"},
                                     {"agent_id", "agent_1"},
                                     {"provider", "acme"},
                                     {"from_number", "+14157774444"},
                                     {"timezone", tz},
                                     {"concurrency", 10},
                                     {"retry_attempts", 1},
                                     {"contacts", contacts}});
  // The call without a time goes at once; the one a few seconds ahead then; the one at 22:00 not at all.
  REQUIRE(wait_until([&] { return fake.received_numbers().count(ny(2)) == 1; }));
  CHECK(fake.received_numbers().count(ny(1)) == 0);
  REQUIRE(wait_until([&] { return fake.received_numbers().count(ny(1)) == 1; }));

  // 22:00 is past respectful hours: the explanation names the time asked for and the next legal instant.
  const auto late = call_of(daemon, id, ny(0));
  auto detail = http_get(daemon.url("/v1/calls/" + late)).body["data"];
  CHECK(detail["not_before"] == "2026-06-16T02:00:00.000Z");
  CHECK(detail["compliance"]["verdict"] == "wait");
  CHECK(detail["compliance"]["eligible_at"] == "2026-06-16T12:00:00.000Z");
  auto check = check_named(detail["compliance"]["checks_failed"], "callback-time");
  REQUIRE(check.is_object());
  CHECK(check["reason"] ==
        "Callback requested for 2026-06-16T02:00:00Z (22:00 in America/New_York); the first instant from then that "
        "every time rule allows is 2026-06-16T12:00:00Z (08:00 in America/New_York)");

  // PATCH: bad input names the field and changes nothing; null makes the call due now.
  auto patch = [&](const std::string& call, const std::string& body) {
    return api_call(daemon, "PATCH", "/v1/calls/" + call, body);
  };
  for (const auto& [body, says] : std::vector<std::pair<std::string, std::string>>{
           {R"({"not_before":"soon"})", "must be an RFC 3339 time"},
           {R"({"not_before":1781550000})", "more than a day in the past"},
           {R"({"not_before":"2028-01-01T00:00:00Z"})", "more than 366 days ahead"},
           {R"({})", "give not_before or priority"}}) {
    auto r = patch(late, body);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == "not_before");
    CHECK_THAT(r.body["error"]["message"].get<std::string>(), Catch::Contains(says));
  }
  for (const auto& body : {R"({"priority":101})", R"({"priority":"high"})", R"({"priority":-1})"}) {
    auto r = patch(late, body);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == "priority");
  }
  CHECK(patch(late, R"({"stage":1})").body["error"]["field"] == "stage");
  CHECK(patch("999999", R"({"not_before":null})").status == 404);
  CHECK(patch("999999", R"({"not_before":"soon"})").status == 404);  // the call first, as release and fail
  CHECK(http_get(daemon.url("/v1/calls/" + late)).body["data"]["not_before"] == "2026-06-16T02:00:00.000Z");
  auto moved = patch(late, R"({"not_before":"2026-06-15T19:00:00Z"})");
  REQUIRE(moved.status == 200);
  CHECK(moved.body["data"]["not_before"] == "2026-06-15T19:00:00.000Z");
  CHECK(moved.body["data"]["compliance"]["eligible_at"] == "2026-06-15T19:00:00.000Z");
  auto now = patch(late, R"({"not_before":null})");
  REQUIRE(now.status == 200);
  CHECK(now.body["data"]["not_before"].is_null());
  REQUIRE(wait_until([&] { return fake.received_numbers().count(ny(0)) == 1; }));
  auto out = patch(late, R"({"not_before":null})");
  CHECK(out.status == 409);
  CHECK(out.body["error"]["code"] == "not_pending");

  // POST /v1/calls with not_before schedules the call (201), and again moves it (200, the same call).
  auto scheduled = api_post(daemon, "/v1/calls",
                            {{"campaign_id", id},
                             {"contact", {{"phone_number", ny(3)}, {"timezone", tz}}},
                             {"not_before", "2026-06-16T01:30:00Z"}});  // 21:30 in New York
  REQUIRE(scheduled.status == 201);
  CHECK(scheduled.body["data"]["state"] == "pending");
  CHECK(scheduled.body["data"]["compliance"]["eligible_at"] == "2026-06-16T12:00:00.000Z");
  auto again =
      api_post(daemon, "/v1/calls",
               {{"campaign_id", id},
                {"contact", {{"phone_number", ny(3)}, {"timezone", tz}, {"not_before", "2026-06-16T13:00:00Z"}}}});
  REQUIRE(again.status == 200);
  CHECK(again.body["data"]["id"] == scheduled.body["data"]["id"]);
  CHECK(again.body["data"]["not_before"] == "2026-06-16T13:00:00.000Z");
  auto twice = api_post(daemon, "/v1/calls",
                        {{"campaign_id", id},
                         {"contact", {{"phone_number", ny(3)}, {"not_before", "2026-06-16T13:00:00Z"}}},
                         {"not_before", "2026-06-16T13:00:00Z"}});
  CHECK(twice.status == 400);
  CHECK(twice.body["error"]["field"] == "not_before");
  auto bulk = api_post(
      daemon, "/v1/calls/bulk",
      {{"campaign_id", id}, {"contacts", {{{"phone_number", ny(4)}, {"not_before", "2026-06-16T13:00:00Z"}}}}});
  REQUIRE(bulk.status == 200);
  CHECK(bulk.body["data"]["results"][0]["error"]["field"] == "contacts[0].not_before");
  CHECK(fake.received_numbers().count(ny(3)) == 0);
  // The forecast places the one pending call at its callback time, not now.
  auto forecast = http_get(daemon.url("/v1/campaigns/" + id + "/forecast")).body["data"];
  CHECK(forecast["pending"] == 1);
  REQUIRE(forecast["hours"].size() == 1);
  const auto when = [](const json& t) { return *util::parse_rfc3339(t.get<std::string>()); };
  CHECK(when(forecast["hours"][0]["start"]) > *util::parse_rfc3339("2026-06-16T12:00:00Z"));
  CHECK(when(forecast["estimated_finish"]) > *util::parse_rfc3339("2026-06-16T13:00:00Z"));
  // Calling it now on request overrides its callback time.
  auto called = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", ny(3)}}}});
  REQUIRE(called.status == 201);
  CHECK(called.body["data"]["id"] == scheduled.body["data"]["id"]);
  REQUIRE(wait_until([&] { return fake.received_numbers().count(ny(3)) == 1; }));
  CHECK(http_get(daemon.url("/v1/calls/" + called.body["data"]["id"].get<std::string>()))
            .body["data"]["not_before"]
            .is_null());
}

TEST_CASE("scheduled calls: a provider callback with callback_at makes the call pending until then") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", fake.provider_config()}}}}, {},
                       {"--test-clock", "2026-06-15T14:00:00Z"});
  auto id = create_campaign(daemon, {{"name", "asked back"},
                                     {"agent_id", "agent_1"},
                                     {"provider", "acme"},
                                     {"from_number", "+14157774444"},
                                     {"retry_attempts", 1},
                                     {"concurrency", 10},
                                     {"contacts", {{{"phone_number", ny(10)}}, {{"phone_number", ny(11)}}}}});
  REQUIRE(wait_until([&] { return fake.received_numbers().size() == 2; }));
  const auto first = call_of(daemon, id, ny(10)), second = call_of(daemon, id, ny(11));
  REQUIRE(wait_until(
      [&] { return !http_get(daemon.url("/v1/calls/" + second)).body["data"]["provider_call_id"].is_null(); }));
  auto batch = [&](const std::string& call) {
    auto pcid = http_get(daemon.url("/v1/calls/" + call)).body["data"]["provider_call_id"].get<std::string>();
    return pcid.substr(0, pcid.find(':'));
  };
  // A malformed callback_at refuses the body: nothing of it is applied.
  json bad = json::array({{{"batch_call_id", batch(first)}, {"to_number", ny(10)}, {"status", "completed"}},
                          {{"batch_call_id", batch(second)},
                           {"to_number", ny(11)},
                           {"status", "completed"},
                           {"callback_at", "at three"}}});
  auto refused = http_post(daemon.url("/v1/providers/acme/events"), bad.dump());
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body["error"]["message"].get<std::string>(), Catch::Contains("[1].callback_at must be"));
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 0);

  // The person asked to be called back in a few seconds; the other call completes.
  const auto back_at = daemon_time_plus(daemon, 3);
  json events = json::array({{{"batch_call_id", batch(first)}, {"to_number", ny(10)}, {"status", "completed"}},
                             {{"batch_call_id", batch(second)},
                              {"to_number", ny(11)},
                              {"status", "completed"},
                              {"callback_at", back_at},
                              {"detail", "call me later"}}});
  REQUIRE(http_post(daemon.url("/v1/providers/acme/events"), events.dump()).status == 200);
  auto call = http_get(daemon.url("/v1/calls/" + second)).body["data"];
  CHECK(call["state"] == "pending");
  CHECK(call["last_outcome"] == "completed");
  CHECK(call["not_before"] == back_at.substr(0, 19) + ".000Z");
  CHECK(call["last_error"] == "call me later; callback requested for " + back_at);
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 1);
  REQUIRE(wait_until([&] { return fake.received_numbers()[ny(11)] == 2; }));
  CHECK(fake.received_numbers()[ny(10)] == 1);
}

TEST_CASE("scheduled calls: priority from uploads, POST /v1/calls and PATCH puts calls first, and is explained") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", fake.provider_config()}}}}, {},
                       {"--test-clock", "2026-06-15T14:00:00Z"});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  json plain = json::array();
  for (int i = 0; i < 5; ++i) plain.push_back({{"phone_number", ny(20 + i)}});
  auto id = create_campaign(daemon, {{"name", "hot leads first"},
                                     {"agent_id", "agent_1"},
                                     {"provider", "acme"},
                                     {"from_number", "+14157774444"},
                                     {"concurrency", 2},
                                     {"status", "draft"},
                                     {"contacts", plain}});
  const auto upload = "/v1/campaigns/" + id + "/contacts";
  // Bad priorities name the field; nothing of a refused upload is kept.
  auto bad = api_post(daemon, upload, {{"priority", 101}, {"contacts", {{{"phone_number", ny(30)}}}}});
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "priority");
  CHECK_THAT(bad.body["error"]["message"].get<std::string>(), Catch::Contains("from 0 to 100"));
  auto bad_record = api_post(daemon, upload, {{"contacts", {{{"phone_number", ny(30)}, {"priority", "high"}}}}});
  CHECK(bad_record.status == 400);
  CHECK(bad_record.body["error"]["field"] == "contacts[0].priority");
  auto both = http_post(daemon.url(upload + "?priority=3"), json{{"priority", 4}, {"contacts", plain}}.dump());
  CHECK(both.status == 400);
  CHECK(both.body["error"]["field"] == "priority");
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 5);
  // An upload's priority is its records' (JSON body, or ?priority= for CSV) unless a record has its own.
  REQUIRE(api_post(daemon, upload,
                   {{"priority", 40},
                    {"contacts", {{{"phone_number", ny(30)}}, {{"phone_number", ny(31)}}, {{"phone_number", ny(32)}}}}})
              .status == 200);
  auto csv = http_post(daemon.url(upload + "?priority=40"),
                       "phone_number,priority\n" + ny(33) + ",\n" + ny(34) + ",60\n", "text/csv");
  REQUIRE(csv.status == 200);
  // POST /v1/calls schedules one with its priority; PATCH raises a plain one above them all.
  auto scheduled = api_post(daemon, "/v1/calls",
                            {{"campaign_id", id},
                             {"contact", {{"phone_number", ny(35)}}},
                             {"priority", 40},
                             {"not_before", daemon_time_plus(daemon, -60)}});  // due since a minute ago
  REQUIRE(scheduled.status == 201);
  CHECK(scheduled.body["data"]["priority"] == 40);
  auto twice =
      api_post(daemon, "/v1/calls",
               {{"campaign_id", id}, {"contact", {{"phone_number", ny(36)}, {"priority", 1}}}, {"priority", 2}});
  CHECK(twice.status == 400);
  CHECK(twice.body["error"]["field"] == "priority");
  // Not due yet: no count of the calls ahead.
  auto later = api_post(daemon, "/v1/calls",
                        {{"campaign_id", id},
                         {"contact", {{"phone_number", ny(37)}}},
                         {"priority", 5},
                         {"not_before", daemon_time_plus(daemon, 3600)}});
  REQUIRE(later.status == 201);
  CHECK(later.body["data"]["queue"]["due_calls_ahead"].is_null());
  CHECK_THAT(later.body["data"]["queue"]["reason"].get<std::string>(), Catch::Contains("Once it is due"));
  const auto raised = call_of(daemon, id, ny(24));
  auto patched = api_call(daemon, "PATCH", "/v1/calls/" + raised, R"({"priority":90})");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["data"]["priority"] == 90);
  CHECK(patched.body["data"]["queue"]["due_calls_ahead"] == 0);

  // The explanation: a plain call waits behind the seven with a priority and the plain ones due before it.
  auto detail = http_get(daemon.url("/v1/calls/" + call_of(daemon, id, ny(22)))).body["data"];
  CHECK(detail["priority"] == 0);
  CHECK(detail["queue"]["due_calls_ahead"] == 9);
  CHECK_THAT(detail["queue"]["reason"].get<std::string>(),
             Catch::Contains("9 due call(s) go before it") && Catch::Contains("for every 9 calls"));
  const auto listing = http_get(daemon.url("/v1/campaigns/" + id + "/calls"));
  for (const auto& item : listing.body["data"]["items"])
    if (item["phone_number"] == ny(34)) CHECK(item["priority"] == 60);
  auto forecast = http_get(daemon.url("/v1/campaigns/" + id + "/forecast")).body["data"];
  REQUIRE(forecast["priorities"].size() == 5);  // 90, 60, 40, 5 (the later call) and 0
  CHECK(forecast["priorities"][0]["priority"] == 90);
  CHECK(forecast["priorities"][3]["priority"] == 5);
  CHECK(forecast["priorities"][4]["priority"] == 0);

  // Started: 90, then 60, then the 40s in due order (the scheduled one first), then the plain ones.
  REQUIRE(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 200);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["completed"] == 11; }));  // all but the later one
  std::vector<std::string> order;
  for (const auto& b : fake.batches())
    for (const auto& t : b.body["tasks"]) order.push_back(t["to_number"].get<std::string>());
  REQUIRE(order.size() == 11);
  const std::vector<std::string> first{ny(24), ny(34), ny(35), ny(30), ny(31), ny(32), ny(33)};
  CHECK(std::vector<std::string>(order.begin(), order.begin() + 7) == first);
  CHECK(fake.violations().empty());
  // Out of the queue, a call's priority no longer changes.
  auto done = api_call(daemon, "PATCH", "/v1/calls/" + raised, R"({"priority":1})");
  CHECK(done.status == 409);
  CHECK(done.body["error"]["code"] == "not_pending");
}
