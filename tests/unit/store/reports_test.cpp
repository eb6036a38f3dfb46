// The store's reports (issue 21): the 15-minute stats slots kept as calls are placed and end, and the CSV
// reports' rows read from one snapshot.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "dialerd/schedule/retry.hpp"
#include "dialerd/store/reports.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"
#include "store/sqlite/queue_sql.hpp"
#include "support/daemon_process.hpp"
#include "support/query_plan.hpp"

using namespace dialerd;
using namespace dialerd::domain;
using dialerd::store::Store;
using Kind = SubmitResult::Kind;
using dialerd::testing::query_plan;

namespace {

constexpr UnixMs kSlot = 900000;

CampaignSpec spec(int retries = 0, std::string workspace = "default") {
  CampaignSpec s;
  s.workspace = std::move(workspace);
  s.name = "stats";
  s.agent_id = "agent_1";
  s.provider = "acme";
  s.from_number = "+14155550100";
  s.concurrency = 10;
  s.retry_attempts = retries;
  s.retry_delay_s = 10;
  s.status = CampaignStatus::running;
  return s;
}

std::vector<ContactInput> people(int n, int offset = 0) {
  std::vector<ContactInput> out;
  for (int i = 0; i < n; ++i) {
    ContactInput c;
    c.phone = "+1415300" + std::to_string(1000 + offset + i);
    c.first_name = "P" + std::to_string(offset + i);
    out.push_back(c);
  }
  return out;
}

std::string pcid(const DispatchCall& c) {
  return "pc-" + std::to_string(c.id) + "-" + std::to_string(c.attempt);
}

std::vector<SubmitResult> accepted(const DispatchChunk& chunk) {
  std::vector<SubmitResult> out;
  for (const auto& c : chunk.calls) out.push_back({Kind::accepted, c.id, pcid(c), "", 0});
  return out;
}

// slot -> kind -> (n, completed, failed)
using Slots = std::map<UnixMs, std::map<std::string, std::tuple<std::int64_t, std::int64_t, std::int64_t>>>;
Slots slots_of(store::Reports& r, CampaignId id, UnixMs from = 0, UnixMs to = 1000 * kSlot) {
  Slots out;
  for (const auto& s : r.campaign_stats(id, from, to, from, "", 1000))
    out[s.slot][s.kind] = {s.n, s.completed, s.failed};
  return out;
}

}  // namespace

TEST_CASE("reports: stats count attempts when submitted and outcomes and ended calls in the slot they end") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  schedule::RetrySettings retry;
  retry.jitter = 0;
  s.set_outcome_rule(schedule::retry_rule(retry, [] { return 0.5; }));
  auto id = s.create_campaign(spec(1), people(5), 1000);
  auto chunk = *s.claim(*s.campaign(id), 5, 1000);
  REQUIRE(chunk.calls.size() == 5);
  const auto& k = chunk.calls;
  s.record_submission(chunk,
                      {{Kind::accepted, k[0].id, pcid(k[0]), "", 0},
                       {Kind::accepted, k[1].id, pcid(k[1]), "", 0},
                       {Kind::rejected, k[2].id, "", "invalid number", 0},
                       {Kind::not_submitted, k[3].id, "", "429", 5000},
                       {Kind::uncertain, k[4].id, "", "timeout after send", 0}},
                      2000);
  // In the slot they were submitted in: 5 claimed, one certainly not sent. The rejection and the held
  // call's "uncertain" end there too; the rejected call ended failed.
  auto got = slots_of(s.reports(), id);
  CHECK(got[0]["submitted"] == std::make_tuple(4, 0, 0));
  CHECK(got[0]["rejected"] == std::make_tuple(1, 0, 1));
  CHECK(got[0]["uncertain"] == std::make_tuple(1, 0, 0));
  CHECK(got[0].count("not_submitted") == 0);

  // Outcomes in the next slot: a completion, and a no-answer that is retried (no call ended).
  const UnixMs later = kSlot + 5;
  s.record_outcomes("acme", {{pcid(k[0]), Outcome::completed, ""}, {pcid(k[1]), Outcome::no_answer, ""}}, later);
  got = slots_of(s.reports(), id);
  CHECK(got[kSlot]["completed"] == std::make_tuple(1, 1, 0));
  CHECK(got[kSlot]["no_answer"] == std::make_tuple(1, 0, 0));
  CHECK(got[kSlot].count("submitted") == 0);

  // The retry and the call not sent go out in slot 2; the retry's no-answer ends its call failed.
  auto again = *s.claim(*s.campaign(id), 5, 2 * kSlot);
  REQUIRE(again.calls.size() == 2);
  s.record_submission(again, accepted(again), 2 * kSlot);
  for (const auto& c : again.calls)
    if (c.id == k[1].id) s.record_outcomes("acme", {{pcid(c), Outcome::no_answer, ""}}, 2 * kSlot + 10);
  // An operator fails the held call in slot 3.
  CHECK(s.resolve_held({k[4].id}, store::HeldAction::fail, "placed already", 3 * kSlot + 1).size() == 1);
  got = slots_of(s.reports(), id);
  CHECK(got[2 * kSlot]["submitted"] == std::make_tuple(2, 0, 0));
  CHECK(got[2 * kSlot]["no_answer"] == std::make_tuple(1, 0, 1));
  CHECK(got[3 * kSlot]["operator"] == std::make_tuple(0, 0, 1));

  // Every attempt is counted once: the slots agree with the attempts table.
  std::int64_t submitted = 0;
  for (auto& [slot, kinds] : got) submitted += std::get<0>(kinds["submitted"]);
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  CHECK(submitted == *db.cached("SELECT count(*) FROM attempts WHERE outcome IS NOT 'not_submitted'").first_int64());
}

TEST_CASE("reports: stats pages go on after their last slot and kind and keep to the range") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(3), 0);
  for (int i = 0; i < 3; ++i) {
    auto chunk = *s.claim(*s.campaign(id), 1, i * kSlot + 7);
    s.record_submission(chunk, accepted(chunk), i * kSlot + 7);
    s.record_outcomes("acme", {{pcid(chunk.calls[0]), Outcome::completed, ""}}, i * kSlot + 8);
  }
  auto other = s.create_campaign(spec(), people(1, 10), 0);
  auto chunk = *s.claim(*s.campaign(other), 1, kSlot);
  s.record_submission(chunk, accepted(chunk), kSlot);

  std::vector<std::pair<UnixMs, std::string>> seen;
  UnixMs after_slot = kSlot;
  std::string after_kind;
  for (;;) {
    auto page = s.reports().campaign_stats(id, kSlot, 3 * kSlot, after_slot, after_kind, 1);
    if (page.empty()) break;
    REQUIRE(page.size() == 1);
    seen.emplace_back(page[0].slot, page[0].kind);
    after_slot = page[0].slot;
    after_kind = page[0].kind;
  }
  // Slots 1 and 2 of this campaign only (slot 0 is before the range, slot 3 would be at its end).
  CHECK(seen == std::vector<std::pair<UnixMs, std::string>>{
                    {kSlot, "completed"}, {kSlot, "submitted"}, {2 * kSlot, "completed"}, {2 * kSlot, "submitted"}});
}

TEST_CASE("reports: the stats and report statements read along indexes - no sort, no scan of attempts") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto stats = query_plan(db, store::sql::kStatSlots);
  INFO(stats);
  CHECK(stats.find("SEARCH campaign_stats USING PRIMARY KEY (campaign_id=? AND (slot,kind)>(?,?) AND slot<?)") !=
        std::string::npos);
  CHECK(stats.find("TEMP B-TREE") == std::string::npos);
  for (const char* sql : store::sql::kReportStates) {
    auto plan = query_plan(db, sql);
    INFO(sql << "\n" << plan);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);
    // Calls in progress are few (the concurrency of all campaigns): their partial index is read whole.
    const std::string in_progress = "SCAN k USING INDEX calls_in_progress";
    if (auto at = plan.find(in_progress); at != std::string::npos) plan.erase(at, in_progress.size());
    CHECK(plan.find("SCAN") == std::string::npos);
  }
  auto attempted = query_plan(db, store::sql::kReportAttempted);
  INFO(attempted);
  CHECK(attempted.find("SEARCH a USING INDEX attempts_campaign_time (campaign_id=? AND submitted_at>? AND "
                       "submitted_at<?)") != std::string::npos);
  CHECK(attempted.find("TEMP B-TREE") == std::string::npos);
  CHECK(attempted.find("SCAN") == std::string::npos);
}

TEST_CASE("reports: a campaign report reads one snapshot - each call once as it stood when the report began") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto input = people(6);
  input[0].variables = {{"plan", "gold"}};
  input[0].last_name = "Ng";
  auto id = s.create_campaign(spec(), input, 1000);
  auto chunk = *s.claim(*s.campaign(id), 2, 2000);
  s.record_submission(chunk, accepted(chunk), 2000);
  s.record_outcomes("acme", {{pcid(chunk.calls[0]), Outcome::completed, ""}}, 3000);

  auto rows = s.reports().campaign_report(id);
  auto first = rows->next(2);
  REQUIRE(first.size() == 2);
  // The daemon goes on: every pending call is placed and completes.
  auto rest = *s.claim(*s.campaign(id), 10, 4000);
  s.record_submission(rest, accepted(rest), 4000);
  for (const auto& c : rest.calls) s.record_outcomes("acme", {{pcid(c), Outcome::completed, ""}}, 5000);
  auto more = rows->next(100);
  CHECK(rows->done());
  CHECK(rows->next(100).empty());

  std::map<CallId, store::ReportRow> by_id;
  std::vector<std::string> states;
  for (const auto* page : {&first, &more})
    for (const auto& r : *page) {
      CHECK(by_id.emplace(r.call_id, r).second);  // no call twice
      states.push_back(std::string(to_string(r.state)));
    }
  CHECK(by_id.size() == 6);
  // As at the start: grouped by state (completed, in_progress, pending), not as the daemon left them.
  CHECK(states == std::vector<std::string>{"completed", "in_progress", "pending", "pending", "pending", "pending"});
  const auto& done = by_id.at(chunk.calls[0].id);
  CHECK(done.campaign_id == id);
  CHECK(done.campaign_name == "stats");
  CHECK(done.phone == input[0].phone);
  CHECK(done.first_name == "P0");
  CHECK(done.last_name == "Ng");
  CHECK(nlohmann::json::parse(done.variables)["plan"] == "gold");
  CHECK(done.attempts == 1);
  CHECK(done.last_outcome == "completed");
  CHECK(done.last_attempt_at == 2000);
  CHECK(done.created_at == 1000);
  CHECK(done.updated_at == 3000);
  CHECK_FALSE(by_id.at(chunk.calls[1].id).last_attempt_at == std::nullopt);
  for (const auto& [call, r] : by_id)
    if (r.state == CallState::pending) CHECK(r.last_attempt_at == std::nullopt);
}

TEST_CASE("reports: a workspace report lists its calls attempted in the range once - no other workspace's") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  schedule::RetrySettings retry;
  retry.jitter = 0;
  s.set_outcome_rule(schedule::retry_rule(retry, [] { return 0.5; }));
  auto theirs = s.create_campaign(spec(0, "other"), people(2, 10), 0);
  // Call A: attempts at 1000 and 20000 (both in range); call B: at 1000, not retried; call C: never (it
  // waits for its not_before).
  auto input = people(3);
  input[2].not_before = 1000000;
  auto mine = s.create_campaign(spec(2, "acme"), input, 0);
  auto chunk = *s.claim(*s.campaign(mine), 2, 1000);
  s.record_submission(chunk, accepted(chunk), 1000);
  s.record_outcomes("acme", {{pcid(chunk.calls[0]), Outcome::no_answer, ""}}, 1500);
  s.record_outcomes("acme", {{pcid(chunk.calls[1]), Outcome::completed, ""}}, 1500);
  auto retry_chunk = *s.claim(*s.campaign(mine), 1, 20000);
  REQUIRE(retry_chunk.calls.size() == 1);
  REQUIRE(retry_chunk.calls[0].id == chunk.calls[0].id);
  s.record_submission(retry_chunk, accepted(retry_chunk), 20000);
  auto other_chunk = *s.claim(*s.campaign(theirs), 2, 1000);
  s.record_submission(other_chunk, accepted(other_chunk), 1000);

  auto ids = [&](UnixMs from, UnixMs to, const std::string& workspace) {
    std::vector<CallId> out;
    auto rows = s.reports().workspace_report(workspace, from, to);
    while (!rows->done())
      for (const auto& r : rows->next(1)) out.push_back(r.call_id);
    return out;
  };
  CHECK(ids(0, 30000, "acme") == std::vector<CallId>{chunk.calls[0].id, chunk.calls[1].id});
  CHECK(ids(5000, 30000, "acme") == std::vector<CallId>{chunk.calls[0].id});  // its retry only
  CHECK(ids(0, 1000, "acme").empty());                                        // the range ends before
  auto other_ids = ids(0, 30000, "other");
  CHECK(other_ids.size() == 2);
  for (auto id : other_ids) CHECK(id != chunk.calls[0].id);
  CHECK(ids(0, 30000, "nobody").empty());
}

TEST_CASE("reports: a page reads a bounded number of rows - a call's thousands of later attempts make empty pages") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(0, "acme"), people(1), 0);
  auto chunk = *s.claim(*s.campaign(id), 1, 1000);
  s.record_submission(chunk, accepted(chunk), 1000);
  {
    // 12,000 later attempts of the same call (as an operator releasing it over and over would leave).
    store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
    db.exec(R"sql(
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, submitted_at, outcome, finished_at)
SELECT k.id, k.campaign_id, k.contact_id, 1 + i, 'later-' || i, 1000 + i, 'no_answer', 1000 + i
FROM n, calls k)sql");
  }
  auto rows = s.reports().workspace_report("acme", 0, 1000000);
  std::vector<std::size_t> pages;
  std::size_t listed = 0;
  while (!rows->done()) {
    auto page = rows->next(500);
    pages.push_back(page.size());
    listed += page.size();
  }
  CHECK(listed == 1);  // the call, once
  CHECK(pages.size() >= 3);
  CHECK(std::count(pages.begin(), pages.end(), 0u) >= 1);  // pages that only passed over rows
}

TEST_CASE("reports: a call listed twice in one answer keeps the answer that moved it - its outcome is counted") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(1), 0);
  auto chunk = *s.claim(*s.campaign(id), 1, 1000);
  const auto& k = chunk.calls[0];
  s.record_submission(chunk, {{Kind::accepted, k.id, pcid(k), "", 0}, {Kind::rejected, k.id, "", "duplicate", 0}},
                      1000);
  CHECK(s.reports().call_detail(k.id)->state == CallState::in_progress);
  CHECK(s.reports().call_detail(k.id)->history.at(0).outcome.empty());  // not "rejected": still in flight
  s.record_outcomes("acme", {{pcid(k), Outcome::completed, ""}}, 2000);
  auto got = slots_of(s.reports(), id);
  CHECK(got[0]["completed"] == std::make_tuple(1, 1, 0));
  CHECK(got[0].count("rejected") == 0);
}
