// The contact book through the real daemon: records with ids (POST/GET/PATCH/DELETE /v1/contacts), lists
// and their members (/v1/lists), campaigns and calls made from records, and workspace isolation on each.
#include <catch2/catch.hpp>

#include <set>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
std::string phone(int i) {
  return nanp_phone(i, "415", 5000000);
}
json sim_config() {
  return {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
          {"providers", {{"sim", {{"kind", "simulator"}}}}}};
}
HttpResult post(const DaemonProcess& d, const std::string& path, const json& body) {
  return api_call(d, "POST", path, body.dump());
}
std::string new_list(const DaemonProcess& d, const std::string& name) {
  auto r = post(d, "/v1/lists", {{"name", name}});
  INFO(r.raw);
  REQUIRE(r.status == 201);
  return r.body["data"]["id"].get<std::string>();
}
// Uploads records (all must go in) and returns their ids in order.
std::vector<std::string> upload(const DaemonProcess& d, const json& records, const std::string& list = "") {
  json body = {{"contacts", records}};
  if (!list.empty()) body["list_id"] = list;
  auto r = post(d, "/v1/contacts", body);
  INFO(r.raw);
  REQUIRE(r.status == 200);
  std::vector<std::string> ids;
  for (const auto& c : r.body["data"]["contacts"]) ids.push_back(c["id"].get<std::string>());
  return ids;
}
json draft_campaign(json extra) {
  json c = {{"name", "from records"},
            {"agent_id", "agent_1"},
            {"provider", "sim"},
            {"status", "draft"},
            {"from_number", "+14155550100"}};
  c.update(extra);
  return c;
}
std::set<std::string> call_numbers(const DaemonProcess& d, const std::string& campaign) {
  std::set<std::string> out;
  auto r = api_call(d, "GET", "/v1/campaigns/" + campaign + "/calls?limit=500");
  for (const auto& c : r.body["data"]["items"]) out.insert(c["phone_number"].get<std::string>());
  return out;
}
}  // namespace

TEST_CASE("contacts: records get ids - are upserted by external id or number - and are listed with a cursor") {
  TempDir dir;
  DaemonProcess daemon(dir, sim_config());
  auto first =
      post(daemon, "/v1/contacts",
           json::array({{{"phone_number", phone(1)}, {"first_name", "Ann"}, {"external_id", "cus-1"}, {"plan", "gold"}},
                        {{"phone_number", phone(2)}, {"timezone", "America/Chicago"}},
                        {{"phone_number", "(415) 500-0003"}, {"active", false}}}));
  INFO(first.raw);
  REQUIRE(first.status == 200);
  CHECK(first.body["data"]["created"] == 3);
  const auto& made = first.body["data"]["contacts"];
  REQUIRE(made.size() == 3);
  std::string ann = made[0]["id"];
  CHECK(ann.rfind("ctc_", 0) == 0);
  CHECK(made[2]["phone_number"] == phone(3));

  auto got = api_call(daemon, "GET", "/v1/contacts/" + ann);
  REQUIRE(got.status == 200);
  CHECK(got.body["data"]["external_id"] == "cus-1");
  CHECK(got.body["data"]["variables"] == json{{"plan", "gold"}});
  CHECK(got.body["data"]["calls"].empty());
  // The same record by number and by external id.
  CHECK(api_call(daemon, "GET", "/v1/contacts/%2B" + phone(1).substr(1)).body["data"]["id"] == ann);
  CHECK(api_call(daemon, "GET", "/v1/contacts/by-external-id/cus-1").body["data"]["id"] == ann);

  // The external id names the record: a new number moves it; fields left out keep their value.
  auto moved = post(daemon, "/v1/contacts", json::array({{{"phone_number", phone(4)}, {"external_id", "cus-1"}}}));
  INFO(moved.raw);
  REQUIRE(moved.status == 200);
  CHECK(moved.body["data"]["updated"] == 1);
  CHECK(moved.body["data"]["contacts"][0]["id"] == ann);
  got = api_call(daemon, "GET", "/v1/contacts/" + ann);
  CHECK(got.body["data"]["phone_number"] == phone(4));
  CHECK(got.body["data"]["first_name"] == "Ann");
  CHECK(api_call(daemon, "GET", "/v1/contacts/%2B" + phone(1).substr(1)).status == 404);

  // CSV: one row updates by number, one is new; bad rows are reported one by one and the rest go in.
  std::string csv = "phone_number,first_name,external_id,active,plan\n" + phone(2) + ",Bo,cus-2,yes,silver\n" +
                    phone(5) + ",Cy,,false,\n" + "not-a-number,Dee,,,\n" + phone(6) + ",Ed,,maybe,\n" + phone(4) +
                    ",Fay,cus-9,,\n";
  auto mixed = api_call(daemon, "POST", "/v1/contacts", csv, "text/csv");
  INFO(mixed.raw);
  REQUIRE(mixed.status == 207);
  CHECK(mixed.body["data"]["created"] == 1);
  CHECK(mixed.body["data"]["updated"] == 1);
  const auto& errors = mixed.body["data"]["errors"];
  REQUIRE(errors.size() == 3);
  CHECK(errors[0]["field"] == "contacts[2].phone_number");
  CHECK(errors[1]["field"] == "contacts[3].active");
  // phone(4) is Ann's (external id cus-1): the record cannot take another external id by its number.
  CHECK(errors[2]["code"] == "duplicate_external_id");
  CHECK(errors[2]["field"] == "contacts[4].external_id");
  CHECK_THAT(errors[2]["message"].get<std::string>(), Catch::Contains("cus-9") && Catch::Contains(ann));
  auto bo = api_call(daemon, "GET", "/v1/contacts/by-external-id/cus-2");
  CHECK(bo.body["data"]["first_name"] == "Bo");
  CHECK(bo.body["data"]["timezone"] == "America/Chicago");  // kept: the row left it out
  CHECK(bo.body["data"]["variables"] == json{{"plan", "silver"}});

  // null is left out, as an empty CSV cell: the record keeps what it has.
  auto nulls = post(daemon, "/v1/contacts",
                    json::array({{{"phone_number", phone(2)},
                                  {"first_name", nullptr},
                                  {"timezone", nullptr},
                                  {"external_id", nullptr},
                                  {"active", nullptr},
                                  {"variables", nullptr}}}));
  INFO(nulls.raw);
  REQUIRE(nulls.status == 200);
  bo = api_call(daemon, "GET", "/v1/contacts/by-external-id/cus-2");
  CHECK(bo.body["data"]["first_name"] == "Bo");
  CHECK(bo.body["data"]["timezone"] == "America/Chicago");
  CHECK(bo.body["data"]["active"] == true);
  CHECK(bo.body["data"]["variables"] == json{{"plan", "silver"}});
  // An external id a path cannot carry is found by the query.
  REQUIRE(api_call(daemon, "PATCH", "/v1/contacts/" + bo.body["data"]["id"].get<std::string>(),
                   R"({"external_id": "acct/7"})")
              .status == 200);
  auto slash = api_call(daemon, "GET", "/v1/contacts?external_id=acct%2F7").body["data"]["items"];
  REQUIRE(slash.size() == 1);
  CHECK(slash[0]["phone_number"] == phone(2));
  CHECK(api_call(daemon, "GET", "/v1/contacts?external_id=x&limit=2").body["error"]["field"] == "external_id");

  // Nothing valid: 400 naming the first field, with every record's error.
  auto none = post(daemon, "/v1/contacts", {{"contacts", {{{"phone_number", "12"}}, {{"max_retries", 2}}}}});
  CHECK(none.status == 400);
  CHECK(none.body["error"]["code"] == "invalid_records");
  CHECK(none.body["errors"].size() == 2);
  CHECK(post(daemon, "/v1/contacts", {{"contacts", json::array()}}).status == 400);
  CHECK(post(daemon, "/v1/contacts", {{"contacts", json::array({{{"phone_number", phone(9)}}})}, {"list_id", "lst_77"}})
            .body["error"]["field"] == "list_id");

  // Pages in id order; the cursor walks all four records, and the active filter narrows them.
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto r = api_call(daemon, "GET", "/v1/contacts?limit=2" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(r.status == 200);
    for (const auto& c : r.body["data"]["items"]) seen.push_back(c["id"]);
    if (r.body["data"]["next_after"].is_null()) break;
    after = r.body["data"]["next_after"];
  }
  CHECK(seen.size() == 4);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 4);
  CHECK(api_call(daemon, "GET", "/v1/contacts?active=false").body["data"]["items"].size() == 2);
  CHECK(api_call(daemon, "GET", "/v1/contacts?limit=0").body["error"]["field"] == "limit");
  CHECK(api_call(daemon, "GET", "/v1/contacts?after=7").body["error"]["field"] == "after");
  CHECK(api_call(daemon, "GET", "/v1/contacts?colour=red").body["error"]["field"] == "colour");

  // PATCH: variables replaced whole, external id set; another record's external id is a 409.
  auto patched = api_call(daemon, "PATCH", "/v1/contacts/" + ann,
                          json{{"variables", {{"plan", "platinum"}}}, {"last_name", "Lee"}}.dump());
  INFO(patched.raw);
  CHECK(patched.status == 200);
  CHECK(patched.body["data"]["variables"] == json{{"plan", "platinum"}});
  CHECK(patched.body["data"]["last_name"] == "Lee");
  auto taken = api_call(daemon, "PATCH", "/v1/contacts/" + ann, R"({"external_id": "acct/7"})");
  CHECK(taken.status == 409);
  CHECK(taken.body["error"]["code"] == "duplicate_external_id");
  CHECK(taken.body["error"]["field"] == "external_id");
  CHECK(api_call(daemon, "GET", "/v1/contacts/by-external-id/cus-1").body["data"]["id"] == ann);
  CHECK(api_call(daemon, "GET", "/v1/contacts/ctc_999").status == 404);
  CHECK(api_call(daemon, "PATCH", "/v1/contacts/ctc_999", R"({"active": true})").status == 404);
}

TEST_CASE("contacts: DELETE waits for a call out - keeps the history - and a new upload brings a clean record back") {
  TempDir dir;
  FakeBatchCall fake;
  json config = sim_config();
  config["providers"] = {{"acme", fake.provider_config()}};
  DaemonProcess daemon(dir, config);
  auto ids = upload(daemon, json::array({{{"phone_number", phone(11)}, {"first_name", "Ann"}, {"external_id", "x-11"}},
                                         {{"phone_number", phone(12)}, {"first_name", "Bo"}}}));
  auto campaign = create_campaign(daemon, {{"name", "c"},
                                           {"agent_id", "agent_1"},
                                           {"provider", "acme"},
                                           {"from_number", "+14155550100"},
                                           {"concurrency", 10},
                                           {"complete_when_done", false}});
  // Ann's call goes out now (it stays in progress: the fake reports nothing).
  auto placed = post(daemon, "/v1/calls", {{"campaign_id", campaign}, {"contact_id", ids[0]}});
  INFO(placed.raw);
  REQUIRE(placed.status == 201);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  auto refused = api_call(daemon, "DELETE", "/v1/contacts/" + ids[0]);
  CHECK(refused.status == 409);
  CHECK(refused.body["error"]["code"] == "call_in_flight");

  // Bo has a pending call in a draft campaign: deleting skips it, and the call stays with its history.
  auto draft = create_campaign(daemon, draft_campaign({{"provider", "acme"}, {"contact_ids", {ids[1]}}}));
  auto calls = api_call(daemon, "GET", "/v1/campaigns/" + draft + "/calls").body["data"]["items"];
  REQUIRE(calls.size() == 1);
  std::string bo_call = calls[0]["id"];
  auto deleted = api_call(daemon, "DELETE", "/v1/contacts/" + ids[1]);
  INFO(deleted.raw);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["data"]["deleted"] == true);
  auto call = api_call(daemon, "GET", "/v1/calls/" + bo_call).body["data"];
  CHECK(call["state"] == "skipped");
  CHECK(call["last_error"] == "contact deleted");
  CHECK(call["phone_number"] == phone(12));
  CHECK(campaign_of(daemon, draft)["counts"]["skipped"] == 1);
  CHECK(api_call(daemon, "GET", "/v1/contacts/" + ids[1]).status == 404);
  CHECK(api_call(daemon, "DELETE", "/v1/contacts/" + ids[1]).status == 404);
  CHECK(api_call(daemon, "GET", "/v1/contacts").body["data"]["items"].size() == 1);

  // The number uploaded again: a new record (same id), nothing of the old one's fields.
  auto back = post(daemon, "/v1/contacts", json::array({{{"phone_number", phone(12)}}}));
  REQUIRE(back.status == 200);
  CHECK(back.body["data"]["contacts"][0]["result"] == "created");
  CHECK(back.body["data"]["contacts"][0]["id"] == ids[1]);
  auto fresh = api_call(daemon, "GET", "/v1/contacts/" + ids[1]).body["data"];
  CHECK(fresh["first_name"].is_null());
  CHECK(fresh["active"] == true);
  CHECK(fresh["calls"].size() == 1);  // its history is the number's in this workspace
}

TEST_CASE("lists: members by contact id - customer id and rows - with counts - and unique names") {
  TempDir dir;
  DaemonProcess daemon(dir, sim_config());
  auto list = new_list(daemon, "week 1");
  CHECK(list.rfind("lst_", 0) == 0);
  auto dup = post(daemon, "/v1/lists", {{"name", "week 1"}});
  CHECK(dup.status == 409);
  CHECK(dup.body["error"]["code"] == "duplicate_name");
  CHECK(post(daemon, "/v1/lists", {{"name", ""}}).body["error"]["field"] == "name");

  auto ids = upload(daemon, json::array({{{"phone_number", phone(21)}, {"external_id", "c21"}},
                                         {{"phone_number", phone(22)}, {"active", false}},
                                         {{"phone_number", phone(23)}}}));
  auto added = post(daemon, "/v1/lists/" + list + "/members", {{"contact_ids", {ids[1]}}, {"customer_ids", {"c21"}}});
  INFO(added.raw);
  REQUIRE(added.status == 200);
  CHECK(added.body["data"]["added"] == 2);
  auto again = post(daemon, "/v1/lists/" + list + "/members", {{"contact_ids", {ids[0]}}});
  CHECK(again.body["data"]["already_members"] == 1);
  // An unknown id adds nothing and names itself.
  auto unknown = post(daemon, "/v1/lists/" + list + "/members", {{"contact_ids", {ids[2], "ctc_9999"}}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["code"] == "unknown_contact");
  CHECK(unknown.body["error"]["field"] == "contact_ids[1]");
  CHECK_THAT(unknown.body["error"]["message"].get<std::string>(), Catch::Contains("ctc_9999"));
  CHECK(post(daemon, "/v1/lists/" + list + "/members", {{"customer_ids", {"nope"}}}).body["error"]["field"] ==
        "customer_ids[0]");
  // Rows are upserted as contacts and added.
  auto rows = api_call(daemon, "POST", "/v1/lists/" + list + "/members",
                       "phone_number,first_name\n" + phone(23) + ",Cy\n" + phone(24) + ",Di\n", "text/csv");
  INFO(rows.raw);
  REQUIRE(rows.status == 200);
  CHECK(rows.body["data"]["created"] == 1);
  CHECK(rows.body["data"]["updated"] == 1);

  auto shown = api_call(daemon, "GET", "/v1/lists/" + list).body["data"];
  CHECK(shown["members"] == 4);
  CHECK(shown["active_members"] == 3);
  auto members = api_call(daemon, "GET", "/v1/lists/" + list + "/members?limit=3");
  CHECK(members.body["data"]["items"].size() == 3);
  CHECK_FALSE(members.body["data"]["next_after"].is_null());
  CHECK(api_call(daemon, "GET", "/v1/contacts?list_id=" + list + "&active=false").body["data"]["items"].size() == 1);
  CHECK(api_call(daemon, "GET", "/v1/lists/" + list + "/members?list_id=" + list).body["error"]["field"] == "list_id");

  auto removed = post(daemon, "/v1/lists/" + list + "/members/remove", {{"contact_ids", {ids[0], ids[1]}}});
  CHECK(removed.body["data"]["removed"] == 2);
  CHECK(api_call(daemon, "GET", "/v1/lists/" + list).body["data"]["members"] == 2);
  CHECK(api_call(daemon, "GET", "/v1/contacts/" + ids[0]).status == 200);  // the contact stays

  auto renamed = api_call(daemon, "PATCH", "/v1/lists/" + list, R"({"name": "week 2", "description": "reminders"})");
  CHECK(renamed.body["data"]["name"] == "week 2");
  new_list(daemon, "other");
  CHECK(api_call(daemon, "PATCH", "/v1/lists/" + list, R"({"name": "other"})").status == 409);
  auto page = api_call(daemon, "GET", "/v1/lists?limit=1").body["data"];
  CHECK(page["items"].size() == 1);
  CHECK(page["next_after"] == list);
  CHECK(api_call(daemon, "DELETE", "/v1/lists/" + list).status == 200);
  CHECK(api_call(daemon, "GET", "/v1/lists/" + list).status == 404);
  CHECK(api_call(daemon, "GET", "/v1/contacts/" + ids[2]).status == 200);
}

TEST_CASE("campaigns from records: lists and contact ids make one call per number - followers get later members") {
  TempDir dir;
  DaemonProcess daemon(dir, sim_config());
  auto list = new_list(daemon, "leads");
  auto ids = upload(daemon,
                    json::array({{{"phone_number", phone(31)}, {"first_name", "Ann"}, {"account", "A1"}},
                                 {{"phone_number", phone(32)}, {"account", "A2"}},
                                 {{"phone_number", phone(33)}, {"account", "A3"}, {"timezone", "America/New_York"}}}),
                    list);
  auto extra = upload(daemon, json::array({{{"phone_number", phone(34)}, {"account", "A4"}}}));

  // Bad sources name the field and the value.
  auto bad_list =
      post(daemon, "/v1/campaigns", draft_campaign({{"contact_source", "folder"}, {"contact_folder_id", "lst_404"}}));
  CHECK(bad_list.status == 400);
  CHECK(bad_list.body["error"]["code"] == "unknown_list");
  CHECK(bad_list.body["error"]["field"] == "contact_folder_id");
  CHECK_THAT(bad_list.body["error"]["message"].get<std::string>(), Catch::Contains("lst_404"));
  CHECK(post(daemon, "/v1/campaigns", draft_campaign({{"contact_source", "manual"}})).body["error"]["field"] ==
        "contact_ids");
  CHECK(post(daemon, "/v1/campaigns", draft_campaign({{"contact_source", "paper"}})).body["error"]["field"] ==
        "contact_source");
  CHECK(post(daemon, "/v1/campaigns", draft_campaign({{"contact_ids", {"ctc_777"}}})).body["error"]["field"] ==
        "contact_ids[0]");
  CHECK(post(daemon, "/v1/campaigns", draft_campaign({{"follow_lists", true}})).body["error"]["field"] ==
        "follow_lists");
  auto lacking = post(daemon, "/v1/campaigns",
                      draft_campaign({{"contact_folder_id", list}, {"required_variables", {"first_name"}}}));
  CHECK(lacking.status == 400);
  CHECK(lacking.body["error"]["field"] == "contact_folder_id");
  CHECK_THAT(lacking.body["error"]["message"].get<std::string>(), Catch::Contains(ids[1]));

  // The list, a contact id already in it, another record and an inline row of a listed number: one call each.
  auto campaign =
      create_campaign(daemon, draft_campaign({{"contact_source", "folder"},
                                              {"contact_folder_id", {list}},
                                              {"contact_ids", {ids[0], extra[0]}},
                                              {"contacts", {{{"phone_number", phone(32)}, {"account", "inline"}}}}}));
  auto c = campaign_of(daemon, campaign);
  CHECK(c["counts"]["total"] == 4);
  CHECK(c["contact_source"] == "folder");
  CHECK(c["contact_folder_ids"] == json::array({list}));
  CHECK(c["follow_lists"] == false);
  CHECK(call_numbers(daemon, campaign) == std::set<std::string>{phone(31), phone(32), phone(33), phone(34)});
  auto calls = api_call(daemon, "GET", "/v1/campaigns/" + campaign + "/calls").body["data"]["items"];
  for (const auto& k : calls) {
    auto call = api_call(daemon, "GET", "/v1/calls/" + k["id"].get<std::string>()).body["data"];
    if (call["phone_number"] == phone(31)) {
      CHECK(call["variables"]["account"] == "A1");
      CHECK(call["variables"]["first_name"] == "Ann");
    }
  }

  // A follower: members added later become its calls while it has not ended; the list cannot go meanwhile.
  auto follower = create_campaign(
      daemon, draft_campaign({{"contact_folder_id", list}, {"follow_lists", true}, {"complete_when_done", false}}));
  CHECK(campaign_of(daemon, follower)["counts"]["total"] == 3);
  auto joined = post(daemon, "/v1/lists/" + list + "/members", {{"contact_ids", {extra[0]}}});
  INFO(joined.raw);
  CHECK(joined.body["data"]["calls_added"] == 1);
  CHECK(joined.body["data"]["calls_not_added"] == 0);
  upload(daemon, json::array({{{"phone_number", phone(35)}, {"account", "A5"}}}), list);
  CHECK(campaign_of(daemon, follower)["counts"]["total"] == 5);
  // A follower requiring a variable: a new member without it is counted, not called.
  auto strict = create_campaign(daemon, draft_campaign({{"contact_folder_id", list},
                                                        {"follow_lists", true},
                                                        {"required_variables", {"account"}},
                                                        {"complete_when_done", false}}));
  CHECK(campaign_of(daemon, strict)["counts"]["total"] == 5);
  auto lacking_one =
      api_call(daemon, "POST", "/v1/contacts?list_id=" + list,
               json::array({{{"phone_number", phone(37)}}, {{"phone_number", phone(38)}, {"account", "A8"}}}).dump());
  INFO(lacking_one.raw);
  REQUIRE(lacking_one.status == 200);
  CHECK(lacking_one.body["data"]["list_id"] == list);
  CHECK(lacking_one.body["data"]["calls_added"] == 3);  // two for the follower, one for the strict one
  CHECK(lacking_one.body["data"]["calls_not_added"] == 1);
  CHECK(campaign_of(daemon, strict)["counts"]["total"] == 6);
  REQUIRE(post(daemon, "/v1/campaigns/" + strict + "/cancel", json::object()).status == 200);
  CHECK(campaign_of(daemon, follower)["counts"]["total"] == 7);
  CHECK(campaign_of(daemon, campaign)["counts"]["total"] == 4);  // not a follower
  auto in_use = api_call(daemon, "DELETE", "/v1/lists/" + list);
  CHECK(in_use.status == 409);
  CHECK(in_use.body["error"]["code"] == "list_in_use");
  REQUIRE(post(daemon, "/v1/campaigns/" + follower + "/cancel", json::object()).status == 200);
  upload(daemon, json::array({{{"phone_number", phone(36)}}}), list);
  CHECK(campaign_of(daemon, follower)["counts"]["total"] == 7);
  CHECK(api_call(daemon, "DELETE", "/v1/lists/" + list).status == 200);
}

TEST_CASE("calls from records: contact_id and customer_id on POST /v1/calls and /v1/calls/bulk") {
  TempDir dir;
  FakeBatchCall fake;
  json config = sim_config();
  config["providers"] = {{"acme", fake.provider_config()}};
  DaemonProcess daemon(dir, config);
  auto ids = upload(daemon, json::array({{{"phone_number", phone(41)}, {"external_id", "cus-41"}, {"account", "A41"}},
                                         {{"phone_number", phone(42)}, {"external_id", "cus-42"}},
                                         {{"phone_number", phone(43)}}}));
  auto campaign = create_campaign(daemon, {{"name", "now"},
                                           {"agent_id", "agent_1"},
                                           {"provider", "acme"},
                                           {"from_number", "+14155550100"},
                                           {"concurrency", 10},
                                           {"complete_when_done", false}});
  auto one = post(daemon, "/v1/calls", {{"campaign_id", campaign}, {"customer_id", "cus-41"}});
  INFO(one.raw);
  REQUIRE(one.status == 201);
  CHECK(one.body["data"]["phone_number"] == phone(41));
  REQUIRE(wait_until([&] { return fake.tasks_received() == 1; }));
  CHECK(fake.batches().at(0).body["tasks"][0]["dynamic_variables"]["account"] == "A41");
  // The external id goes with the call as customer_id (what a Veritus provider calls by).
  CHECK(fake.batches().at(0).body["tasks"][0]["dynamic_variables"]["customer_id"] == "cus-41");

  auto unknown = post(daemon, "/v1/calls", {{"campaign_id", campaign}, {"contact_id", "ctc_4040"}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["code"] == "unknown_contact");
  CHECK(unknown.body["error"]["field"] == "contact_id");
  auto both = post(daemon, "/v1/calls", {{"campaign_id", campaign}, {"contact_id", ids[1]}, {"customer_id", "cus-42"}});
  CHECK(both.status == 400);
  CHECK(both.body["error"]["field"] == "customer_id");

  auto bulk =
      post(daemon, "/v1/calls/bulk",
           {{"campaign_id", campaign}, {"contact_ids", {ids[2], "ctc_4041"}}, {"customer_ids", {"cus-42", "zzz"}}});
  INFO(bulk.raw);
  REQUIRE(bulk.status == 200);
  const auto& results = bulk.body["data"]["results"];
  REQUIRE(results.size() == 4);
  CHECK(results[0]["success"] == true);
  CHECK(results[0]["contact_id"] == ids[2]);
  CHECK(results[1]["success"] == false);
  CHECK(results[1]["error"]["code"] == "unknown_contact");
  CHECK(results[1]["error"]["field"] == "contact_ids[1]");
  CHECK(results[2]["success"] == true);
  CHECK(results[2]["customer_id"] == "cus-42");
  CHECK(results[2]["data"]["phone_number"] == phone(42));
  CHECK(results[3]["error"]["field"] == "customer_ids[1]");
  CHECK(bulk.body["data"]["summary"]["successful"] == 2);
  REQUIRE(wait_until([&] { return fake.tasks_received() == 3; }));
  CHECK(post(daemon, "/v1/calls/bulk", {{"campaign_id", campaign}, {"contact_ids", json::array()}}).status == 400);
  // One number twice in a request (inline and by id) refuses it, naming the later one.
  auto dup =
      post(daemon, "/v1/calls/bulk",
           {{"campaign_id", campaign}, {"contacts", {{{"phone_number", phone(43)}}}}, {"contact_ids", {ids[2]}}});
  CHECK(dup.status == 400);
  CHECK(dup.body["error"]["code"] == "duplicate_contact");
  CHECK(dup.body["error"]["field"] == "contact_ids[0]");
}

TEST_CASE("contact book: another workspace's contacts and lists look like missing ones") {
  TempDir dir;
  const std::string key_a = "key-for-workspace-a-0123456789", key_b = "key-for-workspace-b-0123456789";
  json config = sim_config();
  config["api"] = {
      {"keys",
       {{{"name", "a"}, {"key", key_a}, {"workspace", "a"}}, {{"name", "b"}, {"key", key_b}, {"workspace", "b"}}}}};
  DaemonProcess daemon(dir, config);
  auto as_a = [&](const std::string& method, const std::string& path, const json& body = nullptr) {
    return api_call(daemon, method, path, body.is_null() ? "" : body.dump(), "application/json", key_a);
  };
  auto as_b = [&](const std::string& method, const std::string& path, const json& body = nullptr) {
    return api_call(daemon, method, path, body.is_null() ? "" : body.dump(), "application/json", key_b);
  };
  auto made = as_a("POST", "/v1/contacts",
                   json::array({{{"phone_number", phone(51)}, {"external_id", "shared-ext"}, {"first_name", "Ann"}}}));
  REQUIRE(made.status == 200);
  std::string a_contact = made.body["data"]["contacts"][0]["id"];
  auto a_list_r = as_a("POST", "/v1/lists", {{"name", "mine"}});
  REQUIRE(a_list_r.status == 201);
  std::string a_list = a_list_r.body["data"]["id"];

  // Reads, changes and deletes of A's ids by B answer as for ids nobody has.
  CHECK(as_b("GET", "/v1/contacts/" + a_contact).status == 404);
  CHECK(as_b("GET", "/v1/contacts/%2B" + phone(51).substr(1)).status == 404);
  CHECK(as_b("GET", "/v1/contacts/by-external-id/shared-ext").status == 404);
  CHECK(as_b("PATCH", "/v1/contacts/" + a_contact, {{"active", false}}).status == 404);
  CHECK(as_b("DELETE", "/v1/contacts/" + a_contact).status == 404);
  CHECK(as_b("GET", "/v1/lists/" + a_list).status == 404);
  CHECK(as_b("PATCH", "/v1/lists/" + a_list, {{"name", "x"}}).status == 404);
  CHECK(as_b("DELETE", "/v1/lists/" + a_list).status == 404);
  CHECK(as_b("GET", "/v1/lists/" + a_list + "/members").status == 404);
  CHECK(as_b("POST", "/v1/lists/" + a_list + "/members", {{"contact_ids", {a_contact}}}).status == 404);
  CHECK(as_b("GET", "/v1/contacts").body["data"]["items"].empty());
  CHECK(as_b("GET", "/v1/lists").body["data"]["items"].empty());
  CHECK(as_b("GET", "/v1/contacts?list_id=" + a_list).body["error"]["code"] == "unknown_list");
  CHECK(as_b("POST", "/v1/contacts", {{"contacts", {{{"phone_number", phone(52)}}}}, {"list_id", a_list}})
            .body["error"]["code"] == "unknown_list");
  // B's own list cannot take A's contact, nor B's campaign A's list or contact.
  auto b_list = as_b("POST", "/v1/lists", {{"name", "mine"}});  // the same name is B's own
  REQUIRE(b_list.status == 201);
  auto cross = as_b("POST", "/v1/lists/" + b_list.body["data"]["id"].get<std::string>() + "/members",
                    {{"contact_ids", {a_contact}}});
  CHECK(cross.status == 400);
  CHECK(cross.body["error"]["code"] == "unknown_contact");
  CHECK(as_b("POST", "/v1/campaigns", draft_campaign({{"contact_folder_id", a_list}})).body["error"]["code"] ==
        "unknown_list");
  CHECK(as_b("POST", "/v1/campaigns", draft_campaign({{"contact_ids", {a_contact}}})).body["error"]["code"] ==
        "unknown_contact");
  // B may use the same external id and number for its own record, which A never sees.
  auto b_made =
      as_b("POST", "/v1/contacts",
           json::array({{{"phone_number", phone(51)}, {"external_id", "shared-ext"}, {"first_name", "Bob"}}}));
  REQUIRE(b_made.status == 200);
  CHECK(b_made.body["data"]["contacts"][0]["id"] != a_contact);
  CHECK(as_a("GET", "/v1/contacts/by-external-id/shared-ext").body["data"]["first_name"] == "Ann");
  CHECK(as_a("GET", "/v1/contacts/" + a_contact).body["data"]["first_name"] == "Ann");
}

TEST_CASE("contacts: an opt-out through the API suppresses the number and skips its pending calls at once") {
  TempDir dir;
  DaemonProcess daemon(dir, sim_config());
  auto ids = upload(daemon, json::array({{{"phone_number", phone(61)}}, {{"phone_number", phone(62)}}}));
  auto one = create_campaign(daemon, draft_campaign({{"contact_ids", ids}}));
  auto two = create_campaign(daemon, draft_campaign({{"contact_ids", {ids[0]}}}));
  auto out = post(daemon, "/v1/contacts/" + ids[0] + "/opt-out", {{"reason", "replied STOP by text"}});
  INFO(out.raw);
  REQUIRE(out.status == 200);
  CHECK(out.body["data"]["calls_skipped"] == 2);
  CHECK(out.body["data"]["suppressed"] == "replied STOP by text");
  CHECK(campaign_of(daemon, one)["counts"]["skipped"] == 1);
  CHECK(campaign_of(daemon, one)["counts"]["pending"] == 1);
  CHECK(campaign_of(daemon, two)["counts"]["skipped"] == 1);
  auto supp = api_call(daemon, "GET", "/v1/suppressions/%2B" + phone(61).substr(1)).body["data"];
  CHECK(supp["source"] == "api");
  CHECK(supp["reason"] == "replied STOP by text");
  // Again, without a body: nothing left to skip, and the first reason stays.
  auto again = api_call(daemon, "POST", "/v1/contacts/" + ids[0] + "/opt-out");
  CHECK(again.status == 200);
  CHECK(again.body["data"]["calls_skipped"] == 0);
  CHECK(again.body["data"]["suppressed"] == "replied STOP by text");
  CHECK(post(daemon, "/v1/contacts/ctc_999/opt-out", json::object()).status == 404);
  CHECK(post(daemon, "/v1/contacts/" + ids[1] + "/opt-out", {{"why", "x"}}).body["error"]["field"] == "why");
  CHECK(campaign_of(daemon, one)["counts"]["pending"] == 1);  // the refused request changed nothing
}
