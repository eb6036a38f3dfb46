#pragma once
// The queue's SQL, named here and nowhere else. Used by store.cpp; bench/ runs the same text in a plain
// loop as the reference its figures are measured against.

namespace dialerd::store::sql {

inline constexpr const char* kInsertCampaign = R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, from_numbers, rotation, schedule_type,
                      trigger_at, timezone, start_time, end_time, working_days, concurrency, max_calls_per_day,
                      retry_attempts, retry_delay_s, webhook_url, webhook_secret_id, required_variables, options,
                      status, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
        ?23, ?23))sql";

#define DIALERD_CAMPAIGN_COLUMNS                                                                              \
  "id, workspace, name, agent_id, provider, from_number, from_numbers, rotation, schedule_type, trigger_at, " \
  "timezone, start_time, end_time, working_days, concurrency, max_calls_per_day, retry_attempts, "           \
  "retry_delay_s, webhook_url, webhook_secret_id, required_variables, options, status, created_at, updated_at"
inline constexpr const char* kSelectCampaign = "SELECT " DIALERD_CAMPAIGN_COLUMNS " FROM campaigns WHERE id = ?1";
inline constexpr const char* kSelectCampaignsByStatus =
    "SELECT " DIALERD_CAMPAIGN_COLUMNS " FROM campaigns WHERE status = ?1 ORDER BY id";
#undef DIALERD_CAMPAIGN_COLUMNS
inline constexpr const char* kSelectCampaignStatus = "SELECT status FROM campaigns WHERE id = ?1";
inline constexpr const char* kUpdateCampaignStatus = "UPDATE campaigns SET status = ?2, updated_at = ?3 WHERE id = ?1";

inline constexpr const char* kUpsertContact = R"sql(
INSERT INTO contacts(phone, first_name, last_name, timezone, created_at, updated_at) VALUES (?1, ?2, ?3, ?5, ?4, ?4)
ON CONFLICT(phone) DO UPDATE SET first_name = coalesce(excluded.first_name, first_name),
                                 last_name = coalesce(excluded.last_name, last_name),
                                 timezone = coalesce(excluded.timezone, timezone),
                                 updated_at = excluded.updated_at
RETURNING id)sql";
inline constexpr const char* kFindPendingCall =
    "SELECT id FROM calls WHERE contact_id = ?1 AND campaign_id = ?2 AND state = 'pending' LIMIT 1";
inline constexpr const char* kUpdatePendingCall =
    "UPDATE calls SET variables = ?2, max_retries = coalesce(?4, max_retries), updated_at = ?3 WHERE id = ?1";
inline constexpr const char* kInsertCall = R"sql(
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, variables, max_retries, created_at, updated_at)
VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?3, ?3))sql";
inline constexpr const char* kUpsertSuppression = R"sql(
INSERT INTO suppressions(phone, reason, source, created_at) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT(phone) DO UPDATE SET reason = excluded.reason, source = excluded.source
RETURNING phone, reason, source, created_at)sql";
inline constexpr const char* kSelectSuppression = "SELECT phone, reason, source, created_at FROM suppressions WHERE phone = ?1";
inline constexpr const char* kListSuppressions = R"sql(
SELECT phone, reason, source, created_at FROM suppressions WHERE phone > ?1 ORDER BY phone LIMIT ?2)sql";
inline constexpr const char* kDeleteSuppression = "DELETE FROM suppressions WHERE phone = ?1";

// GET /metrics: totals over every campaign (campaign_counters is one row per campaign and state).
inline constexpr const char* kCallTotals = "SELECT state, sum(n) FROM campaign_counters GROUP BY state";
inline constexpr const char* kCampaignTotals = "SELECT status, count(*) FROM campaigns GROUP BY status";
inline constexpr const char* kCounters = "SELECT state, n FROM campaign_counters WHERE campaign_id = ?1";
inline constexpr const char* kInFlight = R"sql(
SELECT coalesce(sum(n), 0) FROM campaign_counters WHERE campaign_id = ?1 AND state IN ('dispatching', 'in_progress'))sql";

// The last column is when the contact's latest call that counts against caps went out (kContactCallsSince's
// filter; NULL when none): a contact with no call since a cap's window began needs no lookup of its own.
inline constexpr const char* kSelectDue = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id,
       p.timezone, p.active, s.reason,
       (SELECT a.submitted_at FROM attempts a WHERE a.contact_id = k.contact_id
          AND (a.outcome IS NULL OR a.outcome NOT IN ('not_submitted', 'rejected'))
        ORDER BY a.submitted_at DESC LIMIT 1)
FROM calls k JOIN contacts p ON p.id = k.contact_id LEFT JOIN suppressions s ON s.phone = p.phone
WHERE k.campaign_id = ?1 AND k.state = 'pending' AND k.next_attempt_at <= ?2
ORDER BY k.next_attempt_at, k.id LIMIT ?3)sql";
// GET /v1/campaigns/{id}/calls: keyset pages along the calls_due index, so no index is added for it (each
// one costs every insert): grouped by state, then due order.
inline constexpr const char* kListCalls = R"sql(
SELECT k.id, p.phone, k.state, k.attempts, k.next_attempt_at, k.last_outcome, k.last_error, k.provider_call_id,
       k.created_at, k.updated_at
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND (k.state, k.next_attempt_at, k.id) > (?2, ?3, ?4)
ORDER BY k.state, k.next_attempt_at, k.id LIMIT ?5)sql";
inline constexpr const char* kListCallsInState = R"sql(
SELECT k.id, p.phone, k.state, k.attempts, k.next_attempt_at, k.last_outcome, k.last_error, k.provider_call_id,
       k.created_at, k.updated_at
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.state = ?2 AND (k.next_attempt_at, k.id) > (?3, ?4)
ORDER BY k.next_attempt_at, k.id LIMIT ?5)sql";
// One call as the claim sees it, by id (a call placed at once through POST /v1/calls).
inline constexpr const char* kSelectCandidate = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id,
       p.timezone, p.active, s.reason
FROM calls k JOIN contacts p ON p.id = k.contact_id LEFT JOIN suppressions s ON s.phone = p.phone
WHERE k.id = ?1)sql";
// A call of the contact in this campaign that is out (or may be): a second one must not be placed.
inline constexpr const char* kContactCallInFlight = R"sql(
SELECT id FROM calls WHERE contact_id = ?1 AND campaign_id = ?2 AND state IN ('dispatching', 'in_progress', 'held')
LIMIT 1)sql";
inline constexpr const char* kDeferCall = R"sql(
UPDATE calls SET next_attempt_at = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1 AND state = 'pending')sql";
inline constexpr const char* kSkipCall = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'skipped', last_error = ?2, updated_at = ?3
WHERE id = ?1 AND state = 'pending')sql";
// A call counts against caps once it may have been placed: not when it was certainly not submitted
// or refused by the provider.
inline constexpr const char* kContactCallsSince = R"sql(
SELECT count(*) FROM attempts WHERE contact_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR outcome NOT IN ('not_submitted', 'rejected')))sql";
inline constexpr const char* kContactNthRecentCall = R"sql(
SELECT submitted_at FROM attempts WHERE contact_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR outcome NOT IN ('not_submitted', 'rejected'))
ORDER BY submitted_at DESC LIMIT 1 OFFSET ?3)sql";
inline constexpr const char* kCampaignCallsSince = R"sql(
SELECT count(*) FROM attempts WHERE campaign_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR outcome NOT IN ('not_submitted', 'rejected')))sql";
inline constexpr const char* kCallDetail = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id,
       p.timezone, p.active, s.reason, k.campaign_id, k.state, k.next_attempt_at, k.last_outcome, k.last_error,
       k.provider_call_id, k.created_at, k.updated_at
FROM calls k JOIN contacts p ON p.id = k.contact_id LEFT JOIN suppressions s ON s.phone = p.phone
WHERE k.id = ?1)sql";
inline constexpr const char* kAttemptsOfCall = R"sql(
SELECT number, dispatch_key, from_number, provider_call_id, outcome, detail, submitted_at, finished_at
FROM attempts WHERE call_id = ?1 ORDER BY id)sql";
// Every ?3-th pending call: a sample spread over the whole campaign, not its first rows.
inline constexpr const char* kSamplePending = R"sql(
SELECT p.phone, p.timezone FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.state = 'pending' AND k.id % ?3 = 0 LIMIT ?2)sql";
inline constexpr const char* kSkipPendingOfCampaign = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'cancelled', last_error = ?2, updated_at = ?3
WHERE campaign_id = ?1 AND state = 'pending')sql";
inline constexpr const char* kListCampaigns = R"sql(
SELECT id FROM campaigns WHERE workspace = ?4 AND (?1 IS NULL OR status = ?1) AND id > ?2 ORDER BY id LIMIT ?3)sql";
inline constexpr const char* kUpdateSettings = R"sql(
UPDATE campaigns SET name = ?2, timezone = ?3, start_time = ?4, end_time = ?5, working_days = ?6, concurrency = ?7,
                     max_calls_per_day = ?8, retry_attempts = ?9, retry_delay_s = ?10, rotation = ?11, updated_at = ?12,
                     options = ?13
WHERE id = ?1)sql";
inline constexpr const char* kSelectContact = R"sql(
SELECT id, phone, coalesce(first_name, ''), coalesce(last_name, ''), timezone, active, created_at, updated_at
FROM contacts WHERE phone = ?1)sql";
inline constexpr const char* kCallsOfContact = R"sql(
SELECT k.id, k.campaign_id, k.state, k.attempts, k.last_outcome, k.next_attempt_at
FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.contact_id = ?1 AND c.workspace = ?2 ORDER BY k.id DESC LIMIT ?3)sql";
inline constexpr const char* kUpdateContact = R"sql(
UPDATE contacts SET first_name = ?2, last_name = ?3, timezone = ?4, active = ?5, updated_at = ?6 WHERE id = ?1)sql";
inline constexpr const char* kRotationCursor = "SELECT rotation_cursor FROM campaigns WHERE id = ?1";
inline constexpr const char* kSetRotationCursor = "UPDATE campaigns SET rotation_cursor = ?2 WHERE id = ?1";
inline constexpr const char* kMarkDispatching = R"sql(
UPDATE calls SET state = 'dispatching', attempts = attempts + 1, dispatch_key = ?2, updated_at = ?3, provider = ?4
WHERE id = ?1 AND state = 'pending')sql";
inline constexpr const char* kInsertAttempt = R"sql(
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, from_number, submitted_at, provider)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))sql";
// The same two for many calls in one statement each (a claim's chunk). ?1 is a JSON array: of call ids for
// the first; of [call_id, contact_id, number, from_number] for the second, inserted in array order. One
// statement per chunk instead of two per call: SQLite's per-statement work (statement journal, trigger
// programs, the IN list of calls_webhook's WHEN) was most of a claim's cost.
inline constexpr const char* kMarkDispatchingMany = R"sql(
UPDATE calls SET state = 'dispatching', attempts = attempts + 1, dispatch_key = ?2, updated_at = ?3, provider = ?4
WHERE id IN (SELECT value FROM json_each(?1)) AND state = 'pending')sql";
inline constexpr const char* kInsertAttempts = R"sql(
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, from_number, submitted_at, provider)
SELECT value ->> 0, ?2, value ->> 1, value ->> 2, ?3, value ->> 3, ?4, ?5 FROM json_each(?1) ORDER BY key)sql";

// Submission answers: each only moves a call that is still dispatching under this chunk's key.
inline constexpr const char* kSubmitAccepted = R"sql(
UPDATE calls SET state = 'in_progress', provider_call_id = ?3, last_error = NULL, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
inline constexpr const char* kSubmitRejected = R"sql(
UPDATE calls SET state = 'failed', last_outcome = 'rejected', last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
inline constexpr const char* kSubmitNotSent = R"sql(
UPDATE calls SET state = 'pending', attempts = attempts - 1, next_attempt_at = ?5, last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
inline constexpr const char* kSubmitUncertain = R"sql(
UPDATE calls SET state = 'held', last_error = ?3, updated_at = ?4
WHERE id = ?1 AND state = 'dispatching' AND dispatch_key = ?2)sql";
inline constexpr const char* kAttemptAnswered = R"sql(
UPDATE attempts SET provider_call_id = ?3, outcome = ?4, detail = ?5, finished_at = ?6
WHERE call_id = ?1 AND dispatch_key = ?2)sql";
// A chunk accepted call by call, in one statement each: ?1 is a JSON array of [call_id, provider_call_id,
// detail]. The same conditions as kSubmitAccepted and kAttemptAnswered; the unary + keeps the plan on the
// array then the call's primary key (the dispatch_key index would visit the whole chunk per element).
inline constexpr const char* kSubmitAcceptedMany = R"sql(
UPDATE calls SET state = 'in_progress', provider_call_id = j.value ->> 1, last_error = NULL, updated_at = ?3
FROM json_each(?1) AS j
WHERE calls.id = j.value ->> 0 AND +calls.state = 'dispatching' AND +calls.dispatch_key = ?2)sql";
inline constexpr const char* kAttemptsAcceptedMany = R"sql(
UPDATE attempts SET provider_call_id = j.value ->> 1, outcome = NULL, detail = j.value ->> 2, finished_at = NULL
FROM json_each(?1) AS j
WHERE attempts.call_id = j.value ->> 0 AND attempts.dispatch_key = ?2)sql";

// Both read what applying an outcome needs, in the same columns.
inline constexpr const char* kFindCallByProviderId = R"sql(
SELECT k.id, k.campaign_id, k.state, k.attempts, k.max_retries, c.retry_attempts, c.retry_delay_s, c.status
FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.provider_call_id = ?1 AND coalesce(k.provider, c.provider) = ?2)sql";
inline constexpr const char* kFindCallForOutcome = R"sql(
SELECT k.id, k.campaign_id, k.state, k.attempts, k.max_retries, c.retry_attempts, c.retry_delay_s, c.status
FROM calls k JOIN campaigns c ON c.id = k.campaign_id WHERE k.id = ?1)sql";
inline constexpr const char* kTimedOutCalls = R"sql(
SELECT id FROM calls INDEXED BY calls_in_progress WHERE state = 'in_progress' AND updated_at < ?1
ORDER BY updated_at LIMIT ?2)sql";
inline constexpr const char* kOldestInProgress =
    "SELECT min(updated_at) FROM calls INDEXED BY calls_in_progress WHERE state = 'in_progress'";

// The webhook outbox (docs/WEBHOOKS.md): due events, and what each delivery try came to.
inline constexpr const char* kDueWebhooks = R"sql(
SELECT id, event_id, type, url, secret_id, payload, attempts, created_at, campaign_id FROM webhook_outbox
WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= ?1
ORDER BY next_attempt_at, id LIMIT ?2)sql";
inline constexpr const char* kNextWebhookDue = R"sql(
SELECT min(next_attempt_at) FROM webhook_outbox
WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at > ?1)sql";
inline constexpr const char* kWebhookBacklog =
    "SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL";
inline constexpr const char* kWebhookDelivered =
    "UPDATE webhook_outbox SET attempts = attempts + 1, delivered_at = ?2, last_error = NULL WHERE id = ?1";
inline constexpr const char* kWebhookRetry =
    "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1";
inline constexpr const char* kWebhookAbandoned =
    "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?2, abandoned_at = ?3 WHERE id = ?1";
inline constexpr const char* kKnownAttempt = R"sql(
SELECT a.call_id, k.campaign_id, k.state FROM attempts a JOIN calls k ON k.id = a.call_id
JOIN campaigns c ON c.id = k.campaign_id WHERE a.provider_call_id = ?1 AND coalesce(a.provider, c.provider) = ?2
LIMIT 1)sql";
inline constexpr const char* kApplyOutcome = R"sql(
UPDATE calls SET state = ?2, next_attempt_at = ?3, last_outcome = ?4, last_error = ?5, updated_at = ?6
WHERE id = ?1 AND state = 'in_progress')sql";
inline constexpr const char* kAttemptOutcome = R"sql(
UPDATE attempts SET outcome = ?2, detail = ?3, finished_at = ?4
WHERE call_id = ?1 AND dispatch_key = (SELECT dispatch_key FROM calls WHERE id = ?1))sql";

inline constexpr const char* kProviderDispatching = R"sql(
SELECT 1 FROM calls k INDEXED BY calls_dispatching JOIN campaigns c ON c.id = k.campaign_id
WHERE k.state = 'dispatching' AND coalesce(k.provider, c.provider) = ?1 LIMIT 1)sql";
inline constexpr const char* kSaveEarly = R"sql(
INSERT OR REPLACE INTO early_outcomes(provider, provider_call_id, outcome, detail, received_at)
VALUES (?1, ?2, ?3, ?4, ?5))sql";
inline constexpr const char* kAnyEarly = "SELECT 1 FROM early_outcomes WHERE provider = ?1 LIMIT 1";
inline constexpr const char* kTakeEarly =
    "DELETE FROM early_outcomes WHERE provider = ?1 AND provider_call_id = ?2 RETURNING outcome, detail";
inline constexpr const char* kPurgeEarly = "DELETE FROM early_outcomes WHERE received_at < ?1";

inline constexpr const char* kHoldDispatching = R"sql(
UPDATE calls SET state = 'held', last_error = ?2, updated_at = ?3
WHERE state = 'dispatching'
  AND coalesce(provider, (SELECT c.provider FROM campaigns c WHERE c.id = calls.campaign_id)) = ?1)sql";
inline constexpr const char* kDispatchingProviders = R"sql(
SELECT DISTINCT coalesce(k.provider, c.provider) FROM calls k INDEXED BY calls_dispatching
JOIN campaigns c ON c.id = k.campaign_id WHERE k.state = 'dispatching')sql";
inline constexpr const char* kDispatchingOfProvider = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id,
       k.campaign_id, k.dispatch_key, a.from_number
FROM campaigns c JOIN calls k ON k.campaign_id = c.id AND k.state = 'dispatching'
JOIN contacts p ON p.id = k.contact_id
LEFT JOIN attempts a ON a.call_id = k.id AND a.dispatch_key = k.dispatch_key
WHERE coalesce(k.provider, c.provider) = ?1 ORDER BY k.dispatch_key, k.id)sql";
inline constexpr const char* kSelectCall = R"sql(
SELECT k.id, k.campaign_id, k.state, c.workspace FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.id = ?1)sql";
inline constexpr const char* kReleaseHeld = R"sql(
UPDATE calls SET state = 'pending', next_attempt_at = ?2, last_error = ?3, updated_at = ?2
WHERE id = ?1 AND state = 'held')sql";
inline constexpr const char* kFailHeld = R"sql(
UPDATE calls SET state = 'failed', last_outcome = 'operator', last_error = ?3, updated_at = ?2
WHERE id = ?1 AND state = 'held')sql";
inline constexpr const char* kInProgressOfProvider = R"sql(
SELECT k.provider_call_id FROM calls k INDEXED BY calls_in_progress JOIN campaigns c ON c.id = k.campaign_id
WHERE k.state = 'in_progress' AND coalesce(k.provider, c.provider) = ?1)sql";
inline constexpr const char* kHeldOfCampaign = "SELECT id FROM calls WHERE campaign_id = ?1 AND state = 'held' ORDER BY id";
inline constexpr const char* kNextDueOfCampaign =
    "SELECT min(next_attempt_at) FROM calls WHERE campaign_id = ?1 AND state = 'pending'";
inline constexpr const char* kNextTrigger =
    "SELECT min(coalesce(trigger_at, 0)) FROM campaigns WHERE status = 'scheduled'";
inline constexpr const char* kTriggered =
    "SELECT id FROM campaigns WHERE status = 'scheduled' AND coalesce(trigger_at, 0) <= ?1 ORDER BY id";

}  // namespace dialerd::store::sql
