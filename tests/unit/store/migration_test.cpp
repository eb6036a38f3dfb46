// Migration 4 (calls rebuilt, counts as flows, pending-only calls_due) on a database with history, and the
// behaviour the new schema must keep: counts, the transition guard, listings by state, accepted attempts.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "dialerd/domain/dnc.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
#include "dialerd/store/store.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using namespace dialerd::domain;
using dialerd::store::Store;
using dialerd::store::sqlite::Db;
using Kind = SubmitResult::Kind;

namespace {

// A database migrated to `version` with one campaign written then (id 1, workspace x, running): what a
// migration test opens with the current Store.
std::string old_campaign_at(testing::TempDir& dir, int version) {
  const std::string path = dir.file("q.db");
  Db db(path, Db::Mode::read_write, 1000);
  db.exec("PRAGMA foreign_keys = ON");
  store::sqlite::migrate(db, version);
  db.exec(R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, schedule_type, concurrency, status,
                      created_at, updated_at)
VALUES ('x', 'cx', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 1, 1);
)sql");
  return path;
}

std::map<std::string, std::int64_t> counters(Db& db, std::int64_t campaign_id) {
  std::map<std::string, std::int64_t> out;
  auto& q = db.cached("SELECT state, n FROM campaign_counters WHERE campaign_id = ?1");
  q.bind(1, campaign_id);
  while (q.step()) out[q.text(0)] = q.int64(1);
  q.reset();
  return out;
}

// What the counters must be: the calls themselves, counted.
std::map<std::string, std::int64_t> counted(Db& db, std::int64_t campaign_id) {
  std::map<std::string, std::int64_t> out{{"pending", 0}, {"dispatching", 0}, {"in_progress", 0}, {"completed", 0},
                                          {"failed", 0},  {"skipped", 0},     {"held", 0},        {"called", 0}};
  auto& q = db.cached("SELECT state, count(*), sum(attempts > 0) FROM calls WHERE campaign_id = ?1 GROUP BY state");
  q.bind(1, campaign_id);
  while (q.step()) {
    out[q.text(0)] = q.int64(1);
    out["called"] += q.int64(2);
  }
  q.reset();
  return out;
}

ContactInput person(const std::string& phone) {
  ContactInput c;
  c.phone = phone;
  return c;
}

CampaignSpec running_spec(int concurrency) {
  CampaignSpec spec;
  spec.name = "c";
  spec.agent_id = "ag";
  spec.provider = "p";
  spec.from_number = "+14155550100";
  spec.concurrency = concurrency;
  spec.status = CampaignStatus::running;
  return spec;
}

// n contacts, the i-th with phone(i).
template <typename Phone>
std::vector<ContactInput> numbered(int n, Phone phone) {
  std::vector<ContactInput> people;
  for (int i = 0; i < n; ++i) people.push_back(person(phone(i)));
  return people;
}

// sql must be a literal: Db::cached keys statements by their text's address.
std::string text_of(Db& db, const char* sql) {
  auto& q = db.cached(sql);
  std::string v = q.step() ? q.text(0) : "";
  q.reset();
  return v;
}

// A schema-3 database with two campaigns and calls in every state, made by the statements dialerd 3 ran.
void make_v3(const std::string& path) {
  Db db(path, Db::Mode::read_write, 1000);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON");
  store::sqlite::migrate(db, 3);
  db.exec(R"sql(
INSERT INTO campaigns(name, agent_id, provider, from_number, schedule_type, concurrency, status, webhook_url,
                      created_at, updated_at)
VALUES ('a', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 'http://127.0.0.1:9/hook', 1, 1),
       ('b', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', NULL, 1, 1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
INSERT INTO contacts(phone, created_at, updated_at) SELECT '+1415300' || (1000 + i), 1, 1 FROM n;
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at)
SELECT 1 + (id > 30), id, 'pending', 100 + id, 1, 1 FROM contacts;
-- campaign 1: 3 completed, 2 failed, 2 in progress, 2 held, 1 skipped, 1 dispatching, 1 given back (attempts 0)
UPDATE calls SET state = 'dispatching', attempts = 1, dispatch_key = 'dk-a' WHERE id <= 12;
UPDATE calls SET state = 'in_progress', provider_call_id = 'pc-' || id WHERE id <= 7;
UPDATE calls SET state = 'completed' WHERE id <= 3;
UPDATE calls SET state = 'failed' WHERE id IN (4, 5);
UPDATE calls SET state = 'held' WHERE id IN (8, 9);
UPDATE calls SET state = 'pending', attempts = 0 WHERE id = 11;
UPDATE calls SET state = 'skipped' WHERE id = 13;
-- campaign 2: one in progress
UPDATE calls SET state = 'dispatching', attempts = 1, dispatch_key = 'dk-b' WHERE id = 31;
UPDATE calls SET state = 'in_progress', provider_call_id = 'pc-31' WHERE id = 31;
)sql");
}

}  // namespace

TEST_CASE("store: migration 4 keeps every call and every count of a schema-3 database") {
  testing::TempDir dir;
  const std::string path = dir.file("q.db");
  make_v3(path);
  std::map<std::string, std::int64_t> before1, before2;
  {
    Db db(path, Db::Mode::read_write, 1000);
    before1 = counters(db, 1);
    before2 = counters(db, 2);
    REQUIRE(before1 == counted(db, 1));  // the v3 triggers' own counts, as a reference
    CHECK(before1["completed"] == 3);
    CHECK(before1["called"] == 11);
  }
  { Store s({path}); }  // opening migrates
  Db db(path, Db::Mode::read_write, 1000);
  db.exec("PRAGMA foreign_keys = ON");
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  CHECK(text_of(db, "PRAGMA integrity_check") == "ok");
  CHECK(text_of(db, "PRAGMA foreign_key_check").empty());
  CHECK(text_of(db, "SELECT count(*) FROM calls") == "40");
  CHECK(text_of(
            db,
            "SELECT group_concat(id || ':' || state || ':' || attempts, ' ') FROM calls WHERE id IN (1, 8, 11, 31)") ==
        "1:completed:1 8:held:1 11:pending:0 31:in_progress:1");
  CHECK(counters(db, 1) == before1);
  CHECK(counters(db, 2) == before2);
  CHECK(text_of(db, "SELECT sql FROM sqlite_schema WHERE name = 'calls'").find(" IN (") == std::string::npos);

  SECTION("later changes keep the counts equal to the calls, and the guard still refuses illegal moves") {
    db.exec("UPDATE calls SET state = 'completed', updated_at = 5 WHERE id IN (6, 7, 31)");
    db.exec("UPDATE calls SET state = 'pending', attempts = attempts - 1 WHERE id = 12");  // given back
    db.exec("UPDATE calls SET state = 'dispatching', attempts = attempts + 1 WHERE id IN (14, 15)");
    db.exec("UPDATE calls SET attempts = 0 WHERE id = 8");  // attempts alone (an operator's edit)
    CHECK(counters(db, 1) == counted(db, 1));
    CHECK(counters(db, 2) == counted(db, 2));
    CHECK_THROWS_WITH(db.exec("UPDATE calls SET state = 'completed' WHERE id = 16"),
                      Catch::Contains("illegal call state transition"));
    CHECK_THROWS_WITH(db.exec("UPDATE calls SET state = 'pending' WHERE id = 1"),
                      Catch::Contains("illegal call state transition"));
    CHECK(text_of(db, "SELECT state FROM calls WHERE id = 16") == "pending");
    CHECK(counters(db, 1) == counted(db, 1));
    // The call webhook still fires for campaign 1 (it has a URL), once per final state reached.
    CHECK(text_of(db,
                  "SELECT count(*) FROM webhook_outbox WHERE type = 'call.completed' AND campaign_id = 1 AND "
                  "created_at = 5") == "2");
  }
  SECTION("a campaign created after the migration starts with zero counts and counts its calls") {
    Store s({path});
    auto id =
        s.create_campaign(running_spec(5), numbered(3, [](int i) { return "+1415400100" + std::to_string(i); }), 10);
    CHECK(s.counts(id).pending == 3);
    CHECK(s.counts(id).total() == 3);
    CHECK(s.in_flight(id) == 0);
    auto chunk = s.claim(*s.campaign(id), 2, 20);
    REQUIRE(chunk);
    CHECK(s.in_flight(id) == 2);
    CHECK(counters(db, id) == counted(db, id));
  }
}

TEST_CASE("store: an accepted chunk leaves its attempts' provider ids to the outcome and shows them meanwhile") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id =
      s.create_campaign(running_spec(10), numbered(4, [](int i) { return "+1415500100" + std::to_string(i); }), 10);
  auto chunk = s.claim(*s.campaign(id), 4, 20);
  REQUIRE(chunk);
  REQUIRE(chunk->calls.size() == 4);
  std::vector<SubmitResult> accepted;
  for (const auto& c : chunk->calls) accepted.push_back({Kind::accepted, c.id, "pc-" + std::to_string(c.id), "", 0});
  s.record_submission(*chunk, accepted, 30);  // the all-accepted statement: no note, no early outcome
  CHECK(s.counts(id).in_progress == 4);
  const auto first = chunk->calls[0].id;
  auto detail = s.reports().call_detail(first);
  REQUIRE(detail);
  CHECK(detail->provider_call_id == "pc-" + std::to_string(first));
  REQUIRE(detail->history.size() == 1);
  CHECK(detail->history[0].provider_call_id == "pc-" + std::to_string(first));

  auto applied = s.record_outcomes("p", {{"pc-" + std::to_string(first), Outcome::completed, "done"}}, 40);
  REQUIRE(applied.size() == 1);
  CHECK(applied[0].effect == store::OutcomeApplied::Effect::applied);
  {
    Db db(dir.file("q.db"), Db::Mode::read_only, 1000);
    auto& q = db.cached("SELECT provider_call_id, outcome FROM attempts WHERE call_id = ?1");
    q.bind(1, first);
    REQUIRE(q.step());
    CHECK(q.text(0) == "pc-" + std::to_string(first));  // copied from the call with the outcome
    CHECK(q.text(1) == "completed");
    q.reset();
    auto& other = db.cached("SELECT count(*) FROM attempts WHERE provider_call_id IS NULL");
    CHECK(other.first_int64() == 3);  // the others still in progress
  }
  // A repeat of the same callback is a duplicate, found by the attempt's provider id.
  auto again = s.record_outcomes("p", {{"pc-" + std::to_string(first), Outcome::completed, "done"}}, 50);
  CHECK(again[0].effect == store::OutcomeApplied::Effect::duplicate);
}

TEST_CASE("store: calls are listed state by state along each state's index across pages") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto id = s.create_campaign(running_spec(100),
                              numbered(12, [](int i) { return "+141560010" + std::to_string(10 + i); }), 10);
  // Calls 1-4 completed, 5-6 in progress (6 went out first), 7 held, 8-12 pending.
  auto chunk = s.claim(*s.campaign(id), 4, 20);
  REQUIRE(chunk);
  std::vector<SubmitResult> results;
  for (const auto& c : chunk->calls) results.push_back({Kind::accepted, c.id, "pc-" + std::to_string(c.id), "", 0});
  s.record_submission(*chunk, results, 21);
  std::vector<OutcomeReport> done;
  for (const auto& c : chunk->calls) done.push_back({"pc-" + std::to_string(c.id), Outcome::completed, ""});
  s.record_outcomes("p", done, 22);
  auto one = [&](UnixMs at) {
    auto c = s.claim(*s.campaign(id), 1, at);
    REQUIRE(c);
    return *c;
  };
  auto c5 = one(30), c6 = one(31), c7 = one(32);
  s.record_submission(c6, {{Kind::accepted, c6.calls[0].id, "pc-6", "", 0}}, 33);
  s.record_submission(c5, {{Kind::accepted, c5.calls[0].id, "pc-5", "", 0}}, 34);
  s.record_submission(c7, {{Kind::uncertain, c7.calls[0].id, "", "lost", 0}}, 35);

  std::vector<std::string> seen;
  store::Reports::CallCursor after;
  for (int page = 0; page < 10; ++page) {
    auto calls = s.reports().campaign_calls(id, std::nullopt, after, 5);
    for (const auto& c : calls) seen.push_back(std::string(to_string(c.state)) + ":" + std::to_string(c.id));
    if (calls.size() < 5) break;
    after = {std::string(to_string(calls.back().state)), store::Reports::cursor_key(calls.back()), calls.back().id};
  }
  CHECK(seen == std::vector<std::string>{"completed:1", "completed:2", "completed:3", "completed:4", "held:7",
                                         "in_progress:6", "in_progress:5", "pending:8", "pending:9", "pending:10",
                                         "pending:11", "pending:12"});
  auto in_progress = s.reports().campaign_calls(id, CallState::in_progress, {}, 10);
  REQUIRE(in_progress.size() == 2);
  CHECK(in_progress[0].id == 6);
  auto rest = s.reports().campaign_calls(
      id, CallState::in_progress, {"in_progress", store::Reports::cursor_key(in_progress[0]), in_progress[0].id}, 10);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].id == 5);
  CHECK(s.reports().campaign_calls(id, CallState::completed, {"completed", 0, 2}, 10).size() == 2);
}

TEST_CASE("store: migration 5 gives each workspace its own contact record and makes old suppressions global") {
  testing::TempDir dir;
  const std::string path = dir.file("q.db");
  {
    Db db(path, Db::Mode::read_write, 1000);
    db.exec("PRAGMA foreign_keys = ON");
    store::sqlite::migrate(db, 4);
    // Contact 1 is called by workspaces x and y (each has a call and an attempt of it); contact 2 by x only;
    // contact 3 by nobody. One suppression, shared by all as schema 4 had it.
    db.exec(R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, schedule_type, concurrency, status,
                      created_at, updated_at)
VALUES ('y', 'cy', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 1, 1),
       ('x', 'cx', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 1, 1);
INSERT INTO contacts(phone, first_name, timezone, active, created_at, updated_at)
VALUES ('+14155550101', 'Ann', 'America/Chicago', 0, 1, 2), ('+14155550102', 'Bo', NULL, 1, 1, 1),
       ('+14155550103', NULL, NULL, 1, 1, 1);
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at)
VALUES (1, 1, 'pending', 5, 1, 1), (2, 1, 'pending', 5, 1, 1), (2, 2, 'pending', 5, 1, 1);
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, submitted_at)
VALUES (1, 1, 1, 1, 'dk-1', 3), (2, 2, 1, 1, 'dk-2', 3);
INSERT INTO suppressions(phone, reason, source, created_at) VALUES ('+14155550102', 'asked to stop', 'api', 7);
)sql");
  }
  { Store s({path}); }  // opening migrates
  Db db(path, Db::Mode::read_write, 1000);
  db.exec("PRAGMA foreign_keys = ON");
  CHECK(text_of(db, "PRAGMA integrity_check") == "ok");
  CHECK(text_of(db, "PRAGMA foreign_key_check").empty());
  // x (the lowest name) keeps contact 1's id; y gets a copy with the same attributes.
  CHECK(text_of(db,
                "SELECT group_concat(id || ':' || workspace || ':' || phone || ':' || coalesce(first_name, '-') || ':' "
                "|| coalesce(timezone, '-') || ':' || active, ' ') FROM (SELECT * FROM contacts ORDER BY id)") ==
        "1:x:+14155550101:Ann:America/Chicago:0 2:x:+14155550102:Bo:-:1 3:default:+14155550103:-:-:1 "
        "4:y:+14155550101:Ann:America/Chicago:0");
  // y's call and its attempt moved to y's record; x's stayed.
  CHECK(text_of(db, "SELECT group_concat(id || ':' || contact_id, ' ') FROM (SELECT * FROM calls ORDER BY id)") ==
        "1:4 2:1 3:2");
  CHECK(
      text_of(db, "SELECT group_concat(call_id || ':' || contact_id, ' ') FROM (SELECT * FROM attempts ORDER BY id)") ==
      "1:4 2:1");
  CHECK(text_of(db,
                "SELECT workspace || ':' || phone || ':' || reason || ':' || coalesce(created_by, '-') FROM "
                "suppressions") == "*:+14155550102:asked to stop:-");
  // The views and the call webhook trigger still work.
  CHECK(text_of(db, "SELECT count(*) FROM held_calls") == "0");
  CHECK(text_of(db, "SELECT count(*) FROM due_calls") == "3");
  Store s({path});
  CHECK(s.contact_suppressed("x", "+14155550102") == std::optional<std::string>("on the global do-not-call list"));
  CHECK(s.contact("y", "+14155550101")->id == 4);
  CHECK_FALSE(s.contact("y", "+14155550102"));
}

TEST_CASE("store: migration 7 makes every contact a contact-book record and keeps its calls and attempts") {
  testing::TempDir dir;
  const std::string path = dir.file("q.db");
  {
    Db db(path, Db::Mode::read_write, 1000);
    db.exec("PRAGMA foreign_keys = ON");
    store::sqlite::migrate(db, 6);
    // Workspace x has two contacts, one with a pending call and one with a finished call and its attempt.
    db.exec(R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, schedule_type, concurrency, status,
                      created_at, updated_at)
VALUES ('x', 'cx', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 1, 1);
INSERT INTO contacts(workspace, phone, first_name, timezone, active, variables, created_at, updated_at)
VALUES ('x', '+14155550101', 'Ann', 'America/Chicago', 1, '{}', 1, 2), ('x', '+14155550102', 'Bo', NULL, 1, '{}', 1, 1);
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at)
VALUES (1, 1, 'pending', 5, 1, 1), (1, 2, 'pending', 5, 1, 1);
UPDATE calls SET state = 'dispatching', attempts = 1 WHERE id = 2;
UPDATE calls SET state = 'in_progress' WHERE id = 2;
UPDATE calls SET state = 'completed' WHERE id = 2;
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, submitted_at)
VALUES (2, 1, 2, '+14155550102', 'dk-2', 3);
)sql");
  }
  Store s({path});
  {
    Db db(path, Db::Mode::read_write, 1000);
    CHECK(text_of(db, "PRAGMA integrity_check") == "ok");
    CHECK(text_of(db, "PRAGMA foreign_key_check").empty());
    CHECK(text_of(db, "SELECT count(*) FROM contacts WHERE external_id IS NULL AND deleted_at IS NULL") == "2");
  }
  auto ann = s.contact_by_id("x", 1);
  REQUIRE(ann);
  CHECK(ann->first_name == "Ann");
  CHECK(ann->timezone == std::optional<std::string>("America/Chicago"));
  CHECK_FALSE(s.contact_by_id("y", 1));  // another workspace's id is none
  store::Contacts::ContactFilter all;
  CHECK(s.contacts("x", all).size() == 2);

  // The old records take part in the contact book: an external id by upload, a list, a delete.
  ContactRecordInput rec;
  rec.phone = "+14155550101";
  rec.external_id = "cus-1";
  auto up = s.upsert_contacts("x", {rec}, std::nullopt, 10);
  REQUIRE(up.records.size() == 1);
  CHECK(up.records[0].result == store::Contacts::Upserted::Result::updated);
  CHECK(up.records[0].id == 1);
  CHECK(s.contact_by_external_id("x", "cus-1")->first_name == "Ann");
  auto list = s.create_list("x", "old ones", "", 10);
  REQUIRE(list);
  CHECK(s.add_members("x", list->id, {1, 2}, 10).added == 2);
  CHECK(s.list("x", list->id)->members == 2);
  CHECK(s.delete_contact("x", 2, 11) == store::Contacts::Deleted::deleted);
  CHECK(s.delete_contact("x", 1, 11) == store::Contacts::Deleted::deleted);
  Db db(path, Db::Mode::read_write, 1000);
  // Ann's pending call is skipped; Bo's finished call and its attempt are kept; the counts follow.
  CHECK(text_of(db,
                "SELECT group_concat(id || ':' || state || ':' || coalesce(last_error, '-'), ' ') FROM "
                "(SELECT * FROM calls ORDER BY id)") == "1:skipped:contact deleted 2:completed:-");
  CHECK(text_of(db, "SELECT count(*) FROM attempts WHERE contact_id = 2") == "1");
  CHECK(counters(db, 1) == counted(db, 1));
  CHECK(s.list("x", list->id)->members == 0);
}

TEST_CASE("store: migration 8 gives campaigns a subject, Regulation F and required consent, and contacts consent") {
  testing::TempDir dir;
  const std::string path = dir.file("q.db");
  {
    Db db(path, Db::Mode::read_write, 1000);
    db.exec("PRAGMA foreign_keys = ON");
    store::sqlite::migrate(db, 7);
    db.exec(R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, schedule_type, concurrency, status,
                      created_at, updated_at)
VALUES ('x', 'cx', 'ag', 'p', '+14155550100', 'immediate', 10, 'running', 1, 1);
INSERT INTO contacts(workspace, phone, first_name, timezone, active, variables, created_at, updated_at)
VALUES ('x', '+14155550101', 'Ann', NULL, 1, '{}', 1, 2);
)sql");
  }
  Store s({path});
  // An old campaign has none of the new settings; an old contact no consent.
  auto old = s.campaign(1);
  REQUIRE(old);
  CHECK_FALSE(old->spec.subject);
  CHECK_FALSE(old->spec.reg_f);
  CHECK_FALSE(old->spec.require_consent);
  CHECK_FALSE(s.contact_by_id("x", 1)->consent);
  // New ones keep them.
  auto spec = running_spec(1);
  spec.workspace = "x";
  spec.subject = "debt 42";
  spec.reg_f = RegF{5, 7, 0};
  spec.require_consent = ConsentType::express_written;
  auto id = s.create_campaign(spec, {}, 10);
  auto back = s.campaign(id);
  CHECK(back->spec.subject == std::optional<std::string>("debt 42"));
  CHECK(back->spec.reg_f == std::optional<RegF>(RegF{5, 7, 0}));
  CHECK(back->spec.require_consent == std::optional<ConsentType>(ConsentType::express_written));
  ContactRecordInput rec;
  rec.phone = "+14155550101";
  rec.consent = Consent{ConsentType::express, "call 9", 100, std::nullopt, std::nullopt};
  s.upsert_contacts("x", {rec}, std::nullopt, 20);
  CHECK(s.contact_by_id("x", 1)->consent == rec.consent);
  Db db(path, Db::Mode::read_write, 1000);
  // A stored consent that is not a consent record is a corrupt row, named, not a silent "none".
  db.exec("UPDATE contacts SET consent = '{\"type\": \"implied\"}' WHERE id = 1");
  CHECK_THROWS_WITH(s.contact_by_id("x", 1), Catch::Contains("consent"));
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
}

TEST_CASE("store: migration 9 adds do-not-call lists - an old campaign honours none and still dispatches") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 8);
  Store s({path});
  auto old = s.campaign(1);
  REQUIRE(old);
  CHECK(old->spec.dnc_lists.empty());
  auto honoured = s.dnc_lists_of(*old);
  CHECK(honoured.lists.empty());
  CHECK(honoured.missing.empty());
  CHECK(s.dnc_lists("x").empty());
  // The new tables take a list and its numbers; a campaign keeps the names it honours.
  DncList list;
  list.workspace = "x";
  list.name = "registry";
  list.created_at = 5;
  auto made = s.create_dnc_list(list);
  REQUIRE(made);
  std::vector<std::int64_t> keys = {14155550101};
  CHECK(s.add_dnc_numbers(made->set_id, keys) == 1);
  auto spec = running_spec(1);
  spec.workspace = "x";
  spec.dnc_lists = {"registry"};
  auto id = s.create_campaign(spec, {}, 10);
  CHECK(s.campaign(id)->spec.dnc_lists == std::vector<std::string>{"registry"});
  CHECK(s.campaigns_honouring("x", "registry") == std::vector<CampaignId>{id});
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
}

TEST_CASE("store: migration 10 adds the pre-dial check - an old campaign has none and one round-trips") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 9);
  Store s({path});
  auto old = s.campaign(1);
  REQUIRE(old);
  CHECK_FALSE(old->spec.predial);
  auto spec = running_spec(1);
  spec.predial = Predial{"https://crm.example/eligible", "crm", 1500, true, 120};
  auto id = s.create_campaign(spec, {}, 10);
  CHECK(s.campaign(id)->spec.predial == spec.predial);
  // PATCH changes it, or takes it away.
  spec.predial->call_on_error = false;
  s.update_settings(id, spec, 11);
  CHECK(s.campaign(id)->spec.predial == spec.predial);
  spec.predial.reset();
  s.update_settings(id, spec, 12);
  CHECK_FALSE(s.campaign(id)->spec.predial);
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  // A stored check that is not one is a corrupt row, named.
  db.exec("UPDATE campaigns SET predial = '{\"url\": 5}' WHERE id = 1");
  CHECK_THROWS_WITH(s.campaign(1), Catch::Contains("predial"));
}

TEST_CASE("store: migration 11 adds retries per outcome - an old campaign has none and one round-trips") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 10);
  Store s({path});
  auto old = s.campaign(1);
  REQUIRE(old);
  CHECK(old->spec.retry_policy.empty());
  auto spec = running_spec(1);
  spec.retry_policy[Outcome::busy] = OutcomeRetry{true, 30, 5};
  spec.retry_policy[Outcome::voicemail] = OutcomeRetry{true, std::nullopt, std::nullopt};
  auto id = s.create_campaign(spec, {}, 10);
  CHECK(s.campaign(id)->spec.retry_policy == spec.retry_policy);
  spec.retry_policy.erase(Outcome::busy);
  s.update_settings(id, spec, 11);
  CHECK(s.campaign(id)->spec.retry_policy == spec.retry_policy);
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  db.exec("UPDATE campaigns SET retry_policy = '{\"ringing\": {\"retry\": true}}' WHERE id = 1");
  CHECK_THROWS_WITH(s.campaign(1), Catch::Contains("retry_policy"));
}

TEST_CASE("store: migration 12 adds pacing - an old campaign is not paced and the limits round-trip") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 11);
  Store s({path});
  CHECK_FALSE(s.campaign(1)->spec.calls_per_second);
  CHECK_FALSE(s.campaign(1)->spec.calls_per_minute);
  auto spec = running_spec(1);
  spec.calls_per_second = 5;
  spec.calls_per_minute = 120;
  auto id = s.create_campaign(spec, {}, 10);
  CHECK(s.campaign(id)->spec.calls_per_second == 5);
  CHECK(s.campaign(id)->spec.calls_per_minute == 120);
  spec.calls_per_second.reset();
  s.update_settings(id, spec, 11);
  CHECK_FALSE(s.campaign(id)->spec.calls_per_second);
  CHECK(s.campaign(id)->spec.calls_per_minute == 120);
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  CHECK_THROWS(db.exec("UPDATE campaigns SET calls_per_second = 0 WHERE id = 1"));
}

TEST_CASE("store: migration 13 adds a call's not_before - an old call has none and goes out as before") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 12);
  {
    Db db(path, Db::Mode::read_write, 1000);
    db.exec(R"sql(
INSERT INTO contacts(workspace, phone, created_at, updated_at) VALUES ('x', '+14155550111', 1, 1);
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at) VALUES (1, 1, 'pending', 5, 1, 1);
)sql");
  }
  Store s({path});
  auto old = s.reports().call_detail(1);
  REQUIRE(old);
  CHECK_FALSE(old->candidate.not_before);
  CHECK(s.change_pending_call(1, {.not_before = std::optional<UnixMs>(9000)}, 10));
  CHECK(s.reports().call_detail(1)->candidate.not_before == 9000);
  CHECK_FALSE(s.claim(*s.campaign(1), 10, 8999));
  CHECK(s.claim(*s.campaign(1), 10, 9000));
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
}

TEST_CASE("store: migration 14 adds local_presence - an old campaign keeps its rotation and the strategy round-trips") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 13);
  Store s({path});
  CHECK(s.campaign(1)->spec.rotation == "round_robin");
  auto spec = running_spec(1);
  spec.rotation = "local_presence";
  auto id = s.create_campaign(spec, {}, 10);
  CHECK(s.campaign(id)->spec.rotation == "local_presence");
  spec.rotation = "random";
  s.update_settings(id, spec, 11);
  CHECK(s.campaign(id)->spec.rotation == "random");
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "SELECT rotation || local_presence FROM campaigns WHERE id = 1") == "round_robin0");
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  CHECK_THROWS(db.exec("UPDATE campaigns SET local_presence = 2 WHERE id = 1"));
}

TEST_CASE("store: migration 15 adds a call's priority - an old call has 0 and the range is checked") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 14);
  {
    Db db(path, Db::Mode::read_write, 1000);
    db.exec(R"sql(
INSERT INTO contacts(workspace, phone, created_at, updated_at) VALUES ('x', '+14155550111', 1, 1);
INSERT INTO contacts(workspace, phone, created_at, updated_at) VALUES ('x', '+14155550112', 1, 1);
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at) VALUES (1, 1, 'pending', 5, 1, 1);
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, created_at, updated_at) VALUES (1, 2, 'pending', 5, 1, 1);
)sql");
  }
  Store s({path});
  CHECK(s.reports().call_detail(1)->priority == 0);
  CHECK(s.change_pending_call(2, {.priority = 40}, 10));
  auto chunk = s.claim(*s.campaign(1), 1, 10);
  REQUIRE(chunk);
  CHECK(chunk->calls[0].id == 2);
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "PRAGMA user_version") == std::to_string(store::sqlite::schema_version()));
  CHECK_THROWS(db.exec("UPDATE calls SET priority = 101 WHERE id = 1"));
  CHECK_THROWS(db.exec("UPDATE calls SET priority = -1 WHERE id = 1"));
}

TEST_CASE("store: migration 16 adds caller-id health - an old campaign limits no number and the settings round-trip") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 15);
  Store s({path});
  auto old = s.campaign(1);
  REQUIRE(old);
  CHECK_FALSE(old->spec.max_calls_per_number_per_day);
  CHECK_FALSE(old->spec.number_rest);
  auto spec = old->spec;
  spec.max_calls_per_number_per_day = 50;
  spec.number_rest = domain::NumberRest{3, 900, {domain::Outcome::failed, domain::Outcome::timeout}};
  s.update_settings(1, spec, 20);
  CHECK(s.campaign(1)->spec.max_calls_per_number_per_day == 50);
  CHECK(s.campaign(1)->spec.number_rest == spec.number_rest);
  Db db(path, Db::Mode::read_write, 1000);
  CHECK(text_of(db, "SELECT number_rest FROM campaigns WHERE id = 1") ==
        R"({"after_failures":3,"outcomes":["failed","timeout"],"rest_seconds":900})");
  CHECK(text_of(db, "SELECT count(*) FROM sqlite_master WHERE name = 'attempts_from_time'") == "1");
  CHECK_THROWS(db.exec("UPDATE campaigns SET max_calls_per_number = 0 WHERE id = 1"));
  // A stored rest that is not one is a corrupt row, named.
  db.exec(R"(UPDATE campaigns SET number_rest = '{"after_failures": 0}' WHERE id = 1)");
  CHECK_THROWS_WITH(s.campaign(1), Catch::Contains("number_rest.after_failures"));
}

TEST_CASE("store: migration 17 counts the attempts made before it into the stats slots, then triggers go on") {
  testing::TempDir dir;
  const std::string path = old_campaign_at(dir, 16);
  {
    Db db(path, Db::Mode::read_write, 1000);
    // Three calls: one completed (two attempts: no answer, then completed), one failed, one not submitted.
    db.exec(R"sql(
INSERT INTO contacts(id, workspace, phone, created_at, updated_at)
VALUES (1, 'x', '+14155550001', 1, 1), (2, 'x', '+14155550002', 1, 1), (3, 'x', '+14155550003', 1, 1);
INSERT INTO calls(id, campaign_id, contact_id, state, attempts, next_attempt_at, created_at, updated_at)
VALUES (1, 1, 1, 'pending', 0, 0, 1, 1), (2, 1, 2, 'pending', 0, 0, 1, 1), (3, 1, 3, 'pending', 0, 0, 1, 1);
UPDATE calls SET state = 'dispatching', attempts = 2, dispatch_key = 'k2' WHERE id = 1;
UPDATE calls SET state = 'in_progress' WHERE id = 1;
UPDATE calls SET state = 'completed', last_outcome = 'completed' WHERE id = 1;
UPDATE calls SET state = 'dispatching', attempts = 1, dispatch_key = 'k1' WHERE id = 2;
UPDATE calls SET state = 'failed', last_outcome = 'rejected' WHERE id = 2;
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, submitted_at, outcome, finished_at)
VALUES (1, 1, 1, 1, 'k1', 1000, 'no_answer', 900500),
       (1, 1, 1, 2, 'k2', 900600, 'completed', 1800100),
       (2, 1, 2, 1, 'k1', 1000, 'rejected', 1000),
       (3, 1, 3, 1, 'k1', 1000, 'not_submitted', 1000);
)sql");
  }
  Store s({path});
  std::map<std::pair<std::int64_t, std::string>, std::string> got;
  for (const auto& r : s.reports().campaign_stats(1, 0, 10 * 900000, 0, "", 100))
    got[{r.slot, r.kind}] = std::to_string(r.n) + "/" + std::to_string(r.completed) + "/" + std::to_string(r.failed);
  std::map<std::pair<std::int64_t, std::string>, std::string> want = {
      {{0, "submitted"}, "2/0/0"},      {{0, "rejected"}, "1/0/1"},        {{900000, "no_answer"}, "1/0/0"},
      {{900000, "submitted"}, "1/0/0"}, {{1800000, "completed"}, "1/1/0"},
  };
  CHECK(got == want);
  // From now on the triggers count: an attempt found not submitted is taken back out of its slot.
  Db db(path, Db::Mode::read_write, 1000);
  db.exec(R"sql(
UPDATE calls SET state = 'dispatching', attempts = 1, dispatch_key = 'k9' WHERE id = 3;
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, submitted_at) VALUES (3, 1, 3, 1, 'k9', 2000);
INSERT INTO campaign_stats(campaign_id, slot, kind, n) VALUES (1, 0, 'submitted', 1)
ON CONFLICT DO UPDATE SET n = n + 1;
UPDATE attempts SET outcome = 'not_submitted', finished_at = 2500 WHERE dispatch_key = 'k9';
)sql");
  CHECK(text_of(db, "SELECT n FROM campaign_stats WHERE campaign_id = 1 AND slot = 0 AND kind = 'submitted'") == "2");
}
