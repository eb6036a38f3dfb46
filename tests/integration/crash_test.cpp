// Crash safety: SIGKILL the real daemon at random points while it dispatches, restart, repeat; then no
// contact reached the provider twice, every contact is delivered or held, the counts hold, the file is sound.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "dialerd/store/sqlite/db.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"
#include "support/ledger.hpp"

using namespace dialerd::testing;
using dialerd::store::sqlite::Db;

namespace {
int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}
}  // namespace

TEST_CASE("crash safety: kill -9 during dispatch never loses or doubles a call") {
  // CI size; bench/crash.sh runs the full size through the same variables.
  const int rounds = env_int("DIALERD_CRASH_ROUNDS", 20);
  const int contacts = env_int("DIALERD_CRASH_CONTACTS", 4000);
  const unsigned seed = static_cast<unsigned>(env_int("DIALERD_CRASH_SEED", 20261123));
  INFO("rounds " << rounds << ", contacts " << contacts << ", seed " << seed);
  std::mt19937 rng(seed);

  TempDir dir;
  FakeBatchCall fake;
  fake.set_delay(std::chrono::milliseconds(15));
  json provider = fake.provider_config();
  provider.update({{"chunk_size", 100}, {"timeout_ms", 5000}});
  json config = {{"providers", {{"acme", provider}}}, {"log", {{"level", "info"}}}};
  DaemonProcess daemon(dir, config);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  json body = {{"name", "crash"},    {"agent_id", "agent_crash"}, {"provider", "acme"}, {"from_number", "+14157774444"},
               {"concurrency", 300}, {"contacts", json::array()}};
  for (int i = 0; i < contacts; ++i) body["contacts"].push_back({{"phone_number", nanp_phone(i)}});
  auto created = http_post(daemon.url("/v1/campaigns"), body.dump());
  REQUIRE(created.status == 201);
  auto id = created.body["data"]["id"].get<std::string>();

  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 120));
    daemon.kill9();
    daemon.start();
    fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  }

  // A reader holding a transaction open (as sqlite3 would) must not stall the daemon.
  Db reader(daemon.db_path(), Db::Mode::read_only, 1000);
  reader.exec("BEGIN");
  auto& peek = reader.cached("SELECT count(*) FROM calls");
  REQUIRE(peek.step());
  CHECK(peek.int64(0) == contacts);
  peek.reset();

  // Let the last life finish everything that can finish: nothing pending or being dispatched.
  json counts;
  bool settled = wait_until(
      [&] {
        counts = http_get(daemon.url("/v1/campaigns/" + id)).body["data"]["counts"];
        return counts["pending"] == 0 && counts["dispatching"] == 0 && counts["in_progress"] == 0;
      },
      std::chrono::seconds(60));
  reader.exec("COMMIT");
  INFO(counts.dump());
  REQUIRE(settled);
  CHECK(daemon.stop() == 0);

  // Exactly once at the provider.
  auto seen = fake.received_numbers();
  for (const auto& [number, times] : seen) {
    INFO(number);
    CHECK(times == 1);
  }
  // Every contact delivered or held; the counters equal the calls; the file is sound.
  Db db(daemon.db_path(), Db::Mode::read_only, 1000);
  auto& states = db.cached(R"sql(
    SELECT p.phone, k.state FROM calls k JOIN contacts p ON p.id = k.contact_id)sql");
  std::map<std::string, int> by_state;
  int rows = 0;
  while (states.step()) {
    ++rows;
    std::string phone = states.text(0), state = states.text(1);
    ++by_state[state];
    if (state == "completed") {
      CHECK(seen.count(phone) == 1);
    } else {
      INFO(phone << " is " << state);
      CHECK(state == "held");
    }
  }
  CHECK(rows == contacts);
  CHECK(by_state["completed"] + by_state["held"] == contacts);
  CHECK(static_cast<int>(seen.size()) >= by_state["completed"]);
  UNSCOPED_INFO("completed " << by_state["completed"] << ", held " << by_state["held"] << ", provider saw "
                             << seen.size());

  check_counters_and_integrity(db, by_state["completed"], by_state["held"], contacts);
}
