// SIGTERM under load: dialerd stops claiming, lets the submissions it sent be answered, exits 0; after a
// restart the campaign finishes with every contact delivered exactly once and nothing held.
#include <catch2/catch.hpp>

#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

TEST_CASE("graceful stop under load: in-flight submissions finish, nothing is lost, doubled or held") {
  TempDir dir;
  FakeBatchCall fake;
  fake.set_delay(std::chrono::milliseconds(100));  // each submission is in flight for a while
  json provider = fake.provider_config();
  provider["chunk_size"] = 50;
  json config = {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
                 {"shutdown", {{"drain_timeout_ms", 20000}}},
                 {"providers", {{"acme", provider}}}};
  DaemonProcess daemon(dir, config);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const int contacts = 1500;
  json body = {{"name", "stop"},     {"agent_id", "agent_1"},    {"provider", "acme"}, {"from_number", "+14157774444"},
               {"concurrency", 200}, {"contacts", json::array()}};
  for (int i = 0; i < contacts; ++i) body["contacts"].push_back({{"phone_number", nanp_phone(i, "415", 3000000)}});
  auto created = http_post(daemon.url("/v1/campaigns"), body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();

  // Stop while chunks are out at the provider.
  REQUIRE(wait_until([&] { return fake.tasks_received() >= 100; }));
  CHECK(daemon.stop() == 0);
  auto log = daemon.log();
  CHECK(log.find("shutdown: done") != std::string::npos);
  CHECK(log.find("still in flight") == std::string::npos);  // every submission sent was answered in time

  daemon.start();
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  REQUIRE(wait_until([&] { return http_get(daemon.url("/v1/campaigns/" + id)).body["data"]["status"] == "completed"; },
                     std::chrono::seconds(120)));
  auto counts = http_get(daemon.url("/v1/campaigns/" + id)).body["data"]["counts"];
  CHECK(counts["completed"] == contacts);
  CHECK(counts["held"] == 0);
  auto numbers = fake.received_numbers();
  CHECK(numbers.size() == static_cast<std::size_t>(contacts));
  for (const auto& [number, times] : numbers) CHECK(times == 1);
  CHECK(fake.violations().empty());
}
