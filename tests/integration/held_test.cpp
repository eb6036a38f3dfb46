// Held calls: an uncertain submission holds its calls; an operator releases or fails them (dialerctl).
#include <catch2/catch.hpp>

#include "fakes/fake_batchcall.hpp"
#include "fakes/silent_provider.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
std::string ctl(const DaemonProcess& d, const std::string& args, int expect = 0) {
  std::string out;
  std::string state = d.db_path().substr(0, d.db_path().rfind('/'));
  int rc = run_command(std::string(DIALERCTL_BIN) + " --state-dir " + state + " " + args, out);
  INFO("dialerctl " << args << "\n" << out);
  CHECK(rc == expect);
  return out;
}
}  // namespace

TEST_CASE("held calls are listed by dialerctl and wait for an operator to release or fail them") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", fake.provider_config()}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  json body = {{"name", "held"},    {"agent_id", "agent_1"},    {"provider", "acme"}, {"from_number", "+14157774444"},
               {"concurrency", 10}, {"contacts", json::array()}};
  for (int i = 0; i < 4; ++i) body["contacts"].push_back({{"phone_number", nanp_phone(10 + i)}});

  fake.inject(500, 1);
  auto a = http_post(daemon.url("/v1/campaigns"), body.dump()).body["data"]["id"].get<std::string>();
  REQUIRE(wait_until([&] { return campaign_of(daemon, a)["counts"]["held"] == 4; }));

  auto listed = json::parse(ctl(daemon, "held --json"));
  REQUIRE(listed.size() == 4);
  CHECK_THAT(listed[0]["reason"].get<std::string>(), Catch::Contains("provider answered 500"));
  auto first = listed[0]["call_id"].get<std::int64_t>();
  auto second = listed[1]["call_id"].get<std::int64_t>();

  SECTION("release: the calls go out again, once") {
    CHECK_THAT(ctl(daemon, "release " + std::to_string(first) + " " + std::to_string(second) + " --reason checked"),
               Catch::Contains("1 call(s) moved"));
    CHECK_THAT(ctl(daemon, "release --campaign " + a), Catch::Contains("2 call(s) moved"));
    REQUIRE(wait_until([&] { return campaign_of(daemon, a)["status"] == "completed"; }));
    CHECK(campaign_of(daemon, a)["counts"]["completed"] == 4);
    CHECK(fake.tasks_received() == 4);
    ctl(daemon, "release " + std::to_string(first), 1);  // no longer held: 409
  }
  SECTION("fail: the calls fail for good and the campaign completes") {
    CHECK_THAT(ctl(daemon, "fail --campaign " + a + " --reason 'provider confirmed them placed'"),
               Catch::Contains("4 call(s) moved"));
    REQUIRE(wait_until([&] { return campaign_of(daemon, a)["status"] == "completed"; }));
    auto c = campaign_of(daemon, a)["counts"];
    CHECK(c["failed"] == 4);
    CHECK(c["held"] == 0);
    CHECK(fake.tasks_received() == 0);
    auto calls = json::parse(ctl(daemon, "calls " + a + " --state failed --json"));
    REQUIRE(calls.size() == 4);
    CHECK(calls[0]["last_error"] == "provider confirmed them placed");
  }
  CHECK(ctl(daemon, "held").find("(none)") != std::string::npos);
  CHECK(http_post(daemon.url("/v1/calls/999999/release"), "").status == 404);
  CHECK(http_post(daemon.url("/v1/calls/" + std::to_string(first) + "/fail"), "{\"why\":1}").status == 400);
}

TEST_CASE("dialerctl reports clear errors") {
  std::string out;
  CHECK(run_command(std::string(DIALERCTL_BIN) + " --db /nonexistent/dialerd.db campaigns", out) == 1);
  CHECK_THAT(out, Catch::Contains("dialerctl:"));
  CHECK(run_command(std::string(DIALERCTL_BIN) + " --state-dir /nonexistent release 1", out) == 1);
  CHECK_THAT(out, Catch::Contains("dialerd.port"));
  CHECK(run_command(std::string(DIALERCTL_BIN) + " release", out) == 2);
}

TEST_CASE("held calls: a kill -9 after the claim and before the request is written holds nothing - they go out once") {
  // Issue 16.7: only a chunk marked sent right before its first byte can have been placed.
  TempDir dir;
  SilentProvider silent;  // https: the TLS handshake never completes
  FakeBatchCall fake;
  json provider = {{"kind", "batchcall"},
                   {"base_url", silent.base_url("https")},
                   {"api_key", "test-key"},
                   {"api_secret", "test-secret"},
                   {"timeout_ms", 600000}};
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  json body = {{"name", "never sent"},          {"agent_id", "agent_1"}, {"provider", "acme"},
               {"from_number", "+14157774444"}, {"concurrency", 10},     {"contacts", json::array()}};
  for (int i = 0; i < 5; ++i) body["contacts"].push_back({{"phone_number", nanp_phone(10 + i)}});
  auto id = http_post(daemon.url("/v1/campaigns"), body.dump()).body["data"]["id"].get<std::string>();
  // Claimed and waiting for a TLS handshake that never comes.
  bool claimed = wait_until([&] { return campaign_of(daemon, id)["counts"]["dispatching"] == 5; });
  INFO(daemon.log());
  INFO(campaign_of(daemon, id).dump());
  REQUIRE(claimed);
  daemon.kill9();

  auto config = json::parse(read_file(daemon.config_path()));
  config["providers"]["acme"] = fake.provider_config();
  write_file(daemon.config_path(), config.dump(2));
  daemon.start();
  // Released at start-up and sent at once (before an outcome reporter could know the new port: the calls
  // end in progress, which is what counts here).
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["in_progress"] == 5; }));
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["held"] == 0);
  CHECK(c["dispatching"] == 0);
  CHECK(fake.tasks_received() == 5);
  for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 1);
  CHECK_THAT(daemon.log(), Catch::Contains("5 call(s) were claimed but not yet sent when dialerd stopped"));
}
