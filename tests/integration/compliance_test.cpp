// The scheduler with the real daemon and a fake provider: legal hours, campaign windows, caps,
// suppressions and caller-id rotation, each at the instant it chooses (dialerd --test-clock).
#include <catch2/catch.hpp>
#include <csignal>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

// These tests are about calling hours: the default legal window, stated (DaemonProcess would otherwise open
// it all day), at the instant each test chooses (kNoon below).
json config_for(const FakeBatchCall& fake, json extra = json::object()) {
  json c = {{"compliance", {{"respectful_hours", {{"start", "08:00"}, {"end", "21:00"}}}}},
            {"providers", {{"acme", fake.provider_config()}}}};
  c.update(extra);
  return c;
}

// For the tests about something else (campaign windows, caps, suppressions, rotation): legal at every hour,
// since a San Francisco number adds Los Angeles to any declared zone and would otherwise tie them to the
// hour the suite runs at.
json all_day(json compliance = json::object()) {
  compliance["respectful_hours"] = {{"start", "00:00"}, {"end", "24:00"}};
  return {{"compliance", compliance}};
}

// An international freephone number (+800): no zone of its own, so a declared zone alone decides its hours
// (a declared zone is combined with the number's, and a San Francisco number would add Los Angeles).
std::string zoneless_phone(int i) {
  return "+800" + std::to_string(20000000 + i);
}

json campaign(std::vector<json> contacts, json extra = json::object()) {
  json c = {{"name", "compliance"},          {"agent_id", "agent_1"}, {"provider", "acme"},
            {"from_number", "+14157774444"}, {"concurrency", 100},    {"contacts", contacts}};
  c.update(extra);
  return c;
}

// Every test here lives at an instant it chooses (dialerd --test-clock), not at the hour the suite runs:
// Monday 15 June 2026, 12:00 UTC. Then Etc/GMT+9 (UTC-9) reads 03:00, night; Etc/GMT-2 (UTC+2) 14:00.
constexpr const char* kNoon = "2026-06-15T12:00:00Z";
const std::string kNight = "Etc/GMT+9", kDay = "Etc/GMT-2";
const std::vector<std::string> kAtNoon = {"--test-clock", kNoon};

// Waits until the daemon has looked at every call: nothing pending is due now.
void settle(const DaemonProcess& d, const std::string& id) {
  REQUIRE(wait_until([&] {
    auto c = campaign_of(d, id)["counts"];
    return c["dispatching"] == 0;
  }));
  REQUIRE(wait_loop_idle(d, "scheduler"));  // its last pass came after every submission ended
}

}  // namespace

TEST_CASE("scheduler: a contact whose local time is night is not called - one in daytime is") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  const auto &night = kNight, &day = kDay;
  auto id = create_campaign(daemon, campaign({{{"phone_number", zoneless_phone(1)}, {"timezone", night}},
                                              {{"phone_number", zoneless_phone(2)}, {"timezone", day}}}));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  settle(daemon, id);
  auto seen = fake.received_numbers();
  CHECK(seen.count(zoneless_phone(2)) == 1);
  CHECK(seen.count(zoneless_phone(1)) == 0);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["pending"] == 1);
  CHECK(c["called"] == 1);
  std::string out;
  run_command(std::string(DIALERCTL_BIN) + " --db " + daemon.db_path() + " calls " + id + " --state pending --json",
              out);
  auto pending = json::parse(out);
  REQUIRE(pending.size() == 1);
  CHECK_THAT(pending[0]["last_error"].get<std::string>(), Catch::Contains("respectful-hours"));

  // GET /v1/calls/{id} explains the decision with the checks, like Veritus.
  auto call = http_get(daemon.url("/v1/calls/" + std::to_string(pending[0]["id"].get<std::int64_t>())));
  REQUIRE(call.status == 200);
  auto compliance = call.body["data"]["compliance"];
  CHECK(compliance["verdict"] == "wait");
  CHECK(compliance["passed"] == false);
  CHECK(compliance["zone_source"] == "contact");
  CHECK(compliance["contact_zones"] == json::array({night}));
  CHECK_FALSE(compliance["eligible_at"].is_null());
  REQUIRE(compliance["checks_failed"].size() == 1);
  CHECK(compliance["checks_failed"][0]["id"] == "respectful-hours");
  CHECK(compliance["checks_passed"].size() >= 6);
  CHECK(call.body["data"]["attempt_history"].empty());
  CHECK(http_get(daemon.url("/v1/calls/999999")).status == 404);
}

TEST_CASE("scheduler: nothing goes out while the campaign window is closed") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, all_day()), {}, kAtNoon);
  // A two-hour window that opened neither now (12:00 UTC) nor in the next hour.
  const std::string start = "14:00", end = "16:00";
  // Legal hours are all day here, so only the campaign's window holds the call back.
  auto id = create_campaign(daemon, campaign({{{"phone_number", nanp_phone(1)}, {"timezone", "Etc/GMT"}}},
                                             {{"timezone", "UTC"}, {"start_time", start}, {"end_time", end}}));
  settle(daemon, id);
  CHECK(fake.tasks_received() == 0);
  CHECK(campaign_of(daemon, id)["counts"]["pending"] == 1);
  CHECK(campaign_of(daemon, id)["start_time"] == start);
  // The forecast puts the call inside the window that opens in two hours.
  auto f = http_get(daemon.url("/v1/campaigns/" + id + "/forecast"));
  REQUIRE(f.status == 200);
  CHECK(f.body["data"]["pending"] == 1);
  CHECK(f.body["data"]["finishes_within_horizon"] == true);
  REQUIRE(f.body["data"]["hours"].size() == 1);
  CHECK(f.body["data"]["hours"][0]["calls"] == 1);
  CHECK(http_get(daemon.url("/v1/campaigns/999/forecast")).status == 404);
}

TEST_CASE("scheduler: max_calls_per_day stops dispatch for the day") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, all_day()), {}, kAtNoon);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const auto& day = kDay;
  std::vector<json> contacts;
  for (int i = 0; i < 12; ++i) contacts.push_back({{"phone_number", nanp_phone(i)}, {"timezone", day}});
  auto id = create_campaign(daemon, campaign(contacts, {{"max_calls_per_day", 5}, {"timezone", day}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["completed"] == 5; }));
  settle(daemon, id);
  CHECK(fake.tasks_received() == 5);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["pending"] == 7);
  CHECK(campaign_of(daemon, id)["status"] == "running");
}

TEST_CASE("scheduler: suppressed numbers never reach the provider") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, all_day()), {}, kAtNoon);
  const auto& day = kDay;
  auto added = http_post(daemon.url("/v1/suppressions"),
                         json{{"phone_number", "(415) 200-0001"}, {"reason", "cease and desist letter"}}.dump());
  REQUIRE(added.status == 201);
  CHECK(added.body["data"]["phone_number"] == nanp_phone(1));
  CHECK(http_get(daemon.url("/v1/suppressions/%2B14152000001")).body["data"]["reason"] == "cease and desist letter");
  CHECK(http_get(daemon.url("/v1/suppressions")).body["data"]["items"].size() == 1);
  CHECK(http_post(daemon.url("/v1/suppressions"), json{{"phone_number", "12"}, {"reason", "x"}}.dump()).status == 400);
  CHECK(http_post(daemon.url("/v1/suppressions"), json{{"phone_number", nanp_phone(9)}}.dump()).status == 400);

  std::vector<json> contacts;
  for (int i = 0; i < 4; ++i) contacts.push_back({{"phone_number", nanp_phone(i)}, {"timezone", day}});
  auto id = create_campaign(daemon, campaign(contacts));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
  settle(daemon, id);
  CHECK(fake.received_numbers().count(nanp_phone(1)) == 0);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["skipped"] == 1);
  CHECK(c["called"] == 3);

  dialerd::http::ClientRequest del;
  del.method = "DELETE";
  del.url = daemon.url("/v1/suppressions/%2B14152000001");
  auto res = dialerd::http::fetch_blocking(del);
  REQUIRE(res.has_value());
  CHECK(res.value().status == 204);
  CHECK(http_get(daemon.url("/v1/suppressions/%2B14152000001")).status == 404);
}

TEST_CASE("opt-out: a person who says stop during a call is suppressed and their other pending calls skipped") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, all_day()), {}, kAtNoon);
  // The provider reports the first person's call as a do-not-call request, the second's as completed.
  fake.report_to(daemon.url("/v1/providers/acme/events"),
                 [](const std::string& to, int) { return to == nanp_phone(1) ? "do_not_call" : "completed"; });
  // A draft campaign holds pending calls to both people; a running one calls them.
  auto later = create_campaign(
      daemon, campaign({{{"phone_number", nanp_phone(1)}}, {{"phone_number", nanp_phone(2)}}}, {{"status", "draft"}}));
  auto now = create_campaign(daemon, campaign({{{"phone_number", nanp_phone(1)}}, {{"phone_number", nanp_phone(2)}}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, now)["status"] == "completed"; }));

  auto suppression = http_get(daemon.url("/v1/suppressions/%2B14152000001")).body["data"];
  CHECK(suppression["source"] == "call");
  CHECK_THAT(suppression["reason"].get<std::string>(), Catch::Contains("opted out during call"));
  CHECK(http_get(daemon.url("/v1/suppressions/%2B14152000002")).status == 404);
  auto counts = campaign_of(daemon, later)["counts"];
  CHECK(counts["skipped"] == 1);
  CHECK(counts["pending"] == 1);
  auto calls = http_get(daemon.url("/v1/campaigns/" + later + "/calls?state=skipped")).body["data"]["items"];
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["phone_number"] == nanp_phone(1));
  CHECK_THAT(calls[0]["last_error"].get<std::string>(), Catch::Contains("asked not to be called"));
  auto called = http_get(daemon.url("/v1/campaigns/" + now + "/calls?state=completed")).body["data"]["items"];
  REQUIRE(called.size() == 2);
  for (const auto& c : called)
    if (c["phone_number"] == nanp_phone(1)) CHECK(c["last_outcome"] == "opted_out");

  // A campaign started afterwards never reaches the person: the claim finds the suppression.
  auto after = create_campaign(daemon, campaign({{{"phone_number", nanp_phone(1)}}}));
  settle(daemon, after);
  CHECK(campaign_of(daemon, after)["counts"]["skipped"] == 1);
  CHECK(fake.tasks_received() == 2);
}

TEST_CASE("scheduler: the per-contact daily cap counts calls across campaigns") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, all_day({{"contact_daily_cap", 1}})), {}, kAtNoon);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const auto& day = kDay;
  auto a = create_campaign(daemon, campaign({{{"phone_number", nanp_phone(1)}, {"timezone", day}}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, a)["status"] == "completed"; }));
  auto b = create_campaign(daemon, campaign({{{"phone_number", nanp_phone(1)}, {"timezone", day}},
                                             {{"phone_number", nanp_phone(2)}, {"timezone", day}}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, b)["counts"]["completed"] == 1; }));
  settle(daemon, b);
  CHECK(fake.received_numbers()[nanp_phone(1)] == 1);
  CHECK(fake.received_numbers()[nanp_phone(2)] == 1);
  CHECK(campaign_of(daemon, b)["counts"]["pending"] == 1);
}

TEST_CASE("scheduler: caller ids rotate from chunk to chunk for a batch API") {
  TempDir dir;
  FakeBatchCall fake;
  auto config = config_for(fake, all_day());
  config["providers"]["acme"]["chunk_size"] = 10;
  DaemonProcess daemon(dir, config, {}, kAtNoon);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const auto& day = kDay;
  std::vector<json> contacts;
  for (int i = 0; i < 30; ++i) contacts.push_back({{"phone_number", nanp_phone(i)}, {"timezone", day}});
  auto id = create_campaign(
      daemon, campaign(contacts, {{"from_numbers", {"+14157774445"}}, {"phone_rotation_strategy", "round_robin"}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  std::map<std::string, int> by_number;
  for (const auto& b : fake.batches()) by_number[b.body["from_number"].get<std::string>()] += 1;
  CHECK(by_number.size() == 2);
  CHECK(by_number["+14157774444"] >= 1);
  CHECK(by_number["+14157774445"] >= 1);
  CHECK(campaign_of(daemon, id)["from_numbers"].size() == 2);
}

TEST_CASE("test clock: refused unless every HTTP provider is on loopback - at start and on reload") {
  TempDir dir;
  FakeBatchCall fake;
  auto real = config_for(fake);
  real["providers"]["acme"]["base_url"] = "https://api.example.com";
  // A moved clock must never place a real call.
  TempDir other;
  try {
    DaemonProcess refused(other, real, {}, kAtNoon);
    FAIL("dialerd started with --test-clock and a provider off loopback");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("provider acme's base_url is not on loopback"));
  }

  DaemonProcess daemon(dir, config_for(fake), {}, kAtNoon);
  CHECK_THAT(daemon.log(), Catch::Contains("--test-clock: the daemon's clock reads 2026-06-15T12:00:0"));
  // Its time is the chosen one: a scheduled campaign due at the chosen instant starts, one due an hour
  // later waits (it would have started long ago on the wall clock).
  auto soon = create_campaign(daemon, campaign({{{"phone_number", zoneless_phone(1)}, {"timezone", kDay}}},
                                               {{"schedule_type", "scheduled"}, {"scheduled_at", kNoon}}));
  auto later =
      create_campaign(daemon, campaign({{{"phone_number", zoneless_phone(2)}, {"timezone", kDay}}},
                                       {{"schedule_type", "scheduled"}, {"scheduled_at", "2026-06-15T13:00:00Z"}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, soon)["status"] == "running"; }));
  REQUIRE(wait_loop_idle(daemon, "scheduler"));
  CHECK(campaign_of(daemon, later)["status"] == "scheduled");

  write_file(daemon.config_path(), real.dump(2));
  daemon.signal(SIGHUP);
  REQUIRE(wait_until([&] { return daemon.log().find("reload: keeping the running config") != std::string::npos; }));
  CHECK_THAT(daemon.log(), Catch::Contains("provider acme's base_url is not on loopback"));
  CHECK(daemon.running());
}
