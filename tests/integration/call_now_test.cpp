// One call now: POST /v1/calls and /v1/calls/bulk (as Veritus offers them), and GET /v1/campaigns/{id}/calls.
#include <catch2/catch.hpp>

#include <set>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
std::string phone(int i) {
  return nanp_phone(i, "415", 3000000);
}
std::string create(const DaemonProcess& d, json extra) {
  json c = {{"name", "now"},
            {"agent_id", "agent_1"},
            {"provider", "acme"},
            {"from_number", "+14157774444"},
            {"concurrency", 100}};
  c.update(extra);
  return create_campaign(d, c);
}
json config_for(const FakeBatchCall& fake, int contact_cap = 4) {
  return {{"compliance",
           {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}, {"contact_daily_cap", contact_cap}}},
          {"providers", {{"acme", fake.provider_config()}}}};
}
std::set<std::string> ids_of(const json& checks) {
  std::set<std::string> out;
  for (const auto& c : checks) out.insert(c["id"].get<std::string>());
  return out;
}
}  // namespace

TEST_CASE("call now: a compliant call goes out at once and a refused one leaves no trace") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, 1));
  auto id = create(daemon, {{"required_variables", {"account"}}});
  auto other = create(daemon, json::object());

  auto r = api_post(daemon, "/v1/calls",
                    {{"campaign_id", id}, {"contact", {{"phone_number", "(415) 300-0001"}, {"account", "A1"}}}});
  INFO(r.raw);
  REQUIRE(r.status == 201);
  const auto& call = r.body["data"];
  CHECK(call["phone_number"] == phone(1));
  CHECK(call["state"] == "dispatching");
  CHECK(call["from_number"] == "+14157774444");
  CHECK(call["compliance"]["passed"] == true);
  CHECK(call["compliance"]["checks_failed"].empty());
  CHECK(ids_of(call["compliance"]["checks_passed"]).count("cease-and-desist-exclusion") == 1);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  CHECK(fake.batches().at(0).body["tasks"][0]["to_number"] == phone(1));
  CHECK(fake.batches().at(0).body["tasks"][0]["dynamic_variables"]["account"] == "A1");
  auto call_id = call["id"].get<std::string>();
  REQUIRE(
      wait_until([&] { return http_get(daemon.url("/v1/calls/" + call_id)).body["data"]["state"] == "in_progress"; }));
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 1);

  // The same contact again in the same campaign: its call is out, so 409 naming that call.
  auto again = api_post(daemon, "/v1/calls",
                        {{"campaign_id", id}, {"contact", {{"phone_number", phone(1)}, {"account", "A1"}}}});
  CHECK(again.status == 409);
  CHECK(again.body["error"]["code"] == "call_in_flight");
  CHECK(again.body["error"]["call_id"] == call_id);

  // In another campaign: the per-contact cap (1 a day, all campaigns) refuses it with the failed check.
  auto capped =
      api_post(daemon, "/v1/calls", {{"campaign_id", std::stoll(other)}, {"contact", {{"phone_number", phone(1)}}}});
  INFO(capped.raw);
  CHECK(capped.status == 422);
  CHECK(capped.body["error"]["code"] == "not_eligible");
  CHECK(ids_of(capped.body["error"]["compliance"]["checks_failed"]) == std::set<std::string>{"contact-daily-cap"});
  CHECK(capped.body["error"]["message"].get<std::string>().find("Contact Daily Limit") != std::string::npos);

  // A suppressed number: refused, and nothing is stored: no call, no new contact.
  REQUIRE(api_post(daemon, "/v1/suppressions", {{"phone_number", phone(2)}, {"reason", "cease and desist"}}).status ==
          201);
  auto suppressed = api_post(daemon, "/v1/calls", {{"campaign_id", other}, {"contact", {{"phone_number", phone(2)}}}});
  CHECK(suppressed.status == 422);
  CHECK(ids_of(suppressed.body["error"]["compliance"]["checks_failed"]).count("cease-and-desist-exclusion") == 1);
  auto unknown_contact =
      api_post(daemon, "/v1/calls",
               {{"campaign_id", other}, {"contact", {{"phone_number", phone(3)}, {"timezone", "Mars/Base"}}}});
  CHECK(unknown_contact.status == 400);
  CHECK(unknown_contact.body["error"]["field"] == "contact.timezone");
  CHECK(campaign_of(daemon, other)["counts"]["total"] == 0);
  CHECK(http_get(daemon.url("/v1/contacts/" + phone(2))).status == 404);

  // Request errors name what is wrong.
  auto missing_var = api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(4)}}}});
  CHECK(missing_var.status == 400);
  CHECK(missing_var.body["error"]["field"] == "contact.account");
  CHECK(api_post(daemon, "/v1/calls", {{"contact", {{"phone_number", phone(4)}}}}).body["error"]["field"] ==
        "campaign_id");
  CHECK(api_post(daemon, "/v1/calls", {{"campaign_id", id}}).body["error"]["field"] == "contact");
  CHECK(api_post(daemon, "/v1/calls", {{"campaign_id", id}, {"contact", {{"phone_number", phone(4)}}}, {"x", 1}})
            .body["error"]["field"] == "x");
  CHECK(api_post(daemon, "/v1/calls", {{"campaign_id", "999"}, {"contact", {{"phone_number", phone(4)}}}}).status ==
        404);
  CHECK(api_post(daemon, "/v1/calls", {{"campaign_id", true}, {"contact", {{"phone_number", phone(4)}}}}).status ==
        400);
  auto draft = create(daemon, {{"status", "draft"}});
  auto not_running = api_post(daemon, "/v1/calls", {{"campaign_id", draft}, {"contact", {{"phone_number", phone(4)}}}});
  CHECK(not_running.status == 409);
  CHECK(not_running.body["error"]["code"] == "campaign_not_running");
  CHECK(fake.tasks_received() == 1);
  CHECK(fake.violations().empty());
}

TEST_CASE("call now in bulk: per-record results with a summary and the campaign's concurrency respected") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  auto id = create(daemon, {{"concurrency", 3}, {"status", "draft"}});
  REQUIRE(api_post(daemon, "/v1/suppressions", {{"phone_number", phone(13)}, {"reason", "do not call"}}).status == 201);
  REQUIRE(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 200);

  json contacts = json::array({{{"phone_number", phone(10)}, {"account", "A10"}},
                               {{"phoneNumber", phone(11)}},
                               {{"phone_number", "12"}},
                               {{"phone_number", phone(13)}},
                               {{"to_number", phone(14)}},
                               {{"phone_number", phone(15)}}});
  auto r = api_post(daemon, "/v1/calls/bulk", {{"campaign_id", id}, {"contacts", contacts}});
  INFO(r.raw);
  REQUIRE(r.status == 200);
  const auto& data = r.body["data"];
  CHECK(data["summary"] == json{{"total", 6}, {"successful", 3}, {"failed", 3}});
  const auto& res = data["results"];
  REQUIRE(res.size() == 6);
  CHECK(res[0]["success"] == true);
  CHECK(res[1]["success"] == true);
  CHECK(res[2]["success"] == false);
  CHECK(res[2]["error"]["field"] == "contacts[2].phone_number");
  CHECK(res[3]["success"] == false);
  CHECK(ids_of(res[3]["error"]["compliance"]["checks_failed"]) == std::set<std::string>{"cease-and-desist-exclusion"});
  CHECK(res[4]["success"] == true);
  // The fourth good record finds the campaign's 3 slots taken by this very request.
  CHECK(res[5]["success"] == false);
  CHECK(ids_of(res[5]["error"]["compliance"]["checks_failed"]) == std::set<std::string>{"campaign-concurrency"});
  CHECK(res[5]["error"]["code"] == "not_eligible");

  // The three placed calls went out in one chunk, once each.
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
  CHECK(fake.batches().size() == 1);
  auto numbers = fake.received_numbers();
  CHECK(numbers == std::map<std::string, int>{{phone(10), 1}, {phone(11), 1}, {phone(14), 1}});
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 3);

  // Request limits (Veritus): 1..100 unique contacts.
  CHECK(api_post(daemon, "/v1/calls/bulk", {{"campaign_id", id}, {"contacts", json::array()}}).status == 400);
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"phone_number", phone(100 + i)}});
  auto too_many = api_post(daemon, "/v1/calls/bulk", {{"campaign_id", id}, {"contacts", many}});
  CHECK(too_many.status == 400);
  CHECK(too_many.body["error"]["field"] == "contacts");
  auto dup = api_post(
      daemon, "/v1/calls/bulk",
      {{"campaign_id", id}, {"contacts", {{{"phone_number", phone(20)}}, {{"phone_number", "(415) 300-0020"}}}}});
  CHECK(dup.status == 400);
  CHECK(dup.body["error"]["code"] == "duplicate_contact");
  CHECK(dup.body["error"]["field"] == "contacts[1].phone_number");
  CHECK(campaign_of(daemon, id)["counts"]["total"] == 3);
}

TEST_CASE("campaign calls listing: state filter and cursor pages that cover every call once") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  json contacts = json::array();
  for (int i = 0; i < 7; ++i) contacts.push_back({{"phone_number", phone(40 + i)}});
  auto id = create(daemon, {{"status", "draft"}, {"contacts", contacts}});

  for (std::string filter : {"", "&state=pending"}) {
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    while (true) {
      auto r = http_get(
          daemon.url("/v1/campaigns/" + id + "/calls?limit=3" + filter + (cursor.empty() ? "" : "&cursor=" + cursor)));
      INFO(r.raw);
      REQUIRE(r.status == 200);
      ++pages;
      for (const auto& c : r.body["data"]["items"]) {
        CHECK(c["state"] == "pending");
        CHECK(seen.insert(c["id"].get<std::string>()).second);
      }
      if (r.body["data"]["next_cursor"].is_null()) break;
      cursor = r.body["data"]["next_cursor"].get<std::string>();
    }
    CHECK(pages == 3);
    CHECK(seen.size() == 7);
  }
  auto none = http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=completed"));
  CHECK(none.status == 200);
  CHECK(none.body["data"]["items"].empty());
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=done")).body["error"]["field"] == "state");
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?limit=0")).body["error"]["field"] == "limit");
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?cursor=abc")).body["error"]["field"] == "cursor");
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=pending&cursor=12")).status == 400);
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=pending&cursor=completed.1.1"))
            .body["error"]["field"] == "cursor");
  CHECK(http_get(daemon.url("/v1/campaigns/" + id + "/calls?cursor=pending.1.x")).status == 400);
  CHECK(http_get(daemon.url("/v1/campaigns/999/calls")).status == 404);
}
