// A full disk under the state directory: writes get 503, reads and the daemon stay up, and it recovers
// with nothing accepted lost and the file sound. Needs root to mount a small tmpfs; skipped otherwise.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "dialerd/store/sqlite/db.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;
using dialerd::store::sqlite::Db;

namespace {

json campaign(int n, int first, const std::string& status = "draft") {
  json list = json::array();
  for (int i = first; i < first + n; ++i)
    list.push_back({{"phone_number", nanp_phone(i, "415", 4000000)}, {"variables", {{"note", std::string(200, 'x')}}}});
  return {{"name", "Full disk"},           {"agent_id", "agent_1"}, {"provider", "sim"},
          {"from_number", "+14157774444"}, {"status", status},      {"contacts", list}};
}

// A mounted tmpfs of `size`, unmounted on destruction.
struct SmallDisk {
  std::string path;
  bool mounted = false;
  SmallDisk(const std::string& at, const std::string& size) : path(at) {
    ::mkdir(path.c_str(), 0700);
    std::string out;
    mounted = ::geteuid() == 0 && run_command("mount -t tmpfs -o size=" + size + " tmpfs '" + path + "'", out) == 0;
  }
  ~SmallDisk() {
    std::string out;
    if (mounted) run_command("umount -l '" + path + "'", out);
  }
  void fill() {
    std::string out;
    run_command("dd if=/dev/zero of='" + path + "/filler' bs=64k 2>/dev/null", out);  // stops at ENOSPC
  }
  void free_space() { ::unlink((path + "/filler").c_str()); }
};

}  // namespace

TEST_CASE("fault: a full disk gets 503 for writes while reads and the daemon stay up - then it recovers intact") {
  TempDir dir;
  SmallDisk disk(dir.file("small"), "16m");
  if (!disk.mounted) {
    WARN("skipped: mounting a tmpfs needs root");
    return;
  }
  DaemonProcess daemon(dir, {{"state_dir", disk.path + "/state"}, {"providers", {{"sim", {{"kind", "simulator"}}}}}});
  auto first = http_post(daemon.url("/v1/campaigns"), campaign(10, 0).dump());
  REQUIRE(first.status == 201);
  auto id = first.body["data"]["id"].get<std::string>();

  disk.fill();
  auto refused = http_post(daemon.url("/v1/campaigns"), campaign(3000, 100).dump());
  INFO(refused.raw);
  CHECK(refused.status == 503);
  CHECK(refused.body["error"]["code"] == "storage_full");
  auto more = http_post(daemon.url("/v1/campaigns/" + id + "/contacts"),
                        json{{"contacts", campaign(3000, 100)["contacts"]}}.dump());
  INFO(more.raw);
  CHECK(more.status == 503);
  // Reads answer; nothing accepted before is lost; the daemon is up.
  CHECK(http_get(daemon.url("/healthz")).status == 200);
  auto before = http_get(daemon.url("/v1/campaigns/" + id));
  REQUIRE(before.status == 200);
  CHECK(before.body["data"]["counts"]["total"] == 10);
  CHECK(daemon.running());

  disk.free_space();
  auto again = http_post(daemon.url("/v1/campaigns"), campaign(3000, 100).dump());
  INFO(again.raw);
  REQUIRE(again.status == 201);
  CHECK(again.body["data"]["counts"]["total"] == 3000);
  REQUIRE(daemon.stop() == 0);

  Db db(daemon.db_path(), Db::Mode::read_only, 1000);
  auto& integrity = db.cached("PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.text(0) == "ok");
  integrity.reset();
  // The counters equal the calls: exactly the 10 + 3000 accepted, none of the refused ones half-stored.
  CHECK(db.cached("SELECT count(*) FROM calls").first_int64() == 3010);
  CHECK(db.cached("SELECT count(*) FROM contacts").first_int64() == 3010);
  CHECK(db.cached("SELECT sum(n) FROM campaign_counters WHERE state <> 'called'").first_int64() == 3010);
  CHECK(daemon.log().find("database's disk is full") == std::string::npos);  // the client's message, not the log's
  CHECK(daemon.log().find("database or disk is full") != std::string::npos);
}
