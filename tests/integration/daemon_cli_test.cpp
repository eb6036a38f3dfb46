// dialerd's command line: --check-config, the built-in default, and the example config.
#include <catch2/catch.hpp>

#include "support/daemon_process.hpp"

using namespace dialerd::testing;

TEST_CASE("dialerd --check-config accepts the example config and names every bad key of a bad one") {
  std::string out;
  CHECK(run_command(std::string(DIALERD_BIN) + " --check-config " + DIALERD_SOURCE_DIR "/etc/dialerd/dialerd.json",
                    out) == 0);
  TempDir dir;
  write_file(dir.file("bad.json"),
             R"({ // comments are allowed
  "listen": {"port": 70000},
  "log": {"level": "loud"},
  "providers": {"acme": {"kind": "batchcall", "base_url": "ftp://x"}}
})");
  CHECK(run_command(std::string(DIALERD_BIN) + " --check-config " + dir.file("bad.json"), out) == 2);
  CHECK_THAT(out, Catch::Contains("listen.port: must be between 0 and 65535, got 70000"));
  CHECK_THAT(out, Catch::Contains("log.level: must be one of"));
  CHECK_THAT(out, Catch::Contains("providers.acme.base_url: must start with https:// or http://"));
  CHECK_THAT(out, Catch::Contains("providers.acme.api_key: is required for kind batchcall"));
}

TEST_CASE("dialerd refuses to start on an invalid config and says why") {
  TempDir dir;
  write_file(dir.file("bad.json"), R"({"providers": {}, "state_dir": 5})");
  std::string out;
  CHECK(run_command(std::string(DIALERD_BIN) + " --config " + dir.file("bad.json"), out) == 2);
  CHECK_THAT(out, Catch::Contains("state_dir: must be a string"));
}

TEST_CASE("the simulator finishes the calls it had in progress when dialerd restarted") {
  TempDir dir;
  json config = {{"providers", {{"sim", {{"kind", "simulator"}, {"simulator", {{"delay_ms", 600000}}}}}}}};
  auto daemon = std::make_unique<DaemonProcess>(dir, config);
  json body = {{"name", "restart"}, {"agent_id", "agent_1"},    {"provider", "sim"}, {"from_number", "+14155550100"},
               {"concurrency", 10}, {"contacts", json::array()}};
  for (int i = 0; i < 5; ++i) body["contacts"].push_back({{"phone_number", "+1415300100" + std::to_string(i)}});
  auto id = http_post(daemon->url("/v1/campaigns"), body.dump()).body["data"]["id"].get<std::string>();
  REQUIRE(wait_until(
      [&] { return http_get(daemon->url("/v1/campaigns/" + id)).body["data"]["counts"]["in_progress"] == 5; }));
  CHECK(daemon->stop() == 0);
  config["providers"]["sim"]["simulator"] = {{"delay_ms", 10}, {"seed", 3}, {"mix", {{"completed", 1.0}}}};
  // Only completed: make the other shares zero so the outcome is certain.
  for (const char* k : {"no_answer", "busy", "voicemail", "failed"})
    config["providers"]["sim"]["simulator"]["mix"][k] = 0;
  daemon.reset();
  daemon = std::make_unique<DaemonProcess>(dir, config);
  REQUIRE(
      wait_until([&] { return http_get(daemon->url("/v1/campaigns/" + id)).body["data"]["status"] == "completed"; }));
  CHECK(http_get(daemon->url("/v1/campaigns/" + id)).body["data"]["counts"]["completed"] == 5);
}

TEST_CASE("the built-in default config runs a campaign end to end on the simulator") {
  TempDir dir;
  std::string printed;
  REQUIRE(run_command(std::string(DIALERD_BIN) + " --print-default-config", printed) == 0);
  auto config = json::parse(printed, nullptr, true, /*ignore_comments=*/true);
  config["listen"]["port"] = 0;
  config["state_dir"] = dir.file("var");
  config["providers"]["simulator"]["simulator"] = {{"delay_ms", 50}, {"seed", 7}};
  // The one change to the rules: calls may go out at any hour, so the test passes whatever the time of day.
  config["compliance"]["respectful_hours"] = {{"start", "00:00"}, {"end", "24:00"}};
  DaemonProcess daemon(dir, config);

  json body = {
      {"name", "dry run"}, {"agent_id", "agent_1"}, {"provider", "simulator"},  {"from_number", "+14155550100"},
      {"concurrency", 50}, {"retry_attempts", 2},   {"retry_delay_seconds", 0}, {"contacts", json::array()}};
  for (int i = 0; i < 200; ++i) body["contacts"].push_back({{"phone_number", "+1415300" + std::to_string(1000 + i)}});
  auto created = http_post(daemon.url("/v1/campaigns"), body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();
  json data;
  REQUIRE(wait_until([&] {
    data = http_get(daemon.url("/v1/campaigns/" + id)).body["data"];
    return data["status"] == "completed";
  }));
  auto c = data["counts"];
  CHECK(c["total"] == 200);
  CHECK(c["called"] == 200);
  CHECK(c["completed"].get<int>() + c["failed"].get<int>() == 200);
  CHECK(c["completed"].get<int>() > 100);

  std::string table;
  CHECK(run_command(std::string(DIALERCTL_BIN) + " --db " + daemon.db_path() + " campaign " + id + " --json", table) ==
        0);
  auto row = json::parse(table);
  CHECK(row["total"] == 200);
  CHECK(row["status"] == "completed");
}
