// Issue 16.8: the one event loop never waits on the database or on one big request. A lock another process
// holds is waited for off the loop; big cancels, uploads and forecasts go in slices. These tests check the
// behaviour (other requests answered while a write waits, the work done whole); the latencies are measured
// in bench/stall_bench.sh (docs/PERFORMANCE.md).
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "dialerd/http/client.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

json config(json extra = json::object()) {
  json c = {{"providers", {{"sim", {{"kind", "simulator"}}}}}};
  c.update(extra);
  return c;
}

json draft(int contacts, int first = 0) {
  json list = json::array();
  for (int i = first; i < first + contacts; ++i) list.push_back({{"phone_number", nanp_phone(i, "212", 5000000)}});
  return {{"name", "loop"},    {"agent_id", "a"}, {"provider", "sim"}, {"from_number", "+14157774444"},
          {"status", "draft"}, {"contacts", list}};
}

// Another process's write lock on the daemon's database (as sqlite3 or a backup tool would take it).
class ForeignLock {
 public:
  explicit ForeignLock(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  void release() {
    if (db_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~ForeignLock() { release(); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("event loop: a write waits for another process's lock off the loop - everything else is served meanwhile") {
  TempDir dir;
  // A minute's wait: were the loop blocked, the requests below would not be answered before it ends.
  DaemonProcess daemon(dir, config({{"database", {{"busy_timeout_ms", 60000}}}}));
  auto before = create_campaign(daemon, draft(3));
  CHECK(metric(daemon, "dialerd_storage_lock_waits_total") == 0);
  ForeignLock lock(daemon.db_path());
  auto write =
      std::async(std::launch::async, [&] { return http_post(daemon.url("/v1/campaigns"), draft(2, 10).dump()); });
  REQUIRE(wait_until([&] { return metric(daemon, "dialerd_storage_lock_waits_total") > 0; }));
  // The write is waiting; the loop is not.
  CHECK(http_get(daemon.url("/healthz")).status == 200);
  auto read = http_get(daemon.url("/v1/campaigns/" + before));
  CHECK(read.status == 200);
  CHECK(read.body["data"]["counts"]["pending"] == 3);
  CHECK(write.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  lock.release();
  auto written = write.get();
  INFO(written.raw);
  REQUIRE(written.status == 201);
  CHECK(written.body["data"]["counts"]["pending"] == 2);
  CHECK(http_get(daemon.url("/v1/campaigns")).body["data"]["items"].size() == 2);
}

TEST_CASE("event loop: a lock held past database.busy_timeout_ms - 503 storage_unavailable, nothing written") {
  TempDir dir;
  DaemonProcess daemon(dir, config({{"database", {{"busy_timeout_ms", 200}}}}));
  {
    ForeignLock lock(daemon.db_path());
    auto r = http_post(daemon.url("/v1/campaigns"), draft(2).dump());
    INFO(r.raw);
    CHECK(r.status == 503);
    CHECK(r.body["error"]["code"] == "storage_unavailable");
    CHECK(http_get(daemon.url("/v1/campaigns")).body["data"]["items"].empty());
  }
  CHECK(metric(daemon, "dialerd_storage_errors_total") == 1);
  create_campaign(daemon, draft(2));
}

TEST_CASE("event loop: cancelling a campaign skips every pending call, a slice at a time") {
  TempDir dir;
  DaemonProcess daemon(dir, config());
  auto id = create_campaign(daemon, draft(4000));
  for (int part = 1; part < 4; ++part) {
    json body = {{"contacts", draft(4000, part * 4000)["contacts"]}};
    auto r = http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), body.dump());
    INFO(r.raw);
    REQUIRE(r.status == 200);
  }
  auto cancelled = http_post(daemon.url("/v1/campaigns/" + id + "/cancel"), "");
  INFO(cancelled.raw);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.body["data"]["status"] == "cancelled");
  CHECK(cancelled.body["data"]["counts"]["pending"] == 0);
  CHECK(cancelled.body["data"]["counts"]["skipped"] == 16000);
  // Again: nothing left to do, the same answer.
  CHECK(http_post(daemon.url("/v1/campaigns/" + id + "/cancel"), "").body["data"]["counts"]["skipped"] == 16000);
}

TEST_CASE("event loop: the forecast samples a campaign bigger than one page across all of it") {
  TempDir dir;
  DaemonProcess daemon(dir, config());
  auto id = create_campaign(daemon, draft(5000));
  for (int part = 1; part < 5; ++part) {
    json body = {{"contacts", draft(5000, part * 5000)["contacts"]}};
    REQUIRE(http_post(daemon.url("/v1/campaigns/" + id + "/contacts"), body.dump()).status == 200);
  }
  auto f = http_get(daemon.url("/v1/campaigns/" + id + "/forecast"));
  INFO(f.raw);
  REQUIRE(f.status == 200);
  CHECK(f.body["data"]["pending"] == 25000);
  CHECK(f.body["data"]["assumptions"]["contacts_sampled"] == 500);
  CHECK_FALSE(f.body["data"]["hours"].empty());
}
