// The real dialerd against a fake batch-call provider on loopback.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "dialerd/store/sqlite/db.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

json config_for(const FakeBatchCall& fake, json extra_provider = json::object()) {
  json provider = fake.provider_config();
  provider["timeout_ms"] = 5000;
  provider.update(extra_provider);
  return {{"providers", {{"acme", provider}}}};
}

json contacts(int n, int offset = 0) {
  json list = json::array();
  for (int i = 0; i < n; ++i)
    list.push_back({{"phone_number", nanp_phone(offset + i)},
                    {"first_name", "First" + std::to_string(offset + i)},
                    {"last_name", "Last"},
                    {"variables", {{"account", "A" + std::to_string(offset + i)}}}});
  return list;
}

json campaign(int n, int concurrency, json extra = json::object()) {
  json c = {{"name", "Q1 Sales Campaign"},  {"agent_id", "agent_7ff47846-c8a0-4304-ae13-88cfc31c1a03"},
            {"provider", "acme"},           {"from_number", "+14157774444"},
            {"schedule_type", "immediate"}, {"concurrency", concurrency},
            {"contacts", contacts(n)}};
  c.update(extra);
  return c;
}

}  // namespace

TEST_CASE("every contact reaches the provider exactly once in chunks of at most 1000 and the counts match") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  const int n = 2500;
  auto id = create_campaign(daemon, campaign(n, 5000));
  bool done = wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; });
  INFO(daemon.log());
  REQUIRE(done);

  CHECK(fake.violations().empty());
  auto batches = fake.batches();
  REQUIRE(batches.size() == 3);
  std::multiset<std::size_t> sizes;
  for (const auto& b : batches) {
    sizes.insert(b.body["tasks"].size());
    CHECK(b.headers.at("x-api-key") == "test-key");
    CHECK(b.headers.at("x-api-secret") == "test-secret");
    CHECK(b.body["from_number"] == "+14157774444");
    CHECK(b.body["agent_id"] == "agent_7ff47846-c8a0-4304-ae13-88cfc31c1a03");
    CHECK(b.body["name"] == "Q1 Sales Campaign");
    CHECK(b.body["send_now"] == true);
    for (const auto& t : b.body["tasks"]) {
      auto i = std::stoi(t["to_number"].get<std::string>().substr(5)) - 2000000;
      CHECK(t["dynamic_variables"]["first_name"] == "First" + std::to_string(i));
      CHECK(t["dynamic_variables"]["last_name"] == "Last");
      CHECK(t["dynamic_variables"]["account"] == "A" + std::to_string(i));
      CHECK(t["max_retries"] == 0);
    }
  }
  CHECK(sizes == std::multiset<std::size_t>{500, 1000, 1000});

  auto seen = fake.received_numbers();
  REQUIRE(seen.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) CHECK(seen[nanp_phone(i)] == 1);

  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["total"] == n);
  CHECK(c["called"] == n);
  CHECK(c["completed"] == n);
  CHECK(c["pending"] == 0);
  CHECK(c["failed"] == 0);
  CHECK(c["in_progress"] == 0);
  CHECK(c["held"] == 0);
}

TEST_CASE("concurrency bounds the calls in flight at the provider") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  auto id = create_campaign(daemon, campaign(1200, 150));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  CHECK(fake.tasks_received() == 1200);
  CHECK(fake.max_outstanding() <= 150);
  for (const auto& b : fake.batches()) CHECK(b.body["tasks"].size() <= 150);
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 1200);
}

TEST_CASE("retryable outcomes are retried up to retry_attempts then the call fails") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "no_answer"; });

  auto id = create_campaign(daemon, campaign(10, 100, {{"retry_attempts", 2}, {"retry_delay_seconds", 0}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 3);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["failed"] == 10);
  CHECK(c["completed"] == 0);
  CHECK(c["called"] == 10);
  CHECK(fake.tasks_received() == 30);
}

TEST_CASE("duplicate and unknown outcome events change nothing") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign(3, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));

  auto batch = fake.batches().at(0).batch_call_id;
  json again = {{"batch_call_id", batch}, {"to_number", nanp_phone(0)}, {"status", "failed"}};
  auto dup = http_post(daemon.url("/v1/providers/acme/events"), again.dump());
  CHECK(dup.status == 200);
  CHECK(dup.body["data"]["duplicates"] == 1);
  json unknown = {{"batch_call_id", "batch_call_999"}, {"to_number", nanp_phone(0)}, {"status", "completed"}};
  CHECK(http_post(daemon.url("/v1/providers/acme/events"), unknown.dump()).status == 404);
  CHECK(http_post(daemon.url("/v1/providers/nobody/events"), unknown.dump()).status == 404);
  CHECK(http_post(daemon.url("/v1/providers/acme/events"), "{\"to_number\":1}").status == 400);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["completed"] == 3);
  CHECK(c["failed"] == 0);
}

TEST_CASE("an outcome for a call whose stored state is unknown gets 500 corrupt_row - the others land and it waits") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto id = create_campaign(daemon, campaign(2, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["in_progress"] == 2; }));
  auto batch = fake.batches().at(0).batch_call_id;
  auto bad_call =
      "(SELECT k.id FROM calls k JOIN contacts p ON p.id = k.contact_id WHERE p.phone = '" + nanp_phone(0) + "')";
  {
    // A row a newer version wrote (or a hand edit past the CHECK constraint and the state guard).
    dialerd::store::sqlite::Db db(daemon.db_path(), dialerd::store::sqlite::Db::Mode::read_write, 5000);
    db.exec("PRAGMA ignore_check_constraints = ON");
    db.exec("INSERT INTO campaign_flows(campaign_id, from_state, to_state, n, called) VALUES (" + id +
            ", 'in_progress', 'ringing', 0, 0), (" + id + ", 'ringing', 'in_progress', 0, 0)");
    db.exec("UPDATE calls SET state = 'ringing' WHERE id = " + bad_call);
  }
  json events = json::array({{{"batch_call_id", batch}, {"to_number", nanp_phone(0)}, {"status", "completed"}},
                             {{"batch_call_id", batch}, {"to_number", nanp_phone(1)}, {"status", "completed"}}});
  auto r = http_post(daemon.url("/v1/providers/acme/events"), events.dump());
  CHECK(r.status == 500);
  CHECK(r.body["error"]["code"] == "corrupt_row");
  CHECK_THAT(r.body["error"]["message"].get<std::string>(),
             Catch::Contains("state is not a call state this version knows") &&
                 Catch::Contains("the request's other outcomes were applied"));
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 1);  // the other one landed
  CHECK(http_get(daemon.url("/healthz")).status == 200);

  // Fixed, the provider's retry lands it; the other is a duplicate.
  {
    dialerd::store::sqlite::Db db(daemon.db_path(), dialerd::store::sqlite::Db::Mode::read_write, 5000);
    db.exec("UPDATE calls SET state = 'in_progress' WHERE id = " + bad_call);
  }
  auto again = http_post(daemon.url("/v1/providers/acme/events"), events.dump());
  CHECK(again.status == 200);
  CHECK(again.body["data"]["applied"] == 1);
  CHECK(again.body["data"]["duplicates"] == 1);
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 2);
}

TEST_CASE("a provider that answers 429 is retried after Retry-After - a 500 holds the chunk instead of redialling") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  SECTION("429 with Retry-After: 1 -> delivered once, a second later") {
    fake.inject(429, 1, "1");
    auto id = create_campaign(daemon, campaign(5, 10));
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
    CHECK(fake.tasks_received() == 5);
    for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 1);
    CHECK(campaign_of(daemon, id)["counts"]["called"] == 5);
  }
  SECTION("401: the provider took nothing - the calls wait for a retry instead of failing") {
    fake.inject(401, 1);
    auto id = create_campaign(daemon, campaign(5, 10));
    dialerd::store::sqlite::Db db(daemon.db_path(), dialerd::store::sqlite::Db::Mode::read_only, 1000);
    REQUIRE(wait_until([&] {
      auto& q = db.cached("SELECT count(*) FROM calls WHERE state = 'pending' AND last_error LIKE '%answered 401%'");
      bool all = q.step() && q.int64(0) == 5;
      q.reset();
      return all;
    }));
    auto c = campaign_of(daemon, id)["counts"];
    CHECK(c["failed"] == 0);
    CHECK(c["called"] == 0);
    CHECK(fake.tasks_received() == 0);
  }
  SECTION("500: the batch may have been taken, so its calls are held, not resent") {
    fake.inject(500, 1);
    auto id = create_campaign(daemon, campaign(5, 10));
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 5; }));
    CHECK(fake.tasks_received() == 0);
    auto data = campaign_of(daemon, id);
    CHECK(data["status"] == "running");
    CHECK(data["counts"]["total"] == 5);
  }
}

TEST_CASE("a scheduled campaign waits for its trigger_timestamp") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto id =
      create_campaign(daemon, campaign(3, 10, {{"schedule_type", "scheduled"}, {"trigger_timestamp", now_ms + 1500}}));
  CHECK(campaign_of(daemon, id)["status"] == "scheduled");
  // A start time alone makes a campaign scheduled; contradicting it is refused, never ignored.
  auto implied_body = campaign(1, 1, {{"scheduled_at", "2100-01-01T09:00:00Z"}});
  implied_body.erase("schedule_type");
  auto implied = create_campaign(daemon, implied_body);
  CHECK(campaign_of(daemon, implied)["status"] == "scheduled");
  CHECK(campaign_of(daemon, implied)["schedule_type"] == "scheduled");
  auto immediate = http_post(daemon.url("/v1/campaigns"),
                             campaign(1, 1, {{"schedule_type", "immediate"}, {"trigger_timestamp", now_ms}}).dump());
  CHECK(immediate.status == 400);
  CHECK(immediate.body["error"]["field"] == "trigger_timestamp");
  auto both = http_post(daemon.url("/v1/campaigns"),
                        campaign(1, 1, {{"send_now", true}, {"trigger_timestamp", now_ms}}).dump());
  CHECK(both.status == 400);
  CHECK(both.body["error"]["field"] == "send_now");
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  auto first = fake.batches();
  REQUIRE(!first.empty());
  auto after =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  CHECK(after >= now_ms + 1500);
}

TEST_CASE("bad campaigns get a 4xx naming the field - accepted campaigns survive a restart") {
  TempDir dir;
  FakeBatchCall fake;
  auto daemon = std::make_unique<DaemonProcess>(dir, config_for(fake));
  auto good = create_campaign(*daemon, campaign(4, 1, {{"status", "draft"}}));

  struct Case {
    json patch;
    std::string field;
  };
  std::vector<Case> cases = {
      {{{"name", ""}}, "name"},
      {{{"name", 42}}, "name"},
      {{{"provider", "nope"}}, "provider"},
      {{{"from_number", "12"}}, "from_number"},
      {{{"concurrency", 0}}, "concurrency"},
      {{{"concurrency", "5"}}, "concurrency"},
      {{{"retry_attempts", 11}}, "retry_attempts"},
      {{{"timezone", "Mars/Olympus"}}, "timezone"},
      {{{"schedule_type", "later"}}, "schedule_type"},
      {{{"schedule_type", "scheduled"}}, "scheduled_at"},
      {{{"scheduled_at", "tomorrow"}}, "scheduled_at"},
      {{{"working_days", json::array({1, 8})}}, "working_days"},
      {{{"working_days", json::array({4294967297LL})}}, "working_days"},
      {{{"status", "scheduled"}}, "status"},
      {{{"working_days", json::array()}}, "working_days"},
      {{{"start_time", "9:00"}}, "start_time"},
      {{{"start_time", "09:00"}, {"end_time", "09:00"}}, "end_time"},
      {{{"max_calls_per_day", 0}}, "max_calls_per_day"},
      {{{"phone_rotation_strategy", "lifo"}}, "phone_rotation_strategy"},
      {{{"from_numbers", json::array({"+1"})}}, "from_numbers[0]"},
      {{{"webhook", {{"url", "http://x"}}}}, "webhook.secret_id"},
      {{{"required_variables", json::array({"account"})},
        {"contacts", json::array({{{"phone_number", "+14155550101"}}})}},
       "contacts[0].account"},
      {{{"contacts", json::array({{{"phone_number", "+14155550101"}, {"timezone", "Nowhere/City"}}})}},
       "contacts[0].timezone"},
      {{{"contacts", json::array({{{"phone_number", "+1"}}})}}, "contacts[0].phone_number"},
      {{{"contacts", json::array({{{"first_name", "x"}}})}}, "contacts[0].phone_number"},
      {{{"contacts", "all"}}, "contacts"},
  };
  for (const auto& c : cases) {
    auto body = campaign(2, 1, c.patch);
    auto r = http_post(daemon->url("/v1/campaigns"), body.dump());
    INFO(c.patch.dump() << " -> " << r.raw);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == c.field);
  }
  CHECK(http_post(daemon->url("/v1/campaigns"), "{not json").status == 400);
  CHECK(http_post(daemon->url("/v1/campaigns"), "[]").status == 400);
  CHECK(http_post(daemon->url("/v1/campaigns"), "{}", "text/plain").status == 415);
  CHECK(http_get(daemon->url("/v1/campaigns/999")).status == 404);
  CHECK(http_get(daemon->url("/v1/campaigns/abc")).status == 404);
  CHECK(http_get(daemon->url("/v1/nothing")).status == 404);
  {
    dialerd::http::ClientRequest put;
    put.method = "PUT";
    put.url = daemon->url("/v1/campaigns");
    auto res = dialerd::http::fetch_blocking(put);
    REQUIRE(res.has_value());
    CHECK(res.value().status == 405);
    CHECK(res.value().headers.at("allow") == "GET, POST");
  }
  CHECK(http_get(daemon->url("/healthz")).status == 200);

  CHECK(daemon->stop() == 0);
  daemon = std::make_unique<DaemonProcess>(dir, config_for(fake));
  auto data = campaign_of(*daemon, good);
  CHECK(data["status"] == "draft");
  CHECK(data["counts"]["total"] == 4);
  CHECK(data["counts"]["pending"] == 4);
  CHECK(fake.tasks_received() == 0);
}

TEST_CASE("an oversize body gets 413 and the daemon stays up") {
  TempDir dir;
  FakeBatchCall fake;
  auto config = config_for(fake);
  config["http"] = {{"body_limit_bytes", 4096}};
  DaemonProcess daemon(dir, config);
  auto r = http_post(daemon.url("/v1/campaigns"), campaign(200, 1).dump());
  CHECK(r.status == 413);
  CHECK(http_get(daemon.url("/healthz")).status == 200);
}

TEST_CASE("a campaign's retry_policy retries each outcome as it says - PATCH changes it and bad ones name the field") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  // Number 0 is always busy, number 1 reaches voicemail once and then a person, number 2 never answers.
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string& number, int times) -> std::string {
    if (number == nanp_phone(0)) return "busy";
    if (number == nanp_phone(1)) return times == 1 ? "voicemail" : "completed";
    return "no_answer";
  });
  json policy = {{"busy", {{"retry", true}, {"delay_seconds", 0}, {"max_attempts", 2}}},
                 {"voicemail", {{"retry", true}, {"delay_seconds", 0}}},
                 {"no_answer", {{"retry", false}}}};
  auto refused =
      api_post(daemon, "/v1/campaigns", campaign(3, 10, {{"retry_policy", {{"ringing", {{"retry", true}}}}}}));
  CHECK(refused.status == 400);
  CHECK(refused.body["error"]["field"] == "retry_policy.ringing");
  auto id = create_campaign(
      daemon, campaign(3, 10, {{"retry_attempts", 3}, {"retry_delay_seconds", 0}, {"retry_policy", policy}}));
  CHECK(campaign_of(daemon, id)["retry_policy"]["busy"] ==
        json({{"retry", true}, {"delay_seconds", 0}, {"max_attempts", 2}}));
  CHECK(campaign_of(daemon, id)["retry_policy"]["no_answer"]["delay_seconds"].is_null());
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(fake.received_numbers() ==
        std::map<std::string, int>{{nanp_phone(0), 2}, {nanp_phone(1), 2}, {nanp_phone(2), 1}});
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["completed"] == 1);
  CHECK(c["failed"] == 2);

  // PATCH: a bad policy is refused naming the field; null leaves every outcome to config retry.*.
  auto other = create_campaign(daemon, campaign(0, 10, {{"complete_when_done", false}, {"retry_policy", policy}}));
  auto bad = api_call(daemon, "PATCH", "/v1/campaigns/" + other,
                      json{{"retry_policy", {{"busy", {{"retry", true}, {"max_attempts", 0}}}}}}.dump());
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["field"] == "retry_policy.busy.max_attempts");
  auto cleared = api_call(daemon, "PATCH", "/v1/campaigns/" + other, json{{"retry_policy", nullptr}}.dump());
  REQUIRE(cleared.status == 200);
  CHECK(cleared.body["data"]["retry_policy"] == json::object());
}

TEST_CASE("a workspace's ceiling holds across its campaigns - shared fairly - and the explanation names it") {
  TempDir dir;
  FakeBatchCall fake;
  auto config = config_for(fake);
  config["workspaces"] = {{"max_in_flight", {{"default", 6}}}};
  DaemonProcess daemon(dir, config);
  // No outcome comes back: whatever goes out stays in flight. Both start at the same instant, so one pass
  // shares the ceiling between them.
  const auto start = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch() + std::chrono::seconds(3))
                         .count();
  const json at_start = {{"schedule_type", "scheduled"}, {"trigger_timestamp", start}};
  auto a = create_campaign(daemon, campaign(20, 100, at_start));
  auto with_others = at_start;
  with_others["contacts"] = contacts(20, 100);
  auto b = create_campaign(daemon, campaign(20, 100, with_others));
  // Both created before the start instant (else the test's setup, not the sharing, is what failed).
  REQUIRE(campaign_of(daemon, a)["status"] == "scheduled");
  REQUIRE(campaign_of(daemon, b)["status"] == "scheduled");
  REQUIRE(wait_until([&] { return fake.tasks_received() == 6; }));
  REQUIRE(wait_until([&] {
    return campaign_of(daemon, a)["counts"]["in_progress"].get<int>() +
               campaign_of(daemon, b)["counts"]["in_progress"].get<int>() ==
           6;
  }));
  // Each campaign has a share: the first took its half, the second the rest.
  CHECK(campaign_of(daemon, a)["counts"]["in_progress"] == 3);
  CHECK(campaign_of(daemon, b)["counts"]["in_progress"] == 3);
  auto pending = http_get(daemon.url("/v1/campaigns/" + b + "/calls?state=pending&limit=1"));
  auto call = http_get(daemon.url("/v1/calls/" + pending.body["data"]["items"][0]["id"].get<std::string>()));
  auto check = check_named(call.body["data"]["compliance"]["checks_failed"], "workspace-concurrency");
  REQUIRE(check.is_object());
  CHECK(check["reason"] == "6 of 6 calls in flight across the workspace's campaigns");
  CHECK(call.body["data"]["compliance"]["verdict"] == "wait");
  // Call now refuses past the ceiling too.
  auto now = api_post(daemon, "/v1/calls", {{"campaign_id", a}, {"contact", {{"phone_number", nanp_phone(900)}}}});
  CHECK(now.status == 422);
  CHECK(check_named(now.body["error"]["compliance"]["checks_failed"], "workspace-concurrency").is_object());
  CHECK(fake.tasks_received() == 6);
}

TEST_CASE("each from number places its daily cap - the explanation names the numbers - PATCH raises the cap") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  const std::string a = "+14157774444", b = "+14157774445";
  const json numbers = {{"from_numbers", {a, b}}};
  auto with = [&](json extra) {
    extra.update(numbers);
    return campaign(6, 100, extra);
  };
  // Bad settings name the field.
  auto zero = api_post(daemon, "/v1/campaigns", with({{"max_calls_per_number_per_day", 0}}));
  CHECK(zero.status == 400);
  CHECK(zero.body["error"]["field"] == "max_calls_per_number_per_day");
  auto outcome = api_post(daemon, "/v1/campaigns",
                          with({{"number_rest", {{"after_failures", 3}, {"outcomes", {"failed", "x"}}}}}));
  CHECK(outcome.status == 400);
  CHECK(outcome.body["error"]["field"] == "number_rest.outcomes[1]");
  CHECK(fake.tasks_received() == 0);

  auto id = create_campaign(daemon, with({{"max_calls_per_number_per_day", 2},
                                          {"number_rest", {{"after_failures", 5}, {"rest_seconds", 900}}}}));
  CHECK(campaign_of(daemon, id)["max_calls_per_number_per_day"] == 2);
  CHECK(campaign_of(daemon, id)["number_rest"] ==
        json({{"after_failures", 5}, {"rest_seconds", 900}, {"outcomes", {"failed"}}}));
  // No outcome comes back: 2 calls from each number, one request per caller id, then none has room.
  REQUIRE(wait_until([&] { return fake.tasks_received() == 4; }));
  std::map<std::string, std::size_t> per_number;
  for (const auto& batch : fake.batches()) per_number[batch.body["from_number"]] += batch.body["tasks"].size();
  CHECK(per_number == std::map<std::string, std::size_t>{{a, 2}, {b, 2}});
  auto pending = http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=pending&limit=1"));
  REQUIRE(pending.body["data"]["items"].size() == 1);
  auto call = http_get(daemon.url("/v1/calls/" + pending.body["data"]["items"][0]["id"].get<std::string>()));
  auto check = check_named(call.body["data"]["compliance"]["checks_failed"], "caller-ids");
  REQUIRE(check.is_object());
  CHECK(check["reason"] == "0 of 2 from numbers usable; " + a +
                               " placed 2 calls today, its max_calls_per_number_per_day is 2; " + b +
                               " placed 2 calls today, its max_calls_per_number_per_day is 2");
  CHECK(call.body["data"]["compliance"]["verdict"] == "wait");
  // Call now is refused for the same reason.
  auto now = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", nanp_phone(900)}}}});
  CHECK(now.status == 422);
  CHECK(check_named(now.body["error"]["compliance"]["checks_failed"], "caller-ids").is_object());
  CHECK(fake.tasks_received() == 4);
  // A raised cap counts at once: one more from each number.
  auto raised = api_call(daemon, "PATCH", "/v1/campaigns/" + id, json{{"max_calls_per_number_per_day", 3}}.dump());
  REQUIRE(raised.status == 200);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 6; }));
  // Removed (null): the campaign shows neither.
  auto cleared = api_call(daemon, "PATCH", "/v1/campaigns/" + id,
                          json{{"max_calls_per_number_per_day", nullptr}, {"number_rest", nullptr}}.dump());
  REQUIRE(cleared.status == 200);
  CHECK(cleared.body["data"]["max_calls_per_number_per_day"].is_null());
  CHECK(cleared.body["data"]["number_rest"].is_null());
}

TEST_CASE("a contact uploaded again while its call is out gets no second call until the first ends") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  // No outcome comes back at first: the three calls stay in progress.
  auto id = create_campaign(daemon, campaign(3, 100));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
  auto again = api_post(daemon, "/v1/campaigns/" + id + "/contacts", contacts(3));
  INFO(again.raw);
  REQUIRE(again.status == 200);
  REQUIRE(again.body["data"]["added"] == 3);  // new pending calls: the others are not pending
  auto call = http_get(daemon.url("/v1/calls/" + again.body["data"]["call_ids"][0].get<std::string>()));
  REQUIRE(wait_until([&] {
    call = http_get(daemon.url("/v1/calls/" + again.body["data"]["call_ids"][0].get<std::string>()));
    return call.body["data"]["last_error"].is_string();
  }));
  CHECK_THAT(call.body["data"]["last_error"].get<std::string>(), Catch::Contains("to this contact is out"));
  CHECK(call.body["data"]["state"] == "pending");
  CHECK(fake.tasks_received() == 3);
  CHECK(fake.received_numbers() ==
        std::map<std::string, int>{{nanp_phone(0), 1}, {nanp_phone(1), 1}, {nanp_phone(2), 1}});
}
