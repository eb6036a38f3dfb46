// The web console in a real browser (issue 21): each case starts the daemon with its providers (the
// simulator, or the tests' fake batch-call provider), prepares what the scenario needs through the API,
// runs one scenario of tests/browser/console.mjs (headless Debian chromium driven by playwright-core, which
// scripts/test installs) and then checks the daemon's side. Screenshots go to CONSOLE_SHOTS_DIR.
#include <catch2/catch.hpp>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

const std::string kKeyA = "key-for-workspace-a-0123456789";
const std::string kKeyB = "key-for-workspace-b-0123456789";

// Runs a scenario against the daemon (REQUIREs it passed) and returns what it printed.
std::string browse(const DaemonProcess& d, const std::string& scenario, const std::string& arg = "",
                   const std::string& key = "") {
  std::string command = "node " DIALERD_SOURCE_DIR "/tests/browser/console.mjs --scenario " + scenario +
                        " --base http://127.0.0.1:" + std::to_string(d.port()) + " --shots " CONSOLE_SHOTS_DIR;
  if (!arg.empty()) command += " --arg " + arg;
  if (!key.empty()) command += " --key " + key;
  std::string out;
  const int rc = run_command(command + " 2>&1", out);
  INFO(command << "\n" << out << "\n--- daemon log ---\n" << d.log());
  REQUIRE(rc == 0);
  return out;
}

json simulator(int delay_ms) {
  return {{"kind", "simulator"},
          {"simulator",
           {{"delay_ms", delay_ms},
            {"mix", {{"completed", 1}, {"no_answer", 0}, {"busy", 0}, {"voicemail", 0}, {"failed", 0}}}}}};
}

json campaign(const std::string& name, const std::string& provider, int contacts, int offset) {
  json body = {{"name", name},     {"agent_id", "agent_1"},    {"provider", provider}, {"from_number", "+14157774444"},
               {"concurrency", 1}, {"contacts", json::array()}};
  for (int i = 0; i < contacts; ++i) body["contacts"].push_back({{"phone_number", nanp_phone(offset + i, "646")}});
  return body;
}

}  // namespace

TEST_CASE("console: a campaign made from a CSV runs to completion and its report downloads") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", simulator(300)}}}});
  browse(daemon, "create");
  // What the browser made is what the API has: one campaign, three calls, completed.
  auto listed = http_get(daemon.url("/v1/campaigns")).body["data"]["items"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "Renewals from the browser");
  CHECK(listed[0]["counts"]["completed"] == 3);
}

TEST_CASE("console: a contact called at night shows which check holds it and until when") {
  TempDir dir;
  // 18:00 UTC is 03:00 in Tokyo, outside respectful hours 08:00-21:00 there.
  DaemonProcess daemon(dir,
                       {{"providers", {{"sim", simulator(300)}}},
                        {"compliance", {{"respectful_hours", {{"start", "08:00"}, {"end", "21:00"}}}}}},
                       {}, {"--test-clock", "2026-06-15T18:00:00Z"});
  json body = campaign("night", "sim", 0, 0);
  body["contacts"] = {{{"phone_number", "+81312345678"}, {"timezone", "Asia/Tokyo"}}};
  const auto id = create_campaign(daemon, body);
  auto calls = http_get(daemon.url("/v1/campaigns/" + id + "/calls")).body["data"]["items"];
  REQUIRE(calls.size() == 1);
  browse(daemon, "night", calls[0]["id"].get<std::string>());
  CHECK(campaign_of(daemon, id)["counts"]["pending"] == 1);
}

TEST_CASE("console: held calls are released after a warning or failed with a reason") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", fake.provider_config()}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  fake.inject(500, 1);  // the first submission's fate is unknown: both calls are held
  json body = campaign("held", "acme", 2, 100);
  body["concurrency"] = 10;
  const auto id = create_campaign(daemon, body);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 2; }));
  const auto out = browse(daemon, "held");
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  auto counts = campaign_of(daemon, id)["counts"];
  CHECK(counts["completed"] == 1);
  CHECK(counts["failed"] == 1);
  CHECK(fake.tasks_received() == 1);  // the released call, once
  auto failed = http_get(daemon.url("/v1/campaigns/" + id + "/calls?state=failed")).body["data"]["items"];
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["last_error"] == "checked the provider: not placed");
  CHECK_THAT(out, Catch::Contains("released "));
}

TEST_CASE("console: a running campaign is paused and resumed and a setting changed - a bad one refused") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", simulator(60000)}}}});
  const auto id = create_campaign(daemon, campaign("pausable", "sim", 5, 200));
  browse(daemon, "pause", id);
  auto c = campaign_of(daemon, id);
  CHECK(c["status"] == "running");
  CHECK(c["concurrency"] == 3);
}

TEST_CASE("console: a suppression is added, found and removed - a bad number is refused in words") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", simulator(300)}}}});
  browse(daemon, "suppressions");
  CHECK(http_get(daemon.url("/v1/suppressions")).body["data"]["items"].empty());
}

TEST_CASE("console: markup in names and variables stays text and the policy forbids inline script") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"providers", {{"sim", simulator(300)}}}});
  json body = campaign("<img src=x onerror=alert(1)>", "sim", 0, 0);
  body["status"] = "draft";
  body["contacts"] = {{{"phone_number", nanp_phone(300, "646")}, {"first_name", "<script>alert(2)</script>"}}};
  const auto id = create_campaign(daemon, body);
  browse(daemon, "xss", id);
}

TEST_CASE("console: with API keys it asks for one, says when it is refused and shows one workspace") {
  TempDir dir;
  json config = {
      {"api",
       {{"keys",
         {{{"name", "a"}, {"key", kKeyA}, {"workspace", "a"}}, {{"name", "b"}, {"key", kKeyB}, {"workspace", "b"}}}}}},
      {"providers", {{"sim", simulator(300)}}}};
  DaemonProcess daemon(dir, config);
  json a = campaign("workspace a", "sim", 0, 0), b = campaign("workspace b", "sim", 0, 0);
  a["status"] = b["status"] = "draft";
  a["contacts"] = {{{"phone_number", nanp_phone(400, "646")}}};
  b["contacts"] = {{{"phone_number", nanp_phone(401, "646")}}};
  REQUIRE(api_call(daemon, "POST", "/v1/campaigns", a.dump(), "application/json", kKeyA).status == 201);
  auto theirs = api_call(daemon, "POST", "/v1/campaigns", b.dump(), "application/json", kKeyB);
  REQUIRE(theirs.status == 201);
  browse(daemon, "auth", theirs.body["data"]["id"].get<std::string>(), kKeyA);
}
