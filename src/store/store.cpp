#include "dialerd/store/store.hpp"

#include <filesystem>
#include <random>

#include "dialerd/schedule/retry.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

namespace {

// ---- SQL, named here and nowhere else -----------------------------------------------------------
constexpr const char* kInsertCampaign = R"sql(
INSERT INTO campaigns(name, agent_id, provider, from_number, schedule_type, trigger_at, timezone, concurrency,
                      max_calls_per_day, retry_attempts, retry_delay_s, status, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13))sql";

constexpr const char* kSelectCampaign = R"sql(
SELECT id, name, agent_id, provider, from_number, schedule_type, trigger_at, timezone, concurrency,
       max_calls_per_day, retry_attempts, retry_delay_s, status, created_at, updated_at
FROM campaigns WHERE id = ?1)sql";
constexpr const char* kSelectCampaignsByStatus = R"sql(
SELECT id, name, agent_id, provider, from_number, schedule_type, trigger_at, timezone, concurrency,
       max_calls_per_day, retry_attempts, retry_delay_s, status, created_at, updated_at
FROM campaigns WHERE status = ?1 ORDER BY id)sql";
constexpr const char* kSelectCampaignStatus = "SELECT status FROM campaigns WHERE id = ?1";
constexpr const char* kUpdateCampaignStatus = "UPDATE campaigns SET status = ?2, updated_at = ?3 WHERE id = ?1";

constexpr const char* kUpsertContact = R"sql(
INSERT INTO contacts(phone, first_name, last_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
ON CONFLICT(phone) DO UPDATE SET first_name = coalesce(excluded.first_name, first_name),
                                 last_name = coalesce(excluded.last_name, last_name),
                                 updated_at = excluded.updated_at
RETURNING id)sql";
constexpr const char* kFindPendingCall =
    "SELECT id FROM calls WHERE contact_id = ?1 AND campaign_id = ?2 AND state = 'pending' LIMIT 1";
constexpr const char* kUpdatePendingCall = "UPDATE calls SET variables = ?2, updated_at = ?3 WHERE id = ?1";
constexpr const char* kInsertCall = R"sql(
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, variables, created_at, updated_at)
VALUES (?1, ?2, 'pending', ?3, ?4, ?3, ?3))sql";

constexpr const char* kCountsByState = R"sql(
SELECT state, count(*), coalesce(sum(attempts > 0), 0) FROM calls WHERE campaign_id = ?1 GROUP BY state)sql";
constexpr const char* kInFlight =
    "SELECT count(*) FROM calls WHERE campaign_id = ?1 AND state IN ('dispatching', 'in_progress')";
constexpr const char* kHasCalls = "SELECT 1 FROM calls WHERE campaign_id = ?1 LIMIT 1";
constexpr const char* kHasOutstanding = R"sql(
SELECT 1 FROM calls WHERE campaign_id = ?1 AND state IN ('pending', 'dispatching', 'in_progress', 'held') LIMIT 1)sql";

constexpr const char* kSelectDue = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.state = 'pending' AND k.next_attempt_at <= ?2
ORDER BY k.next_attempt_at, k.id LIMIT ?3)sql";
constexpr const char* kMarkDispatching = R"sql(
UPDATE calls SET state = 'dispatching', attempts = attempts + 1, dispatch_key = ?2, updated_at = ?3
WHERE id = ?1 AND state = 'pending')sql";
constexpr const char* kInsertAttempt =
    "INSERT INTO attempts(call_id, number, dispatch_key, submitted_at) VALUES (?1, ?2, ?3, ?4)";

// Submission answers: each only moves a call that is still dispatching under this chunk's key.
constexpr const char* kSubmitAccepted = R"sql(
UPDATE calls SET state = 'in_progress', provider_call_id = ?3, last_error = NULL, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
constexpr const char* kSubmitRejected = R"sql(
UPDATE calls SET state = 'failed', last_outcome = 'rejected', last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
constexpr const char* kSubmitNotSent = R"sql(
UPDATE calls SET state = 'pending', attempts = attempts - 1, next_attempt_at = ?5, last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
constexpr const char* kSubmitUncertain = R"sql(
UPDATE calls SET state = 'held', last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
constexpr const char* kAttemptAnswered = R"sql(
UPDATE attempts SET provider_call_id = ?3, outcome = ?4, detail = ?5, finished_at = ?6
WHERE call_id = ?1 AND dispatch_key = ?2)sql";

constexpr const char* kFindCallByProviderId = R"sql(
SELECT k.id, k.campaign_id, k.state, k.attempts, k.max_retries, c.retry_attempts, c.retry_delay_s
FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.provider_call_id = ?1 AND c.provider = ?2)sql";
constexpr const char* kKnownAttempt = R"sql(
SELECT a.call_id, k.campaign_id, k.state FROM attempts a JOIN calls k ON k.id = a.call_id
JOIN campaigns c ON c.id = k.campaign_id WHERE a.provider_call_id = ?1 AND c.provider = ?2 LIMIT 1)sql";
constexpr const char* kApplyOutcome = R"sql(
UPDATE calls SET state = ?2, next_attempt_at = ?3, last_outcome = ?4, last_error = ?5, updated_at = ?6
WHERE id = ?1 AND state = 'in_progress')sql";
constexpr const char* kAttemptOutcome = R"sql(
UPDATE attempts SET outcome = ?2, detail = ?3, finished_at = ?4
WHERE call_id = ?1 AND dispatch_key = (SELECT dispatch_key FROM calls WHERE id = ?1))sql";

constexpr const char* kProviderDispatching = R"sql(
SELECT 1 FROM campaigns c WHERE c.provider = ?1
  AND EXISTS (SELECT 1 FROM calls k WHERE k.campaign_id = c.id AND k.state = 'dispatching') LIMIT 1)sql";
constexpr const char* kSaveEarly = R"sql(
INSERT OR REPLACE INTO early_outcomes(provider, provider_call_id, outcome, detail, received_at)
VALUES (?1, ?2, ?3, ?4, ?5))sql";
constexpr const char* kTakeEarly =
    "DELETE FROM early_outcomes WHERE provider = ?1 AND provider_call_id = ?2 RETURNING outcome, detail";
constexpr const char* kPurgeEarly = "DELETE FROM early_outcomes WHERE received_at < ?1";

constexpr const char* kHoldDispatching = R"sql(
UPDATE calls SET state = 'held', last_error = ?1, updated_at = ?2 WHERE state = 'dispatching')sql";
constexpr const char* kNextDueOfCampaign =
    "SELECT min(next_attempt_at) FROM calls WHERE campaign_id = ?1 AND state = 'pending'";
constexpr const char* kNextTrigger =
    "SELECT min(coalesce(trigger_at, 0)) FROM campaigns WHERE status = 'scheduled'";
constexpr const char* kTriggered =
    "SELECT id FROM campaigns WHERE status = 'scheduled' AND coalesce(trigger_at, 0) <= ?1 ORDER BY id";
// -------------------------------------------------------------------------------------------------

Campaign read_campaign(const Stmt& s) {
  Campaign c;
  c.id = s.int64(0);
  c.spec.name = s.text(1);
  c.spec.agent_id = s.text(2);
  c.spec.provider = s.text(3);
  c.spec.from_number = s.text(4);
  c.spec.schedule_type = s.text(5);
  c.spec.trigger_at = s.opt_int64(6);
  c.spec.timezone = s.text(7);
  c.spec.concurrency = static_cast<int>(s.int64(8));
  if (auto m = s.opt_int64(9)) c.spec.max_calls_per_day = static_cast<int>(*m);
  c.spec.retry_attempts = static_cast<int>(s.int64(10));
  c.spec.retry_delay_s = static_cast<int>(s.int64(11));
  c.status = campaign_status_from(s.text(12)).value_or(CampaignStatus::draft);
  c.spec.status = c.status;
  c.created_at = s.int64(13);
  c.updated_at = s.int64(14);
  return c;
}

nlohmann::json call_variables(const ContactInput& in) {
  nlohmann::json vars = in.variables.is_object() ? in.variables : nlohmann::json::object();
  if (!in.first_name.empty()) vars["first_name"] = in.first_name;
  if (!in.last_name.empty()) vars["last_name"] = in.last_name;
  return vars;
}

std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

Store::Store(const StoreOptions& options) {
  auto parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  db_ = std::make_unique<Db>(options.path, Db::Mode::read_write, options.busy_timeout_ms);
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec(options.synchronous == "normal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  db_->exec("PRAGMA foreign_keys = ON");
  sqlite::migrate(*db_);
  key_salt_ = std::random_device{}();
}

Store::~Store() = default;

CampaignId Store::create_campaign(const CampaignSpec& spec, const std::vector<ContactInput>& contacts, UnixMs now) {
  Transaction tx(*db_);
  auto& ins = db_->cached(kInsertCampaign);
  ins.bind(1, spec.name).bind(2, spec.agent_id).bind(3, spec.provider).bind(4, spec.from_number);
  ins.bind(5, spec.schedule_type).bind(6, spec.trigger_at).bind(7, spec.timezone).bind(8, spec.concurrency);
  ins.bind(9, spec.max_calls_per_day).bind(10, spec.retry_attempts).bind(11, spec.retry_delay_s);
  ins.bind(12, to_string(spec.status)).bind(13, now);
  ins.run();
  CampaignId id = db_->last_insert_rowid();

  for (const auto& contact : contacts) {
    auto& up = db_->cached(kUpsertContact);
    up.bind(1, contact.phone).bind(2, non_empty(contact.first_name)).bind(3, non_empty(contact.last_name)).bind(4, now);
    if (!up.step()) throw sqlite::DbError(0, "contact upsert returned no id");
    std::int64_t contact_id = up.int64(0);
    up.reset();
    std::string vars = call_variables(contact).dump();
    // A second record for a contact with a pending call in this campaign updates it (seed 003).
    auto& find = db_->cached(kFindPendingCall);
    find.bind(1, contact_id).bind(2, id);
    if (find.step()) {
      CallId existing = find.int64(0);
      find.reset();
      db_->cached(kUpdatePendingCall).bind(1, existing).bind(2, vars).bind(3, now).run();
      continue;
    }
    find.reset();
    db_->cached(kInsertCall).bind(1, id).bind(2, contact_id).bind(3, now).bind(4, vars).run();
  }
  tx.commit();
  return id;
}

std::optional<Campaign> Store::campaign(CampaignId id) {
  auto& s = db_->cached(kSelectCampaign);
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  auto c = read_campaign(s);
  s.reset();
  return c;
}

std::vector<Campaign> Store::campaigns_with_status(CampaignStatus status) {
  auto& s = db_->cached(kSelectCampaignsByStatus);
  s.bind(1, to_string(status));
  std::vector<Campaign> out;
  while (s.step()) out.push_back(read_campaign(s));
  return out;
}

CallCounts Store::counts(CampaignId id) {
  auto& s = db_->cached(kCountsByState);
  s.bind(1, id);
  CallCounts c;
  while (s.step()) {
    auto state = call_state_from(s.text(0));
    std::int64_t n = s.int64(1);
    c.called += s.int64(2);
    if (!state) continue;
    switch (*state) {
      case CallState::pending: c.pending = n; break;
      case CallState::dispatching: c.dispatching = n; break;
      case CallState::in_progress: c.in_progress = n; break;
      case CallState::completed: c.completed = n; break;
      case CallState::failed: c.failed = n; break;
      case CallState::skipped: c.skipped = n; break;
      case CallState::held: c.held = n; break;
    }
  }
  return c;
}

std::int64_t Store::in_flight(CampaignId id) {
  auto& s = db_->cached(kInFlight);
  s.bind(1, id);
  std::int64_t n = s.step() ? s.int64(0) : 0;
  s.reset();
  return n;
}

bool Store::set_campaign_status(CampaignId id, CampaignStatus to, UnixMs now) {
  Transaction tx(*db_);
  auto& s = db_->cached(kSelectCampaignStatus);
  s.bind(1, id);
  bool found = s.step();
  auto from = found ? campaign_status_from(s.text(0)) : std::nullopt;
  s.reset();
  if (!from || !can_transition(*from, to)) return false;
  db_->cached(kUpdateCampaignStatus).bind(1, id).bind(2, to_string(to)).bind(3, now).run();
  tx.commit();
  return true;
}

bool Store::complete_if_done(CampaignId id, UnixMs now) {
  auto& has = db_->cached(kHasCalls);
  has.bind(1, id);
  bool any = has.step();
  has.reset();
  if (!any) return false;
  auto& out = db_->cached(kHasOutstanding);
  out.bind(1, id);
  bool outstanding = out.step();
  out.reset();
  if (outstanding) return false;
  auto c = campaign(id);
  if (!c || c->status != CampaignStatus::running) return false;
  return set_campaign_status(id, CampaignStatus::completed, now);
}

std::optional<DispatchChunk> Store::claim(const Campaign& campaign, int limit, UnixMs now) {
  if (limit <= 0) return std::nullopt;
  Transaction tx(*db_);
  DispatchChunk chunk;
  chunk.campaign_id = campaign.id;
  chunk.campaign = campaign;
  chunk.idempotency_key = "dk-" + std::to_string(campaign.id) + "-" + std::to_string(now) + "-" +
                          std::to_string(key_salt_) + "-" + std::to_string(++key_seq_);
  auto& due = db_->cached(kSelectDue);
  due.bind(1, campaign.id).bind(2, now).bind(3, limit);
  while (due.step()) {
    DispatchCall call;
    call.id = due.int64(0);
    call.phone = due.text(1);
    call.first_name = due.text(2);
    call.last_name = due.text(3);
    call.variables = nlohmann::json::parse(due.text(4), nullptr, false);
    if (call.variables.is_discarded()) call.variables = nlohmann::json::object();
    call.attempt = static_cast<int>(due.int64(5)) + 1;
    call.max_retries = static_cast<int>(due.opt_int64(6).value_or(campaign.spec.retry_attempts));
    chunk.calls.push_back(std::move(call));
  }
  due.reset();
  if (chunk.calls.empty()) return std::nullopt;
  for (const auto& call : chunk.calls) {
    db_->cached(kMarkDispatching).bind(1, call.id).bind(2, chunk.idempotency_key).bind(3, now).run();
    db_->cached(kInsertAttempt).bind(1, call.id).bind(2, call.attempt).bind(3, chunk.idempotency_key).bind(4, now).run();
  }
  tx.commit();
  return chunk;
}

void Store::record_submission(const DispatchChunk& chunk, const std::vector<SubmitResult>& results, UnixMs now) {
  Transaction tx(*db_);
  const std::string& key = chunk.idempotency_key;
  std::vector<OutcomeReport> early;
  for (const auto& r : results) {
    std::optional<std::string> pcid = non_empty(r.provider_call_id);
    std::string outcome;
    switch (r.kind) {
      case SubmitResult::Kind::accepted: {
        db_->cached(kSubmitAccepted).bind(1, r.call_id).bind(2, key).bind(3, r.provider_call_id).bind(4, now).run();
        if (!pcid) break;
        auto& take = db_->cached(kTakeEarly);
        take.bind(1, chunk.campaign.spec.provider).bind(2, *pcid);
        if (take.step())
          early.push_back({*pcid, outcome_from(take.text(0)).value_or(Outcome::failed), take.text(1)});
        take.reset();
        break;
      }
      case SubmitResult::Kind::rejected:
        db_->cached(kSubmitRejected).bind(1, r.call_id).bind(2, key).bind(3, r.reason).bind(4, now).run();
        outcome = "rejected";
        break;
      case SubmitResult::Kind::not_submitted:
        db_->cached(kSubmitNotSent)
            .bind(1, r.call_id).bind(2, key).bind(3, r.reason).bind(4, now).bind(5, now + r.retry_after_ms).run();
        outcome = "not_submitted";
        break;
      case SubmitResult::Kind::uncertain:
        db_->cached(kSubmitUncertain).bind(1, r.call_id).bind(2, key).bind(3, r.reason).bind(4, now).run();
        outcome = "uncertain";
        break;
    }
    auto& a = db_->cached(kAttemptAnswered);
    a.bind(1, r.call_id).bind(2, key).bind(3, pcid).bind(4, non_empty(outcome)).bind(5, non_empty(r.reason));
    if (outcome.empty()) a.bind_null(6); else a.bind(6, now);
    a.run();
  }
  for (const auto& report : early) apply_outcome(chunk.campaign.spec.provider, report, now);
  tx.commit();
}

std::vector<OutcomeApplied> Store::record_outcomes(const std::string& provider, const std::vector<OutcomeReport>& reports,
                                                   UnixMs now) {
  Transaction tx(*db_);
  std::vector<OutcomeApplied> out;
  out.reserve(reports.size());
  for (const auto& r : reports) out.push_back(apply_outcome(provider, r, now));
  tx.commit();
  return out;
}

OutcomeApplied Store::apply_outcome(const std::string& provider, const OutcomeReport& r, UnixMs now) {
  OutcomeApplied applied;
  auto& find = db_->cached(kFindCallByProviderId);
  find.bind(1, r.provider_call_id).bind(2, provider);
  if (!find.step()) {
    find.reset();
    // An event for an earlier attempt of a call that has moved on is a harmless duplicate.
    auto& known = db_->cached(kKnownAttempt);
    known.bind(1, r.provider_call_id).bind(2, provider);
    if (known.step()) {
      applied = {OutcomeApplied::Effect::duplicate, known.int64(1), known.int64(0),
                 call_state_from(known.text(2)).value_or(CallState::pending)};
      known.reset();
      return applied;
    }
    known.reset();
    // The callback may have beaten the submission's answer: keep it while a submission is in flight.
    auto& busy = db_->cached(kProviderDispatching);
    busy.bind(1, provider);
    bool in_flight = busy.step();
    busy.reset();
    if (in_flight) {
      db_->cached(kSaveEarly)
          .bind(1, provider).bind(2, r.provider_call_id).bind(3, to_string(r.outcome)).bind(4, non_empty(r.detail))
          .bind(5, now).run();
      applied.effect = OutcomeApplied::Effect::deferred;
    }
    return applied;
  }
  applied.call_id = find.int64(0);
  applied.campaign_id = find.int64(1);
  auto state = call_state_from(find.text(2)).value_or(CallState::pending);
  int attempts = static_cast<int>(find.int64(3));
  schedule::RetryPolicy policy{static_cast<int>(find.opt_int64(4).value_or(find.int64(5))),
                               static_cast<int>(find.int64(6))};
  find.reset();
  applied.state = state;
  if (state != CallState::in_progress) {
    applied.effect = OutcomeApplied::Effect::duplicate;  // a terminal state is never reopened
    return applied;
  }
  auto next = schedule::after_outcome(r.outcome, attempts, policy, now);
  db_->cached(kApplyOutcome)
      .bind(1, applied.call_id).bind(2, to_string(next.state)).bind(3, next.next_attempt_at)
      .bind(4, to_string(r.outcome)).bind(5, non_empty(r.detail)).bind(6, now).run();
  db_->cached(kAttemptOutcome)
      .bind(1, applied.call_id).bind(2, to_string(r.outcome)).bind(3, non_empty(r.detail)).bind(4, now).run();
  applied.effect = OutcomeApplied::Effect::applied;
  applied.state = next.state;
  return applied;
}

int Store::hold_uncertain(const std::string& reason, UnixMs now) {
  Transaction tx(*db_);
  db_->cached(kHoldDispatching).bind(1, reason).bind(2, now).run();
  int n = db_->changes();
  // Early outcomes whose submission answer never came belong to calls now held (or long gone).
  db_->cached(kPurgeEarly).bind(1, now - UnixMs{24} * 3600 * 1000).run();
  tx.commit();
  return n;
}

std::optional<UnixMs> Store::next_due(CampaignId id) {
  auto& s = db_->cached(kNextDueOfCampaign);
  s.bind(1, id);
  std::optional<UnixMs> t = s.step() ? s.opt_int64(0) : std::nullopt;
  s.reset();
  return t;
}

std::optional<UnixMs> Store::next_trigger() {
  auto& s = db_->cached(kNextTrigger);
  std::optional<UnixMs> t = s.step() ? s.opt_int64(0) : std::nullopt;
  s.reset();
  return t;
}

std::vector<CampaignId> Store::triggered_campaigns(UnixMs now) {
  auto& s = db_->cached(kTriggered);
  s.bind(1, now);
  std::vector<CampaignId> out;
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

void Store::checkpoint() { db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

}  // namespace dialerd::store
