// The real dialerd against a strict fake of addCallsToBatch (addCallsToBatch) on loopback.
#include <catch2/catch.hpp>
#include <set>

#include "fakes/fake_addcalls.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

const char* kBatch = "64e5f12345abcdef98765432";

json config_for(const FakeAddCalls& fake, json extra = json::object()) {
  json provider = fake.provider_config();  // its batch_id is kBatch unless the test names another
  provider.update({{"timeout_ms", 5000},
                   // Records of a failed chunk come back after a second, so the test need not wait longer.
                   {"addcalls", {{"failed_chunk_wait_seconds", 1}}}});
  provider.update(extra);
  return {{"providers", {{"addcalls", provider}}}};
}

std::string phone(int i) {
  return nanp_phone(i, "212", 5000000);
}

json campaign(int n, int concurrency, json extra = json::object()) {
  json contacts = json::array();
  for (int i = 0; i < n; ++i)
    contacts.push_back({{"phone_number", phone(i)},
                        {"name", "Sarah " + std::to_string(i)},
                        {"account_id", "ACC-" + std::to_string(i)}});
  json c = {{"name", "Support follow-up"},   {"agent_id", "agent_1"},      {"provider", "addcalls"},
            {"from_number", "+14157774444"}, {"concurrency", concurrency}, {"contacts", std::move(contacts)}};
  c.update(extra);
  return c;
}

}  // namespace

TEST_CASE("addcalls: every contact is added exactly once in requests of at most 1000 despite failed chunks and 503") {
  TempDir dir;
  FakeAddCalls fake;
  fake.require_variables({"account_id"});
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/addcalls/events"), [](const std::string&, int) { return "completed"; });
  // Certainly not placed: a 503 turns the first request away; the next two fail their chunk (207).
  fake.inject(503, 1, "1");
  fake.fail_chunks(2);

  const int n = 2500;
  auto id = create_campaign(daemon, campaign(n, 5000));
  bool done = wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; });
  INFO(daemon.log());
  REQUIRE(done);

  CHECK(fake.violations().empty());
  auto requests = fake.requests();
  int partial = 0;
  for (const auto& r : requests) {
    CHECK(r.body["batchId"] == kBatch);
    CHECK(r.body["call_data"].size() <= 1000);
    partial += r.http_status == 207;
    for (const auto& rec : r.body["call_data"]) {
      auto i = std::stoi(rec["phoneNumber"].get<std::string>().substr(4)) - 5000000;
      CHECK(rec["phoneNumber"] == phone(i).substr(1));
      CHECK(rec["account_id"] == "ACC-" + std::to_string(i));
      CHECK(rec["name"] == "Sarah " + std::to_string(i));
    }
  }
  CHECK(partial == 2);
  auto seen = fake.received_numbers();
  REQUIRE(seen.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) CHECK(seen[phone(i).substr(1)] == 1);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["completed"] == n);
  CHECK(c["called"] == n);
  CHECK(c["failed"] == 0);
  CHECK(c["held"] == 0);
  CHECK(wait_until([&] { return fake.reported() == static_cast<std::size_t>(n); }));
}

TEST_CASE("addcalls: the campaign's batch_id wins - a campaign without any batch id is refused at creation") {
  TempDir dir;
  FakeAddCalls fake("test-key", "campaign-batch-1");
  auto config = config_for(fake);
  config["providers"]["addcalls"].erase("batch_id");
  DaemonProcess daemon(dir, config);
  fake.report_to(daemon.url("/v1/providers/addcalls/events"), [](const std::string&, int) { return "busy"; });

  auto none = http_post(daemon.url("/v1/campaigns"), campaign(1, 1).dump());
  CHECK(none.status == 400);
  CHECK(none.body["error"]["field"] == "batch_id");
  auto empty = http_post(daemon.url("/v1/campaigns"), campaign(1, 1, {{"batch_id", ""}}).dump());
  CHECK(empty.status == 400);
  CHECK(empty.body["error"]["field"] == "batch_id");
  auto both = http_post(daemon.url("/v1/campaigns"), campaign(1, 1, {{"batch_id", "a"}, {"batchId", "b"}}).dump());
  CHECK(both.status == 400);
  CHECK(both.body["error"]["field"] == "batchId");
  auto numbers =
      http_post(daemon.url("/v1/campaigns"), campaign(1, 1, {{"batch_id", "a"}, {"phone_number_ids", {"n"}}}).dump());
  CHECK(numbers.status == 400);
  CHECK(numbers.body["error"]["field"] == "phone_number_ids");
  CHECK_THAT(numbers.body["error"]["message"].get<std::string>(),
             Catch::Contains("only used by providers of kind truedy"));

  auto id = create_campaign(daemon, campaign(3, 10, {{"batchId", "campaign-batch-1"}, {"retry_attempts", 0}}));
  CHECK(campaign_of(daemon, id)["batch_id"] == "campaign-batch-1");
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].body["batchId"] == "campaign-batch-1");
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["failed"] == 3);  // busy, and no retries left
  CHECK(c["called"] == 3);
}

TEST_CASE("addcalls: a dropped connection after sending holds the calls and never re-adds them") {
  TempDir dir;
  FakeAddCalls fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.inject_drop(1);
  auto id = create_campaign(daemon, campaign(6, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 6; }));
  fake.report_to(daemon.url("/v1/providers/addcalls/events"), [](const std::string&, int) { return "completed"; });
  auto later =
      create_campaign(daemon, campaign(0, 1, {{"contacts", json::array({{{"phone_number", "+12125550199"}}})}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, later)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  CHECK(fake.calls_added() == 1);
  CHECK(campaign_of(daemon, id)["counts"]["held"] == 6);
}

TEST_CASE("addcalls: a 500 is retried with backoff as the API asks - unless the operator says it may have placed") {
  TempDir dir;
  FakeAddCalls fake;
  SECTION("the kind's contract: a 500 took nothing, the records are added again") {
    DaemonProcess daemon(dir, config_for(fake, {{"backoff", {{"min_ms", 50}, {"max_ms", 200}}}}));
    fake.report_to(daemon.url("/v1/providers/addcalls/events"), [](const std::string&, int) { return "completed"; });
    fake.inject(500, 2);
    auto id = create_campaign(daemon, campaign(6, 10));
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
    CHECK(fake.violations().empty());
    CHECK(fake.calls_added() == 6);
    for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 1);
    auto c = campaign_of(daemon, id)["counts"];
    CHECK(c["completed"] == 6);
    CHECK(c["held"] == 0);
  }
  SECTION("server_errors_place_nothing: false - the calls are held and never re-added") {
    DaemonProcess daemon(dir, config_for(fake, {{"server_errors_place_nothing", false}}));
    fake.inject(500, 1);
    auto id = create_campaign(daemon, campaign(6, 10));
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 6; }));
    CHECK(fake.calls_added() == 0);
    CHECK(fake.violations().empty());
  }
}
