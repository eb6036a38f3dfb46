#include <array>
#include <catch2/catch.hpp>
#include <string_view>

#include <sqlite3.h>
#include <map>
#include <random>
#include <set>

#include "dialerd/schedule/compliance.hpp"
#include "dialerd/store/reports.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
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

CampaignSpec spec(int concurrency = 10, int retries = 0) {
  CampaignSpec s;
  s.name = "test";
  s.agent_id = "agent_1";
  s.provider = "acme";
  s.from_number = "+14155550100";
  s.concurrency = concurrency;
  s.retry_attempts = retries;
  s.retry_delay_s = 10;
  s.status = CampaignStatus::running;
  return s;
}

std::vector<ContactInput> people(int n, int offset = 0) {
  std::vector<ContactInput> out;
  for (int i = 0; i < n; ++i) {
    ContactInput c;
    c.phone = "+1415200" + std::to_string(1000 + offset + i);
    c.first_name = "P" + std::to_string(offset + i);
    out.push_back(c);
  }
  return out;
}

schedule::RetrySettings no_jitter() {
  schedule::RetrySettings r;
  r.jitter = 0;
  return r;
}

std::vector<SubmitResult> all(const DispatchChunk& chunk, Kind kind, const std::string& prefix = "pc-") {
  std::vector<SubmitResult> out;
  for (const auto& c : chunk.calls)
    out.push_back({kind, c.id,
                   kind == Kind::accepted ? prefix + std::to_string(c.id) + "-" + std::to_string(c.attempt) : "", "why",
                   5000});
  return out;
}

void check_invariant(Store& s, CampaignId id, std::int64_t total) {
  auto c = s.counts(id);
  CHECK(c.total() == total);
}

}  // namespace

TEST_CASE("store: a new database is migrated to the current schema in WAL mode") {
  testing::TempDir dir;
  { Store s({dir.file("q.db")}); }
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& v = db.cached("PRAGMA user_version");
  REQUIRE(v.step());
  CHECK(v.int64(0) == store::sqlite::schema_version());
  v.reset();
  auto& mode = db.cached("PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  { Store again({dir.file("q.db")}); }  // reopening is a no-op
}

TEST_CASE("store: a database from a newer dialerd is refused") {
  testing::TempDir dir;
  {
    store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
    db.exec("PRAGMA user_version = 999");
  }
  CHECK_THROWS_WITH(Store({dir.file("q.db")}), Catch::Contains("newer than this dialerd"));
}

TEST_CASE("store: a campaign and its calls are created together - duplicates update the pending call") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto contacts = people(3);
  auto dup = contacts[1];
  dup.variables = {{"note", "second record"}};
  contacts.push_back(dup);
  auto id = s.create_campaign(spec(), contacts, 1000);
  auto c = s.campaign(id);
  REQUIRE(c);
  CHECK(c->spec.name == "test");
  CHECK(c->status == CampaignStatus::running);
  auto counts = s.counts(id);
  CHECK(counts.total() == 3);
  CHECK(counts.pending == 3);
  CHECK(counts.called == 0);
  CHECK_FALSE(s.campaign(id + 1));
}

TEST_CASE("store: claim marks due calls dispatching under one key in due order up to the limit") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(5), 1000);
  auto campaign = *s.campaign(id);
  CHECK_FALSE(s.claim(campaign, 3, 999));  // not due before its creation instant
  auto chunk = s.claim(campaign, 3, 1000);
  REQUIRE(chunk);
  CHECK(chunk->calls.size() == 3);
  CHECK(chunk->calls[0].attempt == 1);
  CHECK(chunk->calls[0].parsed_variables()["first_name"] == "P0");
  CHECK(s.counts(id).dispatching == 3);
  CHECK(s.counts(id).called == 3);
  CHECK(s.in_flight(id) == 3);
  auto second = s.claim(campaign, 10, 1000);
  REQUIRE(second);
  CHECK(second->calls.size() == 2);
  CHECK(second->idempotency_key != chunk->idempotency_key);
  CHECK_FALSE(s.claim(campaign, 10, 1000));
}

TEST_CASE("store: submission answers move each call once") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(4), 1000);
  auto chunk = *s.claim(*s.campaign(id), 4, 1000);
  std::vector<SubmitResult> answers = {
      {Kind::accepted, chunk.calls[0].id, "pc-0", "", 0},
      {Kind::rejected, chunk.calls[1].id, "", "invalid number", 0},
      {Kind::not_submitted, chunk.calls[2].id, "", "429", 5000},
      {Kind::uncertain, chunk.calls[3].id, "", "timeout after send", 0},
  };
  s.record_submission(chunk, answers, 2000);
  auto c = s.counts(id);
  CHECK(c.in_progress == 1);
  CHECK(c.failed == 1);
  CHECK(c.pending == 1);
  CHECK(c.held == 1);
  CHECK(c.called == 3);  // the not-submitted call was never placed
  CHECK(s.next_due(id) == 7000);
  // Recording the same answers again changes nothing.
  s.record_submission(chunk, answers, 2500);
  auto again = s.counts(id);
  CHECK(again.in_progress == 1);
  CHECK(again.pending == 1);
  CHECK(s.next_due(id) == 7000);
}

TEST_CASE("store: outcomes complete retry or fail calls - duplicates and strangers change nothing") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  s.set_outcome_rule(schedule::retry_rule(no_jitter(), [] { return 0.5; }));
  auto id = s.create_campaign(spec(10, 1), people(3), 1000);
  auto chunk = *s.claim(*s.campaign(id), 3, 1000);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1000);

  auto applied = s.record_outcomes("acme",
                                   {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::completed, ""},
                                    {"pc-" + std::to_string(chunk.calls[1].id) + "-1", Outcome::no_answer, ""},
                                    {"pc-" + std::to_string(chunk.calls[2].id) + "-1", Outcome::cancelled, ""},
                                    {"pc-unknown", Outcome::completed, ""}},
                                   2000);
  REQUIRE(applied.size() == 4);
  CHECK(applied[0].state == CallState::completed);
  CHECK(applied[1].state == CallState::pending);
  CHECK(applied[2].state == CallState::failed);
  CHECK(applied[3].effect == store::OutcomeApplied::Effect::unknown_call);
  CHECK(s.next_due(id) == 2000 + 10 * 1000);

  // The same event again, and an event from another provider's name, are no-ops.
  auto dup = s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::failed, ""}}, 3000);
  CHECK(dup[0].effect == store::OutcomeApplied::Effect::duplicate);
  auto other =
      s.record_outcomes("other", {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::failed, ""}}, 3000);
  CHECK(other[0].effect == store::OutcomeApplied::Effect::unknown_call);
  auto c = s.counts(id);
  CHECK(c.completed == 1);
  CHECK(c.failed == 1);
  CHECK(c.pending == 1);

  // The retry goes out as attempt 2; a late event for attempt 1 is a duplicate.
  auto claimed = s.claim(*s.campaign(id), 10, 12000);
  REQUIRE(claimed);
  auto retry = *claimed;
  REQUIRE(retry.calls.size() == 1);
  CHECK(retry.calls[0].attempt == 2);
  s.record_submission(retry, all(retry, Kind::accepted), 12000);
  auto late =
      s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[1].id) + "-1", Outcome::completed, ""}}, 13000);
  CHECK(late[0].effect == store::OutcomeApplied::Effect::duplicate);
  auto last =
      s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[1].id) + "-2", Outcome::no_answer, ""}}, 14000);
  CHECK(last[0].state == CallState::failed);  // retry budget of 1 spent
  CHECK(s.complete_if_done(id, 15000));
  CHECK(s.campaign(id)->status == CampaignStatus::completed);
}

TEST_CASE("store: an outcome follows the campaign's retry_policy - read with the call, changed by PATCH") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  s.set_outcome_rule(schedule::retry_rule(no_jitter(), [] { return 0.5; }));
  auto campaign_spec = spec(10, 3);
  campaign_spec.retry_policy[Outcome::voicemail] = OutcomeRetry{true, 60, std::nullopt};
  campaign_spec.retry_policy[Outcome::busy] = OutcomeRetry{false, std::nullopt, std::nullopt};
  auto id = s.create_campaign(campaign_spec, people(3), 1000);
  auto chunk = *s.claim(*s.campaign(id), 3, 1000);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1000);
  auto event = [&](int i, Outcome o) { return OutcomeReport{"pc-" + std::to_string(chunk.calls[i].id) + "-1", o, ""}; };
  auto applied = s.record_outcomes("acme", {event(0, Outcome::voicemail), event(1, Outcome::busy)}, 2000);
  CHECK(applied[0].state == CallState::pending);  // voicemail retried, 60 s later
  CHECK(applied[1].state == CallState::failed);   // busy is not, though config retries it
  CHECK(s.next_due(id) == 2000 + 60 * 1000);
  // PATCH takes busy out of the policy: the config decides again.
  campaign_spec.retry_policy.erase(Outcome::busy);
  s.update_settings(id, campaign_spec, 2500);
  CHECK(s.record_outcomes("acme", {event(2, Outcome::busy)}, 3000)[0].state == CallState::pending);
  // A policy edited by hand into something else: the outcome still lands, by config retry.* alone.
  auto again = *s.claim(*s.campaign(id), 3, 200000);
  REQUIRE(again.calls.size() == 2);
  s.record_submission(again, all(again, Kind::accepted), 200000);
  {
    store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE campaigns SET retry_policy = '[1]'");
  }
  auto landed = s.record_outcomes(
      "acme", {OutcomeReport{"pc-" + std::to_string(again.calls[0].id) + "-2", Outcome::voicemail, ""}}, 201000);
  CHECK(landed[0].effect == store::OutcomeApplied::Effect::applied);
  CHECK(landed[0].state == CallState::completed);
}

TEST_CASE("store: an opt-out suppresses the number for the workspace and skips its pending calls at once") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  s.set_outcome_rule(schedule::retry_rule(no_jitter(), [] { return 0.5; }));
  auto first = s.create_campaign(spec(10, 3), people(2), 1000);
  auto second = s.create_campaign(spec(), people(2), 1000);  // the same two people, pending
  auto elsewhere_spec = spec();
  elsewhere_spec.workspace = "other";
  auto elsewhere = s.create_campaign(elsewhere_spec, people(1), 1000);  // the same number, another workspace
  const auto phone0 = people(1)[0].phone, phone1 = people(2)[1].phone;
  s.add_suppression({"default", phone1, "cease and desist letter", "api", std::nullopt, 500});
  auto chunk = *s.claim(*s.campaign(first), 2, 1000);
  REQUIRE(chunk.calls.size() == 2);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1000);

  auto applied = s.record_outcomes("acme",
                                   {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::opted_out, ""},
                                    {"pc-" + std::to_string(chunk.calls[1].id) + "-1", Outcome::opted_out, ""}},
                                   2000);
  REQUIRE(applied.size() == 2);
  // Completed (a conversation), never retried though the campaign has retries left.
  CHECK(applied[0].state == CallState::completed);
  CHECK(applied[0].skipped == 1);
  auto suppressed = s.suppression("default", phone0);
  REQUIRE(suppressed);
  CHECK(suppressed->source == "call");
  CHECK(suppressed->reason ==
        "asked not to be called (opted out during call " + std::to_string(chunk.calls[0].id) + ")");
  // A suppression the workspace had keeps its reason.
  CHECK(s.suppression("default", phone1)->reason == "cease and desist letter");
  auto c = s.counts(second);
  CHECK(c.skipped == 2);
  CHECK(c.pending == 0);
  // Another workspace's record of the number is not touched.
  CHECK_FALSE(s.suppression("other", phone0));
  CHECK(s.counts(elsewhere).pending == 1);
  CHECK(s.counts(first).completed == 2);
  // The same event again changes nothing.
  auto dup =
      s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::opted_out, ""}}, 3000);
  CHECK(dup[0].effect == store::OutcomeApplied::Effect::duplicate);
  CHECK(dup[0].skipped == 0);
}

TEST_CASE("store: calls left dispatching by a crash are held at start-up never redialled") {
  testing::TempDir dir;
  CampaignId id;
  {
    Store s({dir.file("q.db")});
    id = s.create_campaign(spec(), people(3), 1000);
    auto sent = s.claim(*s.campaign(id), 2, 1000);
    s.mark_sent(sent->idempotency_key, 1000);  // the request left: "crash" before the answer is recorded
  }
  Store s({dir.file("q.db")});
  auto rec = s.reconcile_dispatching([](const std::string&) { return false; }, "restart", 5000);
  CHECK(rec.held == 2);
  CHECK(rec.resubmit.empty());
  auto c = s.counts(id);
  CHECK(c.held == 2);
  CHECK(c.pending == 1);
  auto next = s.claim(*s.campaign(id), 10, 6000);
  REQUIRE(next);
  CHECK(next->calls.size() == 1);
  CHECK_FALSE(s.complete_if_done(id, 7000));  // held calls keep the campaign open
}

TEST_CASE("store: scheduled campaigns report their trigger") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto sp = spec();
  sp.schedule_type = "scheduled";
  sp.trigger_at = 50000;
  sp.status = CampaignStatus::scheduled;
  auto id = s.create_campaign(sp, people(1), 1000);
  CHECK(s.next_trigger() == 50000);
  CHECK(s.triggered_campaigns(49999).empty());
  CHECK(s.triggered_campaigns(50000) == std::vector<CampaignId>{id});
  CHECK(s.set_campaign_status(id, CampaignStatus::running, 50000));
  CHECK_FALSE(s.set_campaign_status(id, CampaignStatus::draft, 50001));
}

TEST_CASE("store: the count invariant holds through a random sequence of operations") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  std::mt19937 rng(12345);
  const int n = 300;
  auto id = s.create_campaign(spec(50, 2), people(n), 0);
  std::vector<DispatchChunk> sent;
  std::vector<std::string> accepted_ids;
  UnixMs now = 0;
  for (int step = 0; step < 400; ++step) {
    now += 1000 * (rng() % 20);
    switch (rng() % 4) {
      case 0: {
        if (auto chunk = s.claim(*s.campaign(id), 1 + static_cast<int>(rng() % 40), now)) sent.push_back(*chunk);
        break;
      }
      case 1: {
        if (sent.empty()) break;
        auto chunk = sent.back();
        sent.pop_back();
        std::vector<SubmitResult> res;
        for (const auto& c : chunk.calls) {
          auto kind = static_cast<Kind>(rng() % 4);
          std::string pcid = "r-" + std::to_string(c.id) + "-" + std::to_string(c.attempt);
          res.push_back({kind, c.id, kind == Kind::accepted ? pcid : "", "random", 1000});
          if (kind == Kind::accepted) accepted_ids.push_back(pcid);
        }
        s.record_submission(chunk, res, now);
        break;
      }
      case 2: {
        if (accepted_ids.empty()) break;
        std::vector<domain::OutcomeReport> reports;
        for (int k = 0; k < 5 && !accepted_ids.empty(); ++k) {
          auto i = rng() % accepted_ids.size();
          reports.push_back({accepted_ids[i], static_cast<Outcome>(rng() % 7), ""});
          if (rng() % 3) accepted_ids.erase(accepted_ids.begin() + static_cast<long>(i));  // sometimes resend
        }
        s.record_outcomes("acme", reports, now);
        break;
      }
      case 3:
        if (rng() % 10 == 0) {
          s.reconcile_dispatching([](const std::string&) { return false; }, "random restart", now);
          sent.clear();
        }
        break;
    }
    check_invariant(s, id, n);
    auto c = s.counts(id);
    CHECK(c.in_flight() == s.in_flight(id));
    CHECK(c.called <= n);
  }
  // Cross-check the trigger-kept counters against the calls themselves.
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& q = db.cached("SELECT count(*) FROM calls WHERE attempts > 0");
  REQUIRE(q.step());
  CHECK(q.int64(0) == s.counts(id).called);
  q.reset();
  auto counted = s.counts(id);
  auto& by_state = db.cached("SELECT state, count(*) FROM calls GROUP BY state");
  std::map<std::string, std::int64_t> truth;
  while (by_state.step()) truth[by_state.text(0)] = by_state.int64(1);
  CHECK(truth["pending"] == counted.pending);
  CHECK(truth["dispatching"] == counted.dispatching);
  CHECK(truth["in_progress"] == counted.in_progress);
  CHECK(truth["completed"] == counted.completed);
  CHECK(truth["failed"] == counted.failed);
  CHECK(truth["held"] == counted.held);
  CHECK(truth["skipped"] == counted.skipped);
  auto& bad = db.cached("SELECT count(*) FROM calls WHERE attempts > 3");
  REQUIRE(bad.step());
  CHECK(bad.int64(0) == 0);  // one retry budget: never more than 1 + retry_attempts submissions
}

TEST_CASE("store: an outcome that arrives before its submission answer is kept and applied with the answer") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10, 0), people(2), 1000);
  auto chunk = *s.claim(*s.campaign(id), 2, 1000);
  // The provider's callback beats its HTTP response.
  auto early =
      s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::completed, ""}}, 1100);
  CHECK(early[0].effect == store::OutcomeApplied::Effect::deferred);
  CHECK(s.counts(id).dispatching == 2);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1200);
  auto c = s.counts(id);
  CHECK(c.completed == 1);
  CHECK(c.in_progress == 1);
  // With nothing in flight, an unknown id is just unknown.
  auto none = s.record_outcomes("acme", {{"pc-nobody", Outcome::completed, ""}}, 1300);
  CHECK(none[0].effect == store::OutcomeApplied::Effect::unknown_call);
}

TEST_CASE("store: the database enforces exactly the domain state machines") {
  testing::TempDir dir;
  { Store s({dir.file("q.db")}); }
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
  const CallState states[] = {CallState::pending, CallState::dispatching, CallState::in_progress, CallState::completed,
                              CallState::failed,  CallState::skipped,     CallState::held};
  for (auto from : states)
    for (auto to : states) {
      if (from == to) continue;
      auto& q = db.cached("SELECT count(*) FROM call_transitions WHERE from_state = ?1 AND to_state = ?2");
      q.bind(1, to_string(from)).bind(2, to_string(to));
      REQUIRE(q.step());
      INFO(to_string(from) << " -> " << to_string(to));
      CHECK((q.int64(0) == 1) == can_transition(from, to));
      q.reset();
    }
  const CampaignStatus statuses[] = {CampaignStatus::draft,  CampaignStatus::scheduled, CampaignStatus::running,
                                     CampaignStatus::paused, CampaignStatus::completed, CampaignStatus::cancelled};
  for (auto from : statuses)
    for (auto to : statuses) {
      if (from == to) continue;
      auto& q = db.cached("SELECT count(*) FROM campaign_transitions WHERE from_status = ?1 AND to_status = ?2");
      q.bind(1, to_string(from)).bind(2, to_string(to));
      REQUIRE(q.step());
      INFO(to_string(from) << " -> " << to_string(to));
      CHECK((q.int64(0) == 1) == can_transition(from, to));
      q.reset();
    }
}

TEST_CASE("store: an illegal state change is refused by the database itself") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(1), 1000);
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_write, 1000);
  CHECK_THROWS_WITH(db.exec("UPDATE calls SET state = 'completed'"), Catch::Contains("illegal call state transition"));
  CHECK_THROWS_WITH(db.exec("UPDATE campaigns SET status = 'draft'"),
                    Catch::Contains("illegal campaign status transition"));
  CHECK(s.counts(id).pending == 1);
}

TEST_CASE("store: reconciliation resubmits idempotent providers' chunks under the same key and holds the rest") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto sim = spec();
  sim.provider = "sim";
  auto a = s.create_campaign(spec(), people(3), 1000);
  auto b = s.create_campaign(sim, people(3, 100), 1000);
  auto chunk_a = *s.claim(*s.campaign(a), 3, 1000);
  auto chunk_b = *s.claim(*s.campaign(b), 2, 1000);
  s.mark_sent(chunk_a.idempotency_key, 1000);
  auto rec = s.reconcile_dispatching([](const std::string& p) { return p == "sim"; }, "restart", 2000);
  CHECK(rec.held == 3);
  REQUIRE(rec.resubmit.size() == 1);
  CHECK(rec.resubmit[0].idempotency_key == chunk_b.idempotency_key);
  CHECK(rec.resubmit[0].campaign.spec.provider == "sim");
  REQUIRE(rec.resubmit[0].calls.size() == 2);
  CHECK(rec.resubmit[0].calls[0].id == chunk_b.calls[0].id);
  CHECK(rec.resubmit[0].calls[0].attempt == 1);
  CHECK(rec.resubmit[0].calls[0].phone == chunk_b.calls[0].phone);
  CHECK(s.counts(b).dispatching == 2);  // still dispatching until the resubmission is answered
  s.record_submission(rec.resubmit[0], all(rec.resubmit[0], Kind::accepted), 3000);
  CHECK(s.counts(b).in_progress == 2);
  CHECK(s.counts(b).called == 2);
  CHECK(s.counts(a).held == 3);
  (void)chunk_a;
}

TEST_CASE(
    "store: cancelling skips pending calls and a late retryable outcome fails its call instead of requeueing it") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10, 3), people(3), 1000);
  auto chunk = *s.claim(*s.campaign(id), 1, 1000);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1000);
  CHECK(s.cancel_campaign(id, "campaign cancelled", 2000));
  CHECK_FALSE(s.cancel_campaign(id, "again", 2001));  // already cancelled: the state machine says no
  auto c = s.counts(id);
  CHECK(c.skipped == 2);
  CHECK(c.in_progress == 1);
  auto applied =
      s.record_outcomes("acme", {{"pc-" + std::to_string(chunk.calls[0].id) + "-1", Outcome::no_answer, ""}}, 3000);
  CHECK(applied[0].state == CallState::failed);
  CHECK(s.counts(id).pending == 0);
}

TEST_CASE("store: a big campaign is cancelled a slice at a time - a stop in between is finished at start-up") {
  testing::TempDir dir;
  const int n = Store::kCancelSlice * 2 + 10;
  {
    Store s({dir.file("q.db")});
    auto id = s.create_campaign(spec(10, 3), people(n), 1000);
    auto other = s.create_campaign(spec(10, 3), people(5, n), 1000);
    REQUIRE(s.cancel_campaign(id, "campaign cancelled", 2000));
    CHECK(s.campaign(id)->status == CampaignStatus::cancelled);
    CHECK(s.counts(id).skipped == Store::kCancelSlice);
    CHECK(s.counts(id).pending == n - Store::kCancelSlice);
    CHECK(s.skip_pending(id, "campaign cancelled", 2001, Store::kCancelSlice) == Store::kCancelSlice);
    CHECK(s.counts(id).pending == 10);
    CHECK(s.counts(other).pending == 5);  // another campaign's calls are never touched
  }
  Store s({dir.file("q.db")});  // "restarted" with 10 calls left pending
  CHECK(s.finish_cancels(3000) == 10);
  CHECK(s.counts(1).pending == 0);
  CHECK(s.counts(1).skipped == n);
  CHECK(s.counts(2).pending == 5);
  CHECK(s.finish_cancels(3001) == 0);
}

TEST_CASE("store: an operator releases or fails held calls and nothing else") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(4), 1000);
  auto chunk = *s.claim(*s.campaign(id), 3, 1000);
  s.mark_sent(chunk.idempotency_key, 1000);
  s.reconcile_dispatching([](const std::string&) { return false; }, "restart", 2000);
  auto held = s.held_calls(id);
  REQUIRE(held.size() == 3);
  CHECK(s.reports().call_ref(held[0])->state == CallState::held);
  auto released = s.resolve_held({held[0]}, store::HeldAction::release, "checked with provider", 3000);
  CHECK(released == std::vector<CallId>{held[0]});
  auto failed = s.resolve_held({held[1], held[2], held[0]}, store::HeldAction::fail, "placed already", 3000);
  CHECK(failed == std::vector<CallId>{held[1], held[2]});  // held[0] is pending now, untouched
  auto c = s.counts(id);
  CHECK(c.held == 0);
  CHECK(c.pending == 2);
  CHECK(c.failed == 2);
  CHECK(c.called == 3);
  auto again = s.claim(*s.campaign(id), 10, 3000);
  REQUIRE(again);
  CHECK(again->calls.size() == 2);
  (void)chunk;
}

TEST_CASE("store: the per-contact cap counts calls from every campaign when a claim is judged") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  // Two campaigns share one contact in New York; the cap is one call per contact-local day.
  ContactInput ann;
  ann.phone = "+12125550100";
  ann.timezone = "America/New_York";
  auto a = s.create_campaign(spec(), {ann}, 0);
  auto b = s.create_campaign(spec(), {ann}, 0);
  schedule::LegalRules legal;
  legal.contact_daily_cap = 1;
  const UnixMs noon = 1763917200000;  // 2025-11-23T17:00:00Z, 12:00 in New York
  auto judge_for = [&](CampaignId id) {
    return [&, id](const store::Candidate& c, store::History& h) {
      std::string err;
      auto rules = *schedule::campaign_rules(*s.campaign(id), err);
      auto place = schedule::ContactPlace{{schedule::find_zone(*c.contact_timezone)}, "contact", "US-NY"};
      schedule::CallFacts facts;
      facts.contact_calls_today =
          h.contact_calls_since(c.call.contact_id, schedule::local_day_start(place.zones[0], noon));
      auto d = schedule::decide(rules, place, facts, legal, noon);
      store::Verdict v;
      v.kind =
          d.kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch : store::Verdict::Kind::wait;
      v.until = d.until.value_or(0);
      v.reason = d.reason;
      return v;
    };
  };
  store::ClaimOptions options;
  options.limit = 10;
  auto first = s.claim(*s.campaign(a), options, noon, judge_for(a));
  REQUIRE(first);
  CHECK(first->calls.size() == 1);
  // Her call ends (while it is out, campaign B's call would wait for it: one call out per contact).
  s.record_submission(*first, all(*first, Kind::accepted), noon);
  s.record_outcomes("acme", {{"pc-" + std::to_string(first->calls[0].id) + "-1", Outcome::completed, ""}}, noon);
  // Campaign B's call to the same person waits for her next day's respectful hours: 08:00 EST.
  CHECK_FALSE(s.claim(*s.campaign(b), options, noon, judge_for(b)));
  CHECK(s.next_due(b) == 1763989200000);  // 2025-11-24T13:00:00Z
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& q = db.cached("SELECT last_error FROM calls WHERE campaign_id = ?1");
  q.bind(1, b);
  REQUIRE(q.step());
  CHECK_THAT(q.text(0), Catch::Contains("contact-daily-cap"));
}

TEST_CASE("store: a claim sees the calls it has taken already - a second due call of a contact waits") {
  // A claim writes its chunk in one statement per table, after judging; a contact whose call it has taken
  // is then looked up exactly, so a second due call of the same contact sees the first one out and waits.
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  ContactInput ann;
  ann.phone = "+12125550100";
  ann.timezone = "America/New_York";
  const UnixMs day1 = 1763917200000;  // 2025-11-23T17:00:00Z, 12:00 in New York
  const UnixMs day2 = day1 + 24 * 3600 * 1000;
  auto id = s.create_campaign(spec(), {ann}, day1);
  // Her first call goes out on day 1, its answer is unknown (held); a second record adds a second call, and
  // the operator then releases the first: two due calls of one contact in one campaign.
  auto held = s.claim(*s.campaign(id), 10, day1);
  REQUIRE(held);
  s.record_submission(*held, all(*held, Kind::uncertain), day1);
  s.add_contacts(id, {ann}, day1 + 1000);
  REQUIRE(s.resolve_held({held->calls[0].id}, store::HeldAction::release, "checked", day1 + 2000).size() == 1);
  REQUIRE(s.counts(id).pending == 2);

  schedule::LegalRules legal;
  legal.contact_daily_cap = 1;
  std::vector<std::int64_t> seen_today;
  auto judge = [&](const store::Candidate& c, store::History& h) {
    std::string err;
    auto rules = *schedule::campaign_rules(*s.campaign(id), err);
    auto place = schedule::ContactPlace{{schedule::find_zone(*c.contact_timezone)}, "contact", "US-NY"};
    schedule::CallFacts facts;
    facts.contact_calls_today =
        h.contact_calls_since(c.call.contact_id, schedule::local_day_start(place.zones[0], day2));
    seen_today.push_back(facts.contact_calls_today);
    auto d = schedule::decide(rules, place, facts, legal, day2);
    store::Verdict v;
    v.kind = d.kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch : store::Verdict::Kind::wait;
    v.until = d.until.value_or(0);
    v.reason = d.reason;
    return v;
  };
  store::ClaimOptions options;
  options.limit = 10;
  auto chunk = s.claim(*s.campaign(id), options, day2, judge);
  REQUIRE(chunk);
  REQUIRE(chunk->calls.size() == 1);
  CHECK(seen_today == std::vector<std::int64_t>{0});  // day 1's call is not today's; the second is not judged
  CHECK(s.counts(id).dispatching == 1);
  CHECK(s.counts(id).pending == 1);
  CHECK(s.next_due(id) == day2 + 60000);
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& q = db.cached("SELECT last_error FROM calls WHERE state = 'pending'");
  REQUIRE(q.step());
  CHECK(q.text(0) == "call " + std::to_string(chunk->calls[0].id) +
                         " to this contact is out (dispatching, in progress or held); this call waits for it");
  check_invariant(s, id, 2);
}

TEST_CASE("store: a held call stays due and untouched - the claim reads no batch after it") {
  // Verdict hold: the call waits for its pre-dial answer. It is not deferred (no write), so the next claim
  // sees it first again; the claim stops after the batch that held it instead of reading it again.
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10), people(8), 1000);
  std::vector<CallId> judged;
  CallId first = 0;
  auto judge = [&](const store::Candidate& c, store::History&) {
    judged.push_back(c.call.id);
    if (!first) first = c.call.id;
    store::Verdict v;
    // The first call is held; the next two are deferred (so the claim would read a second batch); the rest go.
    if (judged.size() == 1) v.kind = store::Verdict::Kind::hold;
    if (judged.size() == 2 || judged.size() == 3) {
      v.kind = store::Verdict::Kind::wait;
      v.until = 50000;
    }
    return v;
  };
  store::ClaimOptions options;
  options.limit = 4;
  auto chunk = s.claim(*s.campaign(id), options, 2000, judge);
  REQUIRE(chunk);
  CHECK(judged.size() == 4);  // one batch of 4: no second batch after the hold
  CHECK(chunk->calls.size() == 1);
  auto c = s.counts(id);
  CHECK(c.dispatching == 1);
  CHECK(c.pending == 7);
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& q = db.cached("SELECT next_attempt_at, last_error, updated_at FROM calls WHERE id = ?1");
  q.bind(1, first);
  REQUIRE(q.step());
  CHECK(q.int64(0) <= 1000);  // still due as it was
  CHECK(q.is_null(1));
  CHECK(q.int64(2) == 1000);
  q.reset();
  // The next claim judges the held call first again.
  judged.clear();
  auto next = s.claim(*s.campaign(id), options, 2000, [&](const store::Candidate& c, store::History&) {
    judged.push_back(c.call.id);
    return store::Verdict{};
  });
  REQUIRE(next);
  REQUIRE_FALSE(judged.empty());
  CHECK(judged.front() == first);
  check_invariant(s, id, 8);
}

TEST_CASE("store: an all-accepted answer is recorded as call by call, and anything else call by call") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10), people(6), 1000);
  auto campaign = *s.campaign(id);
  auto chunk = *s.claim(campaign, 3, 1000);
  // Every call accepted: odd provider ids and details are stored exactly as given.
  std::vector<SubmitResult> accepted = {{Kind::accepted, chunk.calls[0].id, "b:1\"x\\y", "", 0},
                                        {Kind::accepted, chunk.calls[1].id, "", "queued \u00e9", 0},
                                        {Kind::accepted, chunk.calls[2].id, "bad \xff utf-8", "", 0}};
  s.record_submission(chunk, accepted, 2000);
  // A call answered twice: the first answer moves the call, as it always has.
  auto twice = *s.claim(campaign, 3, 1000);
  s.record_submission(twice,
                      {{Kind::accepted, twice.calls[0].id, "t-0", "", 0},
                       {Kind::accepted, twice.calls[1].id, "t-1", "", 0},
                       {Kind::accepted, twice.calls[2].id, "t-2", "", 0},
                       {Kind::rejected, twice.calls[2].id, "", "late", 0}},
                      2000);
  auto c = s.counts(id);
  CHECK(c.in_progress == 6);
  CHECK(c.total() == 6);
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  auto& q = db.cached(R"(SELECT k.state, k.provider_call_id, k.updated_at, a.provider_call_id, a.outcome, a.detail,
                                a.finished_at
                         FROM calls k JOIN attempts a ON a.call_id = k.id AND a.dispatch_key = k.dispatch_key
                         WHERE k.id = ?1)");
  auto row = [&](CallId call) {
    q.reset();
    q.bind(1, call);
    REQUIRE(q.step());
  };
  row(chunk.calls[0].id);
  CHECK(q.text(0) == "in_progress");
  CHECK(q.text(1) == "b:1\"x\\y");
  CHECK(q.int64(2) == 2000);
  CHECK(q.text(3) == "b:1\"x\\y");
  CHECK(q.is_null(4));
  CHECK(q.is_null(5));
  CHECK(q.is_null(6));
  row(chunk.calls[1].id);
  CHECK(q.is_null(1));
  CHECK(q.is_null(3));
  CHECK(q.text(5) == "queued \u00e9");
  row(chunk.calls[2].id);
  CHECK(q.text(1) == "bad \xff utf-8");
  row(twice.calls[2].id);
  CHECK(q.text(0) == "in_progress");
  CHECK(q.text(1) == "t-2");
}

TEST_CASE("store: place_now claims judged calls at once, in chunks, and a refused record leaves no trace") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10), people(1), 1000);  // contact 0 has a pending call already
  auto campaign = *s.campaign(id);
  auto contacts = people(4);  // contact 0 again, then 1, 2, 3
  int judged = 0;
  store::Judge judge = [&](const store::Candidate& c, store::History&) {
    ++judged;
    store::Verdict v;
    if (c.call.phone == contacts[2].phone) v.kind = store::Verdict::Kind::wait;  // refused
    return v;
  };
  store::ClaimOptions options;
  options.limit = 2;
  auto placed = s.place_now(campaign, contacts, options, 2000, judge);
  CHECK(judged == 4);
  REQUIRE(placed.items.size() == 4);
  CHECK(placed.items[2].call_id == 0);
  for (int i : {0, 1, 3}) CHECK(placed.items[static_cast<std::size_t>(i)].call_id != 0);
  // Contact 0's pending call was taken rather than a second one added.
  auto first = s.claim(campaign, 10, 2000);
  CHECK_FALSE(first);
  REQUIRE(placed.chunks.size() == 2);
  CHECK(placed.chunks[0].calls.size() == 2);
  CHECK(placed.chunks[1].calls.size() == 1);
  CHECK(placed.chunks[0].idempotency_key != placed.chunks[1].idempotency_key);
  CHECK(placed.items[3].dispatch_key == placed.chunks[1].idempotency_key);
  CHECK(placed.items[0].from_number == "+14155550100");
  // The refused record left neither a call nor a contact.
  CHECK_FALSE(s.contact("default", contacts[2].phone));
  auto counts = s.counts(id);
  CHECK(counts.dispatching == 3);
  CHECK(counts.total() == 3);
  check_invariant(s, id, 3);

  // A contact whose call is out is refused without being judged, naming that call.
  judged = 0;
  auto again = s.place_now(campaign, {contacts[1]}, options, 3000, judge);
  CHECK(judged == 0);
  CHECK(again.items[0].call_id == 0);
  CHECK(again.items[0].busy_call_id == placed.items[1].call_id);
  CHECK(again.chunks.empty());
  CHECK(s.counts(id).total() == 3);
}

TEST_CASE("store: webhook events are queued by the changes they report, only for campaigns with a webhook") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  int queued = 0;
  s.on_webhook_queued([&] { ++queued; });
  auto with = spec();
  with.webhook = Webhook{"http://127.0.0.1:9/hooks", "crm"};
  auto id = s.create_campaign(with, people(2), 1000);           // created running: campaign.started
  auto quiet = s.create_campaign(spec(), people(2, 10), 1000);  // no webhook: nothing
  CHECK(queued == 1);
  auto chunk = s.claim(*s.campaign(id), 10, 2000);
  REQUIRE(chunk);
  s.record_submission(*chunk, all(*chunk, Kind::accepted), 2000);
  auto quiet_chunk = s.claim(*s.campaign(quiet), 10, 2000);
  s.record_submission(*quiet_chunk, all(*quiet_chunk, Kind::accepted), 2000);
  const auto& c0 = chunk->calls[0];
  const auto& c1 = chunk->calls[1];
  s.record_outcomes("acme",
                    {{"pc-" + std::to_string(c0.id) + "-1", Outcome::completed, ""},
                     {"pc-" + std::to_string(c1.id) + "-1", Outcome::busy, "line busy"}},
                    3000);
  CHECK(s.set_campaign_status(id, CampaignStatus::paused, 4000));
  CHECK(s.set_campaign_status(id, CampaignStatus::running, 5000));

  auto events = s.due_webhooks(10000, 100);
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  CHECK(types == std::vector<std::string>{"campaign.started", "call.completed", "call.failed", "campaign.paused",
                                          "campaign.resumed"});
  CHECK(queued == 5);
  auto failed = nlohmann::json::parse(events[2].payload);
  CHECK(failed["call_id"] == std::to_string(c1.id));
  CHECK(failed["phone_number"] == c1.phone);
  CHECK(failed["outcome"] == "busy");
  CHECK(failed["reason"] == "line busy");
  CHECK(events[2].url == "http://127.0.0.1:9/hooks");
  CHECK(events[2].secret_id == "crm");
  CHECK(events[2].campaign_id == id);
  std::set<std::string> ids;
  for (const auto& e : events) ids.insert(e.event_id);
  CHECK(ids.size() == events.size());

  // Delivered events leave the due list; a failed try comes back at its retry time.
  s.webhooks_delivered({events[0].id}, 10000);
  s.webhook_retry(events[1].id, "HTTP 500", 20000);
  s.webhook_abandoned(events[2].id, "HTTP 500", 10000);
  CHECK(s.due_webhooks(10000, 100).size() == 2);
  CHECK(s.next_webhook_due_after(10000) == 20000);
  CHECK(s.due_webhooks(20000, 100).size() == 3);
  CHECK(s.reports().webhook_backlog() == 3);
}

TEST_CASE("store: calls in progress past the timeout get the outcome timeout, retried only when configured") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(10, 1), people(3), 1000);
  auto chunk = s.claim(*s.campaign(id), 2, 1000);
  s.record_submission(*chunk, all(*chunk, Kind::accepted), 1000);
  auto later = s.claim(*s.campaign(id), 1, 5000);
  s.record_submission(*later, all(*later, Kind::accepted), 5000);
  CHECK(s.oldest_in_progress() == 1000);

  auto expired = s.expire_in_progress(2000, 100, 6000);  // in progress since before 2000
  REQUIRE(expired.size() == 2);
  for (const auto& e : expired) CHECK(e.state == CallState::failed);
  CHECK(s.oldest_in_progress() == 5000);
  CHECK(s.reports().call_detail(expired[0].call_id)->last_outcome == "timeout");
  CHECK(s.reports().call_detail(expired[0].call_id)->history.back().outcome == "timeout");

  auto settings = no_jitter();
  settings.retryable.insert(Outcome::timeout);
  s.set_outcome_rule(schedule::retry_rule(settings, [] { return 0.5; }));
  auto retried = s.expire_in_progress(6000, 100, 7000);
  REQUIRE(retried.size() == 1);
  CHECK(retried[0].state == CallState::pending);
  CHECK_FALSE(s.oldest_in_progress());
  check_invariant(s, id, 3);
}

TEST_CASE("store: a chunk claimed but never marked sent is released at start-up, not held (issue 16.7)") {
  testing::TempDir dir;
  CampaignId id;
  {
    Store s({dir.file("q.db")});
    id = s.create_campaign(spec(), people(5), 1000);
    auto sent = s.claim(*s.campaign(id), 2, 1000);
    s.mark_sent(sent->idempotency_key, 1000);  // its request left
    s.claim(*s.campaign(id), 2, 1000);         // claimed, "crash" before its request was written
  }
  Store s({dir.file("q.db")});
  auto rec = s.reconcile_dispatching([](const std::string&) { return false; }, "restart", 5000);
  CHECK(rec.released == 2);
  CHECK(rec.held == 2);
  auto c = s.counts(id);
  CHECK(c.held == 2);
  CHECK(c.pending == 3);
  CHECK(c.called == 2);  // the released calls' attempts were given back
  auto next = s.claim(*s.campaign(id), 10, 6000);
  REQUIRE(next);
  CHECK(next->calls.size() == 3);
  for (const auto& call : next->calls) CHECK(call.attempt == 1);
}

TEST_CASE("store: a savepoint keeps what is released and undoes what is rolled back or left by an exception") {
  dialerd::testing::TempDir dir;
  dialerd::store::sqlite::Db db(dir.file("sp.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
  db.exec("CREATE TABLE t (v INTEGER)");
  dialerd::store::sqlite::Transaction tx(db);
  {
    dialerd::store::sqlite::Savepoint kept(db, "one");
    db.exec("INSERT INTO t VALUES (1)");
    kept.release();
  }
  {
    dialerd::store::sqlite::Savepoint undone(db, "one");
    db.exec("INSERT INTO t VALUES (2)");
    undone.rollback();
  }
  try {
    dialerd::store::sqlite::Savepoint interrupted(db, "one");
    db.exec("INSERT INTO t VALUES (3)");
    throw std::runtime_error("a judge failed");
  } catch (const std::runtime_error&) {
  }
  db.exec("INSERT INTO t VALUES (4)");  // the transaction goes on
  tx.commit();
  CHECK(db.cached("SELECT v FROM t ORDER BY v").all_int64() == std::vector<std::int64_t>{1, 4});
}

TEST_CASE("store: a campaign row that cannot be read is a loud error - never a default - and others go on") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto good = s.create_campaign(spec(), people(1), 1000);
  auto bad = s.create_campaign(spec(), people(1), 1000);
  {
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE campaigns SET working_days = '[1,2' WHERE id = " + std::to_string(bad));
  }
  // Before, a corrupt working_days read as "no working day": the campaign silently never dispatched.
  CHECK_THROWS_AS(s.campaign(bad), dialerd::store::CorruptRow);
  CHECK_THROWS_WITH(s.campaign(bad), Catch::Contains("campaigns row " + std::to_string(bad)) &&
                                         Catch::Contains("working_days is not valid JSON"));
  CHECK(s.campaign(good));
  auto status = s.campaign(good)->status;
  auto listed = s.campaigns_with_status(status);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id == good);
  {
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE campaigns SET working_days = '{\"a\":1}', options = '[]' WHERE id = " + std::to_string(bad));
  }
  CHECK_THROWS_WITH(s.campaign(bad), Catch::Contains("working_days has the wrong shape (object)"));
}

TEST_CASE("store: a call whose variables cannot be read is set aside by the claim - never sent as a default") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(3), 1000);
  {
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE calls SET variables = '[1,2]' WHERE id = (SELECT min(id) FROM calls)");
  }
  const auto bad = s.reports().campaign_calls(id, std::nullopt, {}, 1).front().id;  // the first due
  auto chunk = s.claim(*s.campaign(id), 10, 2000);
  REQUIRE(chunk);
  CHECK(chunk->calls.size() == 2);  // the others go on
  for (const auto& c : chunk->calls) CHECK(c.id != bad);
  // Before, it went out with `{}` as its variables. Now it stays pending, an hour later, and says why.
  CHECK_THROWS_AS(s.reports().call_detail(bad), dialerd::store::CorruptRow);
  auto pending = s.reports().campaign_calls(id, CallState::pending, {}, 10);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].id == bad);
  CHECK(pending[0].next_attempt_at == 2000 + 3600 * 1000);
  CHECK_THAT(pending[0].last_error.value_or(""), Catch::Contains("corrupt row: calls row " + std::to_string(bad)) &&
                                                     Catch::Contains("variables is not a JSON object"));
  CHECK_FALSE(s.claim(*s.campaign(id), 10, 3000));
  // Fixed by the operator, it goes out when it is read again.
  {
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE calls SET variables = '{}' WHERE id = " + std::to_string(bad));
  }
  auto later = s.claim(*s.campaign(id), 10, 2000 + 3600 * 1000);
  REQUIRE(later);
  CHECK(later->calls.front().id == bad);
}

TEST_CASE("store: a call state this version does not know is a loud error - its outcome waits and others land") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(2), 1000);
  auto chunk = s.claim(*s.campaign(id), 10, 2000);
  REQUIRE(chunk);
  s.record_submission(*chunk, all(*chunk, Kind::accepted), 2000);
  const auto bad = chunk->calls[0].id, good = chunk->calls[1].id;
  {
    // A row a newer version wrote (or a hand edit past the CHECK constraint).
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("PRAGMA ignore_check_constraints = ON");
    db.exec("DROP TRIGGER calls_state");  // its guard knows no such state
    db.exec("UPDATE calls SET state = 'ringing' WHERE id = " + std::to_string(bad));
  }
  // Before, it read as `pending`.
  CHECK_THROWS_WITH(s.reports().call_ref(bad), Catch::Contains("calls row " + std::to_string(bad)) &&
                                                   Catch::Contains("state is not a call state this version knows"));
  auto applied = s.record_outcomes("acme",
                                   {{"pc-" + std::to_string(bad) + "-1", Outcome::completed, ""},
                                    {"pc-" + std::to_string(good) + "-1", Outcome::completed, ""}},
                                   3000);
  REQUIRE(applied.size() == 2);
  CHECK(applied[0].effect == dialerd::store::OutcomeApplied::Effect::corrupt);
  CHECK_THAT(applied[0].corrupt, Catch::Contains("calls row " + std::to_string(bad)));
  CHECK(applied[1].effect == dialerd::store::OutcomeApplied::Effect::applied);
  CHECK(s.reports().call_ref(good)->state == CallState::completed);
}

TEST_CASE("store: start-up reconciliation holds a dispatching call whose variables cannot be read") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(2), 1000);
  auto chunk = s.claim(*s.campaign(id), 10, 2000);
  REQUIRE(chunk);
  const auto bad = chunk->calls[0].id, good = chunk->calls[1].id;
  {
    dialerd::store::sqlite::Db db(dir.file("q.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
    db.exec("UPDATE calls SET variables = 'not json' WHERE id = " + std::to_string(bad));
  }
  auto r = s.reconcile_dispatching([](const std::string&) { return true; }, "unknown", 3000);
  CHECK(r.held == 1);
  REQUIRE(r.resubmit.size() == 1);
  REQUIRE(r.resubmit[0].calls.size() == 1);
  CHECK(r.resubmit[0].calls[0].id == good);  // resent under its key; the other is not resent with `{}`
  CHECK(r.resubmit[0].idempotency_key == chunk->idempotency_key);
  CHECK(s.reports().call_ref(bad)->state == CallState::held);
  CHECK(s.held_calls(id) == std::vector<CallId>{bad});
}

TEST_CASE("store: SQLite's refusals become the store error kinds the API maps to statuses") {
  using dialerd::store::StorageError;
  using dialerd::store::sqlite::DbError;
  CHECK(DbError(SQLITE_BUSY, "x").kind() == StorageError::Kind::busy);
  CHECK(DbError(SQLITE_LOCKED, "x").locked());
  CHECK(DbError(SQLITE_FULL, "x").kind() == StorageError::Kind::full);
  CHECK(DbError(SQLITE_IOERR_WRITE, "x").kind() == StorageError::Kind::unavailable);  // extended codes too
  CHECK(DbError(SQLITE_READONLY, "x").kind() == StorageError::Kind::unavailable);
  CHECK(DbError(SQLITE_CONSTRAINT_UNIQUE, "x").kind() == StorageError::Kind::other);
  CHECK_FALSE(DbError(SQLITE_CONSTRAINT, "x").locked());
}

TEST_CASE("store: columns are read by name - a name the statement lacks is an error, not column 0") {
  dialerd::testing::TempDir dir;
  dialerd::store::sqlite::Db db(dir.file("n.db"), dialerd::store::sqlite::Db::Mode::read_write, 1000);
  auto& s = db.cached("SELECT 7 AS id, 'x' AS name, NULL AS gone");
  REQUIRE(s.step());
  CHECK(s.int64("id") == 7);
  CHECK(s.text("name") == "x");
  CHECK_FALSE(s.opt_int64("gone"));
  CHECK_THROWS_WITH(s.int64("missing"), Catch::Contains("no result column 'missing'"));
  s.reset();
  // The hot readers read by position, each position held to its name once per statement.
  static constexpr std::array<std::string_view, 2> kLayout = {"id", "name"};
  static constexpr std::array<std::string_view, 2> kOutOfStep = {"name", "id"};
  CHECK_NOTHROW(s.expect_columns(0, kLayout));
  CHECK_NOTHROW(s.expect_columns(0, kLayout));  // checked once, remembered
  CHECK_THROWS_WITH(s.expect_columns(0, kOutOfStep), Catch::Contains("result column 0 is not 'name'"));
  CHECK_THROWS_WITH(s.expect_columns(2, kLayout), Catch::Contains("result column 2 is not 'id'"));
}

TEST_CASE("store: the read-only reports see what the store wrote - an unknown campaign has no row") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(spec(), people(3), 1000);
  auto reports = dialerd::store::open_sqlite_reports(dir.file("q.db"), 1000);
  CHECK(reports->schema_version() >= 6);
  auto detail = reports->campaign_detail(id);
  REQUIRE(detail.rows.size() == 1);
  auto column = [&](const std::string& name) {
    auto at = std::find(detail.columns.begin(), detail.columns.end(), name);
    REQUIRE(at != detail.columns.end());
    return detail.rows[0][static_cast<std::size_t>(at - detail.columns.begin())];
  };
  CHECK(std::get<std::int64_t>(column("pending")) == 3);
  CHECK(std::get<std::string>(column("status")) == "running");
  CHECK(reports->campaign_detail(id + 1).rows.empty());
  auto open = reports->open_campaigns(0, 2000);
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == id);
  CHECK(open[0].counts.pending == 3);
  CHECK(open[0].submitted == 0);
  CHECK(reports->calls_table(id, std::string("pending"), 0, 2).rows.size() == 2);
  CHECK(reports->held_calls(std::nullopt).rows.empty());
}

TEST_CASE("store: a call's not_before is when it becomes due - on upload and by change_pending_call") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto contacts = people(2);
  contacts[0].not_before = 5000;
  auto id = s.create_campaign(spec(), contacts, 1000);
  auto first = *s.claim(*s.campaign(id), 10, 1000);
  REQUIRE(first.calls.size() == 1);  // the other waits for its callback time
  CHECK(first.calls[0].phone == contacts[1].phone);
  auto waiting = s.reports().call_detail(first.calls[0].id - 1);
  REQUIRE(waiting);
  CHECK(waiting->candidate.not_before == 5000);
  CHECK(waiting->next_attempt_at == 5000);

  // A second record for the contact moves its pending call; change_pending_call moves it again or clears it.
  auto again = contacts[0];
  again.not_before = 9000;
  auto added = s.add_contacts(id, {again}, 2000);
  CHECK(added.updated == 1);
  CHECK(s.next_due(id) == 9000);
  CHECK(s.change_pending_call(waiting->candidate.call.id, {.not_before = std::optional<UnixMs>(7000)}, 2100));
  CHECK(s.next_due(id) == 7000);
  CHECK(s.reports().call_detail(waiting->candidate.call.id)->candidate.not_before == 7000);
  CHECK(s.change_pending_call(waiting->candidate.call.id, {.not_before = std::optional<UnixMs>()}, 2200));
  CHECK(s.next_due(id) == 2200);
  CHECK_FALSE(s.reports().call_detail(waiting->candidate.call.id)->candidate.not_before);
  // Only a pending call: the claimed one is not moved.
  CHECK_FALSE(s.change_pending_call(first.calls[0].id, {.not_before = std::optional<UnixMs>(8000)}, 2300));
}

TEST_CASE("store: an outcome asking for a callback makes the call pending from then - also when it came early") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  s.set_outcome_rule(schedule::retry_rule(no_jitter(), [] { return 0.5; }));
  auto id = s.create_campaign(spec(10, 2), people(3), 1000);
  auto chunk = *s.claim(*s.campaign(id), 3, 1000);
  const auto pc = [&](int i) { return "pc-" + std::to_string(chunk.calls[i].id) + "-1"; };
  // The third call's outcome beats its submission's answer, with its callback.
  auto early = s.record_outcomes("acme", {{pc(2), Outcome::completed, "", 60000}}, 1100);
  CHECK(early[0].effect == store::OutcomeApplied::Effect::deferred);
  s.record_submission(chunk, all(chunk, Kind::accepted), 1200);
  auto applied = s.record_outcomes(
      "acme", {{pc(0), Outcome::completed, "call me at one", 50000}, {pc(1), Outcome::opted_out, "", 50000}}, 2000);
  CHECK(applied[0].state == CallState::pending);
  CHECK(applied[1].state == CallState::completed);
  auto called_back = s.reports().call_detail(chunk.calls[0].id);
  CHECK(called_back->next_attempt_at == 50000);
  CHECK(called_back->candidate.not_before == 50000);
  CHECK(called_back->last_error == "call me at one; callback requested for 1970-01-01T00:00:50Z");
  CHECK(s.reports().call_detail(chunk.calls[1].id)->last_error ==
        "callback requested for 1970-01-01T00:00:50Z not scheduled: the person opted out");
  auto late = s.reports().call_detail(chunk.calls[2].id);
  CHECK(late->state == CallState::pending);
  CHECK(late->next_attempt_at == 60000);
  CHECK(late->candidate.not_before == 60000);
  CHECK(s.counts(id).pending == 2);
  // Not claimed before its time; then as attempt 2.
  CHECK_FALSE(s.claim(*s.campaign(id), 10, 49999));
  auto back = *s.claim(*s.campaign(id), 10, 50000);
  REQUIRE(back.calls.size() == 1);
  CHECK(back.calls[0].attempt == 2);
}

TEST_CASE("store: local_presence gives each call a local number - a one-caller-id kind gets a chunk per number") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto sp = spec();
  sp.from_numbers = {"+12125550100", "+14155550100"};
  sp.from_number = sp.from_numbers[0];
  sp.rotation = "local_presence";
  // The same places for each campaign, other people (a person's call out would hold their next one back).
  const auto contacts_at = [](char k) {
    std::vector<ContactInput> out;
    for (const char* phone : {"+14155550111", "+12125550111", "+14155550112", "+16465550111", "+13125550111"}) {
      ContactInput c;
      c.phone = phone;
      c.phone[c.phone.size() - 3] = k;
      out.push_back(c);
    }
    return out;
  };
  const auto contacts = contacts_at('1');
  auto id = s.create_campaign(sp, contacts, 1000);
  REQUIRE(s.campaign(id)->spec.rotation == "local_presence");
  // A kind that takes a caller id per call: each call its own nearest number.
  auto all = *s.claim(*s.campaign(id), {10, 0, true, false, ""}, 1000, nullptr);
  REQUIRE(all.calls.size() == 5);
  CHECK(all.calls[0].from_number == "+14155550100");
  CHECK(all.calls[1].from_number == "+12125550100");
  CHECK(all.calls[2].from_number == "+14155550100");
  CHECK(all.calls[3].from_number == "+12125550100");  // 646 is New York too

  // One caller id per request: a chunk holds the calls its number is local to (and those with none local).
  auto id2 = s.create_campaign(sp, contacts_at('2'), 1000);
  store::ClaimOptions one{10, 0, false, true, ""};
  auto first = *s.claim(*s.campaign(id2), one, 1000, nullptr);
  std::vector<std::string> phones;
  for (const auto& c : first.calls) {
    CHECK(c.from_number == "+14155550100");
    phones.push_back(c.phone);
  }
  // 312 (Chicago) has no local number but shares the country with both: it joins the first chunk.
  CHECK(phones == std::vector<std::string>{"+14155550211", "+14155550212", "+13125550211"});
  auto second = *s.claim(*s.campaign(id2), one, 1000, nullptr);
  REQUIRE(second.calls.size() == 2);
  for (const auto& c : second.calls) CHECK(c.from_number == "+12125550100");
  CHECK_FALSE(s.claim(*s.campaign(id2), one, 1000, nullptr));
  // A kind whose request carries no caller id (the provider picks its own) keeps whole chunks.
  auto id3 = s.create_campaign(sp, contacts_at('3'), 1000);
  auto whole = *s.claim(*s.campaign(id3), {10, 0, false, false, ""}, 1000, nullptr);
  CHECK(whole.calls.size() == 5);
}

TEST_CASE(
    "store: a claim takes the highest priority first - each level in due order - with a fair turn for the oldest") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  // Uploaded in this order: ten calls of priority 0, ten of 5, ten of 50 (call ids 1..30).
  auto contacts = people(30);
  for (int i = 10; i < 20; ++i) contacts[i].priority = 5;
  for (int i = 20; i < 30; ++i) contacts[i].priority = 50;
  auto id = s.create_campaign(spec(100), contacts, 1000);
  const auto ids = [](const DispatchChunk& c) {
    std::vector<CallId> out;
    for (const auto& call : c.calls) out.push_back(call.id);
    return out;
  };
  // Ten taken by priority: priority 50's, in due order.
  CHECK(ids(*s.claim(*s.campaign(id), 5, 1000)) == std::vector<CallId>{21, 22, 23, 24, 25});
  CHECK(ids(*s.claim(*s.campaign(id), 5, 1000)) == std::vector<CallId>{26, 27, 28, 29, 30});
  // Nine of them earned a turn by age, taken first: the call due longest (priority 0, id 1). Then 5's.
  CHECK(ids(*s.claim(*s.campaign(id), 8, 1000)) == std::vector<CallId>{1, 11, 12, 13, 14, 15, 16, 17});
  // Priority 0 after every level above it, in due order (which pays back the turns owed).
  CHECK(ids(*s.claim(*s.campaign(id), 6, 1000)) == std::vector<CallId>{18, 19, 20, 2, 3, 4});
  CHECK(ids(*s.claim(*s.campaign(id), 10, 1000)) == std::vector<CallId>{5, 6, 7, 8, 9, 10});
  check_invariant(s, id, 30);
}

TEST_CASE("store: a call of low priority is not starved by a steady stream of higher ones") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto low = people(1);
  auto id = s.create_campaign(spec(100), low, 1000);
  auto hot = people(40, 100);
  for (auto& c : hot) c.priority = 90;
  s.add_contacts(id, hot, 1000);
  // One call per claim (concurrency 1): the low-priority call goes out by the tenth.
  int claims = 0;
  bool low_out = false;
  while (!low_out && claims < 20) {
    auto chunk = s.claim(*s.campaign(id), 1, 1000);
    REQUIRE(chunk);
    ++claims;
    low_out = chunk->calls[0].phone == low[0].phone;
  }
  CHECK(low_out);
  CHECK(claims == 10);
}

TEST_CASE("store: turns owed to the oldest calls are forgiven once no call of a priority is pending") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto hot = people(9);
  for (auto& c : hot) c.priority = 90;
  auto id = s.create_campaign(spec(100), hot, 1000);
  CHECK(s.claim(*s.campaign(id), 9, 1000)->calls.size() == 9);  // nine by priority: one turn owed
  auto plain = people(2, 100);
  s.add_contacts(id, plain, 1000);
  CHECK(s.claim(*s.campaign(id), 1, 1000)->calls.at(0).phone == plain[0].phone);
  auto late = people(1, 200);
  late[0].priority = 90;
  s.add_contacts(id, late, 1000);
  // Nothing is owed any more: the new priority call goes before the plain one left.
  CHECK(s.claim(*s.campaign(id), 1, 1000)->calls.at(0).phone == late[0].phone);
}

TEST_CASE("store: priority levels that are not due let lower ones go, each level in due order") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto contacts = people(4);
  contacts[0].priority = 80;
  contacts[0].not_before = 9000;  // the highest level is not due yet
  contacts[1].priority = 30;
  contacts[1].not_before = 900;  // due before its creation: due order is not id order
  contacts[2].priority = 30;
  contacts[2].not_before = 800;
  auto id = s.create_campaign(spec(100), contacts, 1000);
  auto chunk = *s.claim(*s.campaign(id), 2, 1000);
  CHECK(chunk.calls[0].phone == contacts[2].phone);
  CHECK(chunk.calls[1].phone == contacts[1].phone);
  chunk = *s.claim(*s.campaign(id), 10, 1000);
  REQUIRE(chunk.calls.size() == 1);
  CHECK(chunk.calls[0].phone == contacts[3].phone);
  CHECK(s.claim(*s.campaign(id), 10, 9000)->calls.at(0).phone == contacts[0].phone);
}

TEST_CASE("store: a call's priority - kept by an update without one, replaced by one, set while pending only") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto contacts = people(3);
  contacts[0].priority = 7;
  auto id = s.create_campaign(spec(100), contacts, 1000);
  auto& reports = s.reports();
  CHECK(reports.call_detail(1)->priority == 7);
  CHECK(reports.call_detail(2)->priority == 0);
  auto again = contacts[0];
  again.priority.reset();
  s.add_contacts(id, {again}, 1100);
  CHECK(reports.call_detail(1)->priority == 7);
  again.priority = 3;
  s.add_contacts(id, {again}, 1200);
  CHECK(reports.call_detail(1)->priority == 3);
  CHECK(s.change_pending_call(2, {.priority = 100}, 1300));
  CHECK(reports.call_detail(2)->priority == 100);
  CHECK(reports.call_place(2)->priority == 100);
  // The listing shows it; a duplicate keeps it.
  auto page = reports.campaign_calls(id, CallState::pending, {}, 10);
  REQUIRE(page.size() == 3);
  CHECK(page[1].priority == 100);
  auto records = s.call_records(id, false, 0, 10);
  REQUIRE(records.size() == 3);
  CHECK(records[1].contact.priority == 100);
  CHECK_FALSE(records[2].contact.priority);
  // Claimed (priority 100 first): no longer pending, so no longer changed.
  auto chunk = *s.claim(*s.campaign(id), 1, 1300);
  CHECK(chunk.calls[0].id == 2);
  CHECK_FALSE(s.change_pending_call(2, {.priority = 5}, 1400));
  CHECK(reports.call_detail(2)->priority == 100);
  // Both at once, or neither: a call that is not pending keeps its time as well.
  CHECK(s.change_pending_call(3, {.not_before = std::optional<UnixMs>(5000), .priority = 9}, 1400));
  CHECK(reports.call_detail(3)->priority == 9);
  CHECK(reports.call_detail(3)->candidate.not_before == 5000);
  CHECK_FALSE(s.change_pending_call(2, {.not_before = std::optional<UnixMs>(6000), .priority = 1}, 1500));
  CHECK_FALSE(reports.call_detail(2)->candidate.not_before);
}

TEST_CASE("store: due_ahead counts the due calls a claim takes first - higher levels, then its own level's earlier") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto contacts = people(8);
  for (int i : {0, 1}) contacts[i].priority = 60;
  for (int i : {2, 3, 4}) contacts[i].priority = 20;
  contacts[5].priority = 60;
  contacts[5].not_before = 50000;  // not due: not ahead of anyone
  auto id = s.create_campaign(spec(100), contacts, 1000);
  auto& reports = s.reports();
  const auto ahead = [&](CallId call, std::int64_t cap = 100) {
    auto d = reports.call_detail(call);
    return reports.due_ahead(id, d->priority, {d->next_attempt_at, call}, 2000, cap);
  };
  CHECK(ahead(1) == 0);
  CHECK(ahead(2) == 1);
  CHECK(ahead(3) == 2);
  CHECK(ahead(5) == 4);
  CHECK(ahead(7) == 5);  // priority 0: every due call above it, none of its own level before it
  CHECK(ahead(8) == 6);
  CHECK(ahead(8, 3) == 3);  // counted up to the cap
}

TEST_CASE("store: a workspace's calls in flight count each of its campaigns that may have some, and no other's") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto mine = spec(100);
  mine.workspace = "initech";
  auto a = s.create_campaign(mine, people(3), 1000);
  auto b = s.create_campaign(mine, people(2, 10), 1000);
  auto theirs = spec(100);
  theirs.workspace = "globex";
  auto g = s.create_campaign(theirs, people(2, 20), 1000);
  s.claim(*s.campaign(a), 2, 1000);
  s.claim(*s.campaign(b), 1, 1000);
  s.claim(*s.campaign(g), 2, 1000);
  CHECK(s.workspace_in_flight("initech") == 3);
  CHECK(s.workspace_in_flight("globex") == 2);
  // Paused, or back to scheduled (resumed before its start time), its calls are still out.
  REQUIRE(s.set_campaign_status(b, CampaignStatus::paused, 1100));
  CHECK(s.workspace_in_flight("initech") == 3);
  REQUIRE(s.set_campaign_status(b, CampaignStatus::scheduled, 1200));
  CHECK(s.workspace_in_flight("initech") == 3);
  REQUIRE(s.cancel_campaign(a, "stop", 1300));
  CHECK(s.workspace_in_flight("initech") == 3);
  CHECK(s.workspace_in_flight("nobody") == 0);
}

// Regression: with calls_ranked's condition written `priority > 0`, SQLite took the query's repeated
// `priority > 0` as the index's range and dropped `priority = ?`, so each claim read and sorted every
// level's calls (a 1M-call queue with priorities took minutes a wake in scheduler_bench).
TEST_CASE("store: a priority level is one range of calls_ranked in due order - no sort, no other level read") {
  testing::TempDir dir;
  { Store s({dir.file("q.db")}); }
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  // `own`: the query's own steps, not its subqueries' (the suppression lookup sorts two rows).
  const auto plan = [&](const char* sql, bool own) { return query_plan(db, sql, own); };
  const auto level = plan(store::sql::kSelectDueRanked, false);
  INFO(level);
  CHECK_THAT(level, Catch::Contains("calls_ranked (campaign_id=? AND priority=? AND next_attempt_at<?)"));
  CHECK_THAT(plan(store::sql::kSelectDueRanked, true), !Catch::Contains("TEMP B-TREE"));
  const auto ahead = plan(store::sql::kDueAheadRanked, false);
  INFO(ahead);
  CHECK_THAT(ahead, Catch::Contains("calls_ranked (campaign_id=? AND priority=?"));
  CHECK_THAT(ahead, !Catch::Contains("TEMP B-TREE"));
  const auto below = plan(store::sql::kPriorityBelow, false);
  INFO(below);
  CHECK_THAT(below, Catch::Contains("calls_ranked (campaign_id=? AND priority<?)"));
  CHECK_THAT(below, !Catch::Contains("TEMP B-TREE"));
}

TEST_CASE("store: a from number's reads are ranges of attempts_from_time - no sort") {
  testing::TempDir dir;
  { Store s({dir.file("q.db")}); }
  store::sqlite::Db db(dir.file("q.db"), store::sqlite::Db::Mode::read_only, 1000);
  const auto today = query_plan(db, store::sql::kNumberCallsSince);
  INFO(today);
  CHECK_THAT(today, Catch::Contains("attempts_from_time (from_number=? AND submitted_at>?)"));
  const auto recent = query_plan(db, store::sql::kNumberRecent);
  INFO(recent);
  CHECK_THAT(recent, Catch::Contains("attempts_from_time (from_number=?)"));
  CHECK_THAT(recent, !Catch::Contains("TEMP B-TREE"));
}

TEST_CASE("store: a from number's calls today and latest outcomes count the workspace's campaigns and no other's") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto mine = spec(100);
  mine.workspace = "initech";
  mine.from_numbers = {"+14155550100", "+14155550101"};
  mine.rotation = "sequential";  // one number per chunk: the first chunk +...100, the next +...101
  mine.max_calls_per_number_per_day = 10;
  mine.number_rest = NumberRest{2, 600, {Outcome::failed}};
  auto a = s.create_campaign(mine, people(4), 1000);
  auto b = s.create_campaign(mine, people(1, 10), 1000);
  auto theirs = mine;
  theirs.workspace = "globex";
  auto g = s.create_campaign(theirs, people(3, 20), 1000);
  REQUIRE(s.campaign(a)->spec.max_calls_per_number_per_day == 10);
  REQUIRE(s.campaign(a)->spec.number_rest == mine.number_rest);
  auto answer = [&](const DispatchChunk& chunk, Outcome o, UnixMs at) {
    s.record_submission(chunk, all(chunk, Kind::accepted), at);
    std::vector<OutcomeReport> reports;
    for (const auto& c : chunk.calls)
      reports.push_back({"pc-" + std::to_string(c.id) + "-" + std::to_string(c.attempt), o, ""});
    s.record_outcomes("acme", reports, at + 10);
  };
  auto first = *s.claim(*s.campaign(a), 3, 2000);  // from +...100
  answer(first, Outcome::failed, 2000);
  auto second = *s.claim(*s.campaign(b), 1, 3000);  // campaign b's first chunk: +...100 too
  REQUIRE(second.calls[0].from_number == "+14155550100");
  answer(second, Outcome::completed, 3000);
  auto other = *s.claim(*s.campaign(g), 3, 2500);  // another workspace's calls from the same number
  answer(other, Outcome::failed, 2500);

  auto uses = s.number_uses(*s.campaign(a), 0);
  REQUIRE(uses.size() == 2);
  CHECK(uses[0].calls_today == 4);  // campaign a's 3 and b's 1; globex's 3 are not counted
  CHECK(uses[1].calls_today == 0);
  REQUIRE(uses[0].recent.size() == 2);  // the latest two finished calls, newest first
  CHECK(uses[0].recent[0].outcome == Outcome::completed);
  CHECK(uses[0].recent[0].at == 3010);
  CHECK(uses[0].recent[1].outcome == Outcome::failed);
  CHECK(uses[0].recent[1].at == 2010);  // campaign a's, not globex's later failure from the same number
  CHECK(s.number_uses(*s.campaign(a), 2800)[0].calls_today == 1);  // since the day began
  CHECK(s.number_uses(*s.campaign(g), 0)[0].calls_today == 3);
  // A call in flight is not among the finished ones.
  auto out = *s.claim(*s.campaign(a), 1, 4000);
  CHECK(out.calls[0].from_number == "+14155550101");
  s.record_submission(out, all(out, Kind::accepted), 4000);
  CHECK(s.number_uses(*s.campaign(a), 0)[1].calls_today == 1);
  CHECK(s.number_uses(*s.campaign(a), 0)[1].recent.empty());
}

TEST_CASE("store: a claim gives calls only to numbers with room and ends when none can take the next call") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto sp = spec(100);
  sp.from_numbers = {"+14155550100", "+14155550101", "+14155550102"};
  sp.from_number = sp.from_numbers[0];
  auto id = s.create_campaign(sp, people(10), 1000);
  // A number per call (round robin): the closed middle number is skipped; the claim ends once the open
  // ones have placed their room, the rest left due.
  store::ClaimOptions per_call{10, 0, true, false, ""};
  per_call.number_rooms = {2, 0, 1};
  auto chunk = *s.claim(*s.campaign(id), per_call, 1000, nullptr);
  std::vector<std::string> from;
  for (const auto& c : chunk.calls) from.push_back(c.from_number);
  CHECK(from == std::vector<std::string>{"+14155550100", "+14155550102", "+14155550100"});
  CHECK(s.counts(id).pending == 7);
  per_call.number_rooms = {0, 0, 0};
  CHECK_FALSE(s.claim(*s.campaign(id), per_call, 1000, nullptr));
  CHECK(s.counts(id).pending == 7);
  // One caller id per request: the cursor (4: number 1) is on a closed number, so the chunk takes the
  // next, and ends at its room; the next chunk takes the next number with room.
  store::ClaimOptions per_request{10, 0, false, false, ""};
  per_request.number_rooms = {2, 0, 5};
  auto a = *s.claim(*s.campaign(id), per_request, 1000, nullptr);
  REQUIRE(a.calls.size() == 5);
  for (const auto& c : a.calls) CHECK(c.from_number == "+14155550102");
  per_request.number_rooms = {2, 0, 0};
  auto b = *s.claim(*s.campaign(id), per_request, 1000, nullptr);
  REQUIRE(b.calls.size() == 2);
  for (const auto& c : b.calls) CHECK(c.from_number == "+14155550100");
  // local_presence: the 415 contact's local numbers are closed, so the next tier (the country) serves it.
  auto lp = sp;
  lp.from_numbers = {"+14155550100", "+12125550100"};
  lp.from_number = lp.from_numbers[0];
  lp.rotation = "local_presence";
  auto id2 = s.create_campaign(lp, people(2, 40), 1000);
  per_call.number_rooms = {0, 1};
  auto local = *s.claim(*s.campaign(id2), per_call, 1000, nullptr);
  REQUIRE(local.calls.size() == 1);
  CHECK(local.calls[0].from_number == "+12125550100");
  CHECK(s.counts(id2).pending == 1);
}

TEST_CASE("store: a due call waits while a call of its contact is out - in its campaign or another") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto a = s.create_campaign(spec(), people(2), 1000);
  auto first = *s.claim(*s.campaign(a), 10, 1000);
  REQUIRE(first.calls.size() == 2);
  s.record_submission(first, all(first, Kind::accepted), 1000);
  // Uploaded again while its call is out: a new pending call of the same contact.
  auto again = s.add_contacts(a, people(1), 2000);
  REQUIRE(again.added == 1);
  // Another campaign of the workspace with both contacts.
  auto b = s.create_campaign(spec(), people(2), 2000);
  CHECK_FALSE(s.claim(*s.campaign(a), 10, 2000));
  CHECK_FALSE(s.claim(*s.campaign(b), 10, 2000));
  CHECK(s.next_due(a) == 2000 + 60000);  // read again in a minute
  auto detail = s.reports().call_detail(again.call_ids[0]);
  REQUIRE(detail);
  CHECK(detail->last_error == "call " + std::to_string(first.calls[0].id) +
                                  " to this contact is out (dispatching, in progress or held); this call waits for it");
  // The first calls end: the waiting calls go at their time; b's call of the first contact now waits for
  // a's new call, and its other goes.
  s.record_outcomes("acme",
                    {{"pc-" + std::to_string(first.calls[0].id) + "-1", Outcome::completed, ""},
                     {"pc-" + std::to_string(first.calls[1].id) + "-1", Outcome::completed, ""}},
                    3000);
  CHECK_FALSE(s.claim(*s.campaign(a), 10, 61999));
  auto later = s.claim(*s.campaign(a), 10, 62000);
  REQUIRE(later);
  REQUIRE(later->calls.size() == 1);
  CHECK(later->calls[0].id == again.call_ids[0]);
  auto other = s.claim(*s.campaign(b), 10, 62000);
  REQUIRE(other);
  REQUIRE(other->calls.size() == 1);
  CHECK(other->calls[0].phone == people(2)[1].phone);
  CHECK(s.counts(b).pending == 1);
}
