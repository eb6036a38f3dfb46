// Reports over the real daemon (issue 21): GET /v1/campaigns/{id}/stats, and the CSV reports streamed
// chunked from one snapshot (GET /v1/campaigns/{id}/report, GET /v1/reports/calls).
#include <catch2/catch.hpp>

#include "api/csv.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

const std::string kKeyA = "key-for-workspace-a-0123456789";
const std::string kKeyB = "key-for-workspace-b-0123456789";

dialerd::api::CsvTable csv_of(const std::string& text) {
  auto table = dialerd::api::parse_csv(text);
  if (!table) FAIL("the report is not CSV: " << table.error() << "\n" << text);
  return *table;
}

// The cells of the CSV rows by column name.
std::vector<std::map<std::string, std::string>> records(const std::string& text) {
  auto t = csv_of(text);
  std::vector<std::map<std::string, std::string>> out;
  for (const auto& row : t.rows) {
    std::map<std::string, std::string> r;
    for (std::size_t i = 0; i < t.header.size() && i < row.size(); ++i) r[t.header[i]] = row[i];
    out.push_back(std::move(r));
  }
  return out;
}

std::string field_of(const HttpResult& r) {
  return r.body["error"]["field"].is_string() ? r.body["error"]["field"].get<std::string>() : "";
}

}  // namespace

TEST_CASE("reports: stats per hour and day and the CSV report follow a campaign to its end") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", fake.provider_config()}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"),
                 [](const std::string& to, int) { return to == nanp_phone(501, "212") ? "busy" : "completed"; });
  json body = {{"name", "=HYPERLINK(\"http://evil.example\")"},
               {"agent_id", "agent_1"},
               {"provider", "acme"},
               {"from_number", "+14157774444"},
               {"concurrency", 10},
               {"retry_attempts", 0},
               {"contacts", json::array()}};
  for (int i = 0; i < 4; ++i)
    body["contacts"].push_back({{"phone_number", nanp_phone(500 + i, "212")},
                                {"first_name", i == 0 ? "+1 call me" : "Ann"},
                                {"variables", {{"plan", "gold, \"annual\""}}}});
  const auto id = create_campaign(daemon, body);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));

  auto stats = http_get(daemon.url("/v1/campaigns/" + id + "/stats?bucket=hour"));
  REQUIRE(stats.status == 200);
  auto data = stats.body["data"];
  CHECK(data["campaign_id"] == id);
  CHECK(data["bucket"] == "hour");
  CHECK(data["timezone"] == "UTC");
  CHECK(data["buckets"].size() >= 24);
  CHECK(data["buckets"].size() <= 25);
  const json totals = {
      {"attempts", 4}, {"outcomes", {{"busy", 1}, {"completed", 3}}}, {"calls_completed", 3}, {"calls_failed", 1}};
  CHECK(data["totals"] == totals);
  std::int64_t attempts = 0;
  for (const auto& b : data["buckets"]) attempts += b["attempts"].get<std::int64_t>();
  CHECK(attempts == 4);

  auto days = http_get(daemon.url("/v1/campaigns/" + id + "/stats?bucket=day&timezone=Asia/Kolkata"));
  REQUIRE(days.status == 200);
  CHECK(days.body["data"]["timezone"] == "Asia/Kolkata");
  CHECK(days.body["data"]["totals"] == totals);
  CHECK(days.body["data"]["buckets"].size() >= 30);
  for (const auto& b : days.body["data"]["buckets"]) {
    CHECK_THAT(b["start"].get<std::string>(), Catch::EndsWith("T00:00:00+05:30"));
  }

  SECTION("bad parameters get a 400 naming the parameter") {
    const std::string stats_path = "/v1/campaigns/" + id + "/stats?";
    for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
             {"bucket=week", "bucket"},
             {"timezone=Mars/Olympus_Mons", "timezone"},
             {"from=yesterday", "from"},
             {"from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "from"},
             {"from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "to"},
             {"bucket=day&from=2024-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "to"},
             {"form=2026-01-01T00:00:00Z", "form"}}) {
      auto r = http_get(daemon.url(stats_path + query));
      INFO(query << " -> " << r.raw);
      CHECK(r.status == 400);
      CHECK(r.body["error"]["code"] == "invalid_field");
      CHECK(field_of(r) == field);
    }
    CHECK(http_get(daemon.url("/v1/campaigns/999/stats")).status == 404);
    CHECK(http_get(daemon.url("/v1/campaigns/999/report")).status == 404);
    auto no_from = http_get(daemon.url("/v1/reports/calls"));
    CHECK(no_from.status == 400);
    CHECK(field_of(no_from) == "from");
  }

  SECTION("the CSV report: a row per call, text that could be a formula kept as text") {
    auto report = http_get(daemon.url("/v1/campaigns/" + id + "/report"));
    REQUIRE(report.status == 200);
    auto table = csv_of(report.raw);
    CHECK(table.header == std::vector<std::string>{"campaign_id", "campaign_name", "call_id", "phone", "external_id",
                                                   "first_name", "last_name", "variables", "state", "attempts",
                                                   "last_outcome", "reason", "next_attempt_at", "last_attempt_at",
                                                   "created_at", "updated_at", "provider_call_id", "priority"});
    auto rows = records(report.raw);
    REQUIRE(rows.size() == 4);
    std::map<std::string, std::map<std::string, std::string>> by_phone;
    for (const auto& r : rows) by_phone[r.at("phone")] = r;
    REQUIRE(by_phone.size() == 4);
    const auto& busy = by_phone.at(nanp_phone(501, "212"));
    CHECK(busy.at("state") == "failed");
    CHECK(busy.at("last_outcome") == "busy");
    CHECK(busy.at("attempts") == "1");
    const auto& first = by_phone.at(nanp_phone(500, "212"));
    CHECK(first.at("state") == "completed");
    CHECK(first.at("campaign_id") == id);
    CHECK(first.at("campaign_name") == "'=HYPERLINK(\"http://evil.example\")");
    CHECK(first.at("first_name") == "'+1 call me");
    CHECK(json::parse(first.at("variables"))["plan"] == "gold, \"annual\"");
    CHECK(first.at("next_attempt_at").empty());  // not pending
    CHECK_THAT(first.at("last_attempt_at"), Catch::EndsWith("Z"));
    CHECK_FALSE(first.at("provider_call_id").empty());

    // On the wire: chunked, as text/csv, to be saved under a name.
    auto raw = raw_exchange(
        daemon.port(), "GET /v1/campaigns/" + id + "/report HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    CHECK(raw_status(raw) == 200);
    CHECK_THAT(raw, Catch::Contains("Transfer-Encoding: chunked"));
    CHECK_THAT(raw, Catch::Contains("Content-Type: text/csv; charset=utf-8"));
    CHECK_THAT(raw, Catch::Contains("Content-Disposition: attachment; filename=\"campaign-" + id + "-calls.csv\""));
    CHECK_THAT(raw, Catch::EndsWith("\r\n0\r\n\r\n"));
    // HTTP/1.0 has no chunks: the body ends where the connection closes.
    auto old = raw_exchange(daemon.port(), "GET /v1/campaigns/" + id + "/report HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK_THAT(old, Catch::StartsWith("HTTP/1.0 200"));
    CHECK(old.find("Transfer-Encoding") == std::string::npos);
    CHECK(records(old.substr(old.find("\r\n\r\n") + 4)).size() == 4);

    // The workspace's calls attempted in a range.
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    auto recent = http_get(daemon.url("/v1/reports/calls?from=" + std::to_string(now - 3600000)));
    REQUIRE(recent.status == 200);
    CHECK(records(recent.raw).size() == 4);
    auto before = http_get(daemon.url("/v1/reports/calls?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z"));
    REQUIRE(before.status == 200);
    CHECK(csv_of(before.raw).rows.empty());
  }
}

TEST_CASE("reports: another workspace's campaign has no stats or report - its calls are in no other report") {
  TempDir dir;
  json config = {
      {"api",
       {{"keys",
         {{{"name", "a"}, {"key", kKeyA}, {"workspace", "a"}}, {{"name", "b"}, {"key", kKeyB}, {"workspace", "b"}}}}}},
      {"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 20}}}}}}}};
  DaemonProcess daemon(dir, config);
  json body = {{"name", "a's"},
               {"agent_id", "agent_1"},
               {"provider", "sim"},
               {"from_number", "+14155550100"},
               {"contacts", {{{"phone_number", nanp_phone(600, "212")}}, {{"phone_number", nanp_phone(601, "212")}}}}};
  auto created = api_call(daemon, "POST", "/v1/campaigns", body.dump(), "application/json", kKeyA);
  REQUIRE(created.status == 201);
  const auto id = created.body["data"]["id"].get<std::string>();
  REQUIRE(wait_until([&] {
    return api_call(daemon, "GET", "/v1/campaigns/" + id, "", "application/json", kKeyA).body["data"]["status"] ==
           "completed";
  }));
  CHECK(api_call(daemon, "GET", "/v1/campaigns/" + id + "/stats").status == 401);
  CHECK(api_call(daemon, "GET", "/v1/campaigns/" + id + "/report").status == 401);
  CHECK(api_call(daemon, "GET", "/v1/campaigns/" + id + "/stats", "", "application/json", kKeyB).status == 404);
  CHECK(api_call(daemon, "GET", "/v1/campaigns/" + id + "/report", "", "application/json", kKeyB).status == 404);
  auto mine = api_call(daemon, "GET", "/v1/campaigns/" + id + "/stats", "", "application/json", kKeyA);
  REQUIRE(mine.status == 200);
  CHECK(mine.body["data"]["totals"]["attempts"] == 2);
  CHECK(records(api_call(daemon, "GET", "/v1/reports/calls?from=0", "", "application/json", kKeyA).raw).size() == 2);
  CHECK(records(api_call(daemon, "GET", "/v1/reports/calls?from=0", "", "application/json", kKeyB).raw).empty());
}
