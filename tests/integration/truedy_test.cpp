// The real dialerd against a strict fake of Truedy on loopback.
#include <catch2/catch.hpp>
#include <ctime>
#include <set>

#include "dialerd/store/sqlite/db.hpp"
#include "fakes/fake_truedy.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

// The provider entry for `fake`, with `extra` on top (a "base_url" there points it elsewhere).
json config_for(const FakeTruedy& fake, json extra = json::object()) {
  json provider = fake.provider_config();
  provider["timeout_ms"] = 5000;
  provider.update(extra);
  return {{"providers", {{"truedy", provider}}}};
}

std::string phone(int i) {
  return nanp_phone(i, "415", 4000000);
}

json contacts(int n) {
  json list = json::array();
  for (int i = 0; i < n; ++i)
    list.push_back({{"phone_number", phone(i)},
                    {"first_name", "First" + std::to_string(i)},
                    {"last_name", "Last"},
                    {"variables", {{"account", "A" + std::to_string(i)}}}});
  return list;
}

json campaign(int n, int concurrency, json extra = json::object()) {
  json c = {{"name", "Q2 Outreach Campaign"}, {"agent_id", "agt_f9447372"}, {"provider", "truedy"},
            {"from_number", "+14157774444"},  {"concurrency", concurrency}, {"contacts", contacts(n)}};
  c.update(extra);
  return c;
}

// "HH:00" `hours` from now in UTC, so a window around now is open whenever the suite runs.
std::string utc_hour_from_now(int hours) {
  std::time_t t = std::time(nullptr) + hours * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:00", &tm);
  return buf;
}

// An IMF-fixdate `seconds` from now, as a Retry-After HTTP date.
std::string http_date_in(int seconds) {
  std::time_t t = std::time(nullptr) + seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

TEST_CASE("truedy: every contact reaches Truedy once in batches of at most 1000 with the campaign's settings") {
  TempDir dir;
  FakeTruedy fake;
  DaemonProcess daemon(dir, config_for(fake, {{"phone_number_ids", {"num_1", "num_2"}}}));
  fake.report_to(daemon.url("/v1/providers/truedy/events"), [](const std::string&, int) { return "completed"; });
  // Turned away once, certainly not placed: the chunk comes back after Retry-After.
  fake.inject(429, 1, "1");

  const int n = 2200;
  const std::string start = utc_hour_from_now(-1), end = utc_hour_from_now(2);
  auto id = create_campaign(daemon, campaign(n, 5000,
                                             {{"timezone", "UTC"},
                                              {"start_time", start},
                                              {"end_time", end},
                                              {"working_days", {1, 2, 3, 4, 5, 6, 7}},
                                              {"max_calls_per_day", 100000},
                                              {"phone_rotation_strategy", "sequential"}}));
  bool done = wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; });
  INFO(daemon.log());
  REQUIRE(done);

  CHECK(fake.violations().empty());
  auto batches = fake.batches();
  std::multiset<std::size_t> sizes;
  for (const auto& b : batches) {
    sizes.insert(b.body["contacts"].size());
    CHECK(b.body["name"] == "Q2 Outreach Campaign");
    CHECK(b.body["agent_id"] == "agt_f9447372");
    CHECK(b.body["schedule_type"] == "immediate");
    CHECK(b.body["timezone"] == "UTC");
    CHECK(b.body["start_time"] == start);
    CHECK(b.body["end_time"] == end);
    CHECK(b.body["working_days"] == json{1, 2, 3, 4, 5, 6, 7});
    CHECK(b.body["max_calls_per_day"] == 100000);
    CHECK(b.body["phone_number_ids"] == json{"num_1", "num_2"});
    CHECK(b.body["phone_rotation_strategy"] == "sequential");
    for (const auto& c : b.body["contacts"]) {
      auto i = std::stoi(c["phone_number"].get<std::string>().substr(5)) - 4000000;
      CHECK(c["first_name"] == "First" + std::to_string(i));
      CHECK(c["last_name"] == "Last");
      CHECK(c["account"] == "A" + std::to_string(i));
    }
  }
  CHECK(sizes == std::multiset<std::size_t>{200, 1000, 1000});
  auto seen = fake.received_numbers();
  REQUIRE(seen.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) CHECK(seen[phone(i)] == 1);
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["completed"] == n);
  CHECK(c["called"] == n);
  CHECK(c["failed"] == 0);
  CHECK(c["held"] == 0);
}

TEST_CASE("truedy: a 503 with an HTTP-date Retry-After is retried - the campaign's own phone_number_ids win") {
  TempDir dir;
  FakeTruedy fake;
  DaemonProcess daemon(dir, config_for(fake, {{"phone_number_ids", {"num_1"}}}));
  fake.report_to(daemon.url("/v1/providers/truedy/events"),
                 [](const std::string&, int times) { return times == 1 ? "no-answer" : "completed"; });
  fake.inject(503, 1, http_date_in(2));
  auto id = create_campaign(
      daemon,
      campaign(20, 100, {{"phone_number_ids", {"num_9", "num_8"}}, {"retry_attempts", 1}, {"retry_delay_seconds", 0}}));
  CHECK(campaign_of(daemon, id)["phone_number_ids"] == json{"num_9", "num_8"});
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  for (const auto& b : fake.batches()) CHECK(b.body["phone_number_ids"] == json{"num_9", "num_8"});
  // A no-answer is retried once: each number reached Truedy twice, as two attempts.
  for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 2);
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 20);
}

TEST_CASE("truedy: a provider that refuses connections leaves the calls pending - none held or failed") {
  TempDir dir;
  FakeTruedy fake;  // for its credentials only: the daemon is sent to a port that refuses connections
  DaemonProcess daemon(dir, config_for(fake, {{"base_url", "http://127.0.0.1:1"}}));
  auto id = create_campaign(daemon, campaign(3, 10));
  dialerd::store::sqlite::Db db(daemon.db_path(), dialerd::store::sqlite::Db::Mode::read_only, 1000);
  REQUIRE(wait_until([&] {
    auto& q = db.cached("SELECT count(*) FROM attempts WHERE outcome = 'not_submitted'");
    bool tried = q.step() && q.int64(0) >= 3;
    q.reset();
    return tried;
  }));
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["pending"] == 3);
  CHECK(c["held"] == 0);
  CHECK(c["failed"] == 0);
  CHECK(c["called"] == 0);
}

TEST_CASE("truedy: a 500 or an answer lost to a dropped connection holds the batch and never resends it") {
  TempDir dir;
  FakeTruedy fake;
  DaemonProcess daemon(dir, config_for(fake));
  SECTION("500") {
    fake.inject(500, 1);
  }
  SECTION("the connection is closed without an answer") {
    fake.inject_drop(1);
  }
  auto id = create_campaign(daemon, campaign(4, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 4; }));
  fake.report_to(daemon.url("/v1/providers/truedy/events"), [](const std::string&, int) { return "completed"; });
  auto later =
      create_campaign(daemon, campaign(0, 1, {{"contacts", json::array({{{"phone_number", "+14155550199"}}})}}));
  REQUIRE(wait_until([&] { return campaign_of(daemon, later)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  auto seen = fake.received_numbers();
  for (int i = 0; i < 4; ++i) CHECK(seen.count(phone(i)) == 0);
  CHECK(campaign_of(daemon, id)["counts"]["held"] == 4);
}
