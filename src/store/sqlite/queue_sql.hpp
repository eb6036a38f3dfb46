#pragma once
// The queue's SQL, named here and nowhere else. Used by store.cpp; bench/ runs the same text in a plain
// loop as the reference its figures are measured against.

namespace dialerd::store::sql {

inline constexpr const char* kInsertCampaign = R"sql(
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, from_numbers, rotation, schedule_type,
                      trigger_at, timezone, start_time, end_time, working_days, concurrency, max_calls_per_day,
                      retry_attempts, retry_delay_s, webhook_url, webhook_secret_id, required_variables, options,
                      status, created_at, updated_at, subject, reg_f, require_consent, dnc_lists, predial,
                      retry_policy, calls_per_second, calls_per_minute, local_presence, max_calls_per_number,
                      number_rest)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
        ?23, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34))sql";

#define DIALERD_CAMPAIGN_COLUMNS                                                                                 \
  "id, workspace, name, agent_id, provider, from_number, from_numbers, rotation, schedule_type, trigger_at, "    \
  "timezone, start_time, end_time, working_days, concurrency, max_calls_per_day, retry_attempts, "               \
  "retry_delay_s, webhook_url, webhook_secret_id, required_variables, options, status, created_at, updated_at, " \
  "subject, reg_f, require_consent, dnc_lists, predial, retry_policy, calls_per_second, calls_per_minute, "      \
  "local_presence, max_calls_per_number, number_rest"
inline constexpr const char* kSelectCampaign = "SELECT " DIALERD_CAMPAIGN_COLUMNS " FROM campaigns WHERE id = ?1";
inline constexpr const char* kSelectWorkspaceCampaign =
    "SELECT " DIALERD_CAMPAIGN_COLUMNS " FROM campaigns WHERE id = ?1 AND workspace = ?2";
inline constexpr const char* kSelectCampaignsByStatus =
    "SELECT " DIALERD_CAMPAIGN_COLUMNS " FROM campaigns WHERE status = ?1 ORDER BY id";
#undef DIALERD_CAMPAIGN_COLUMNS
inline constexpr const char* kSelectCampaignStatus = "SELECT status FROM campaigns WHERE id = ?1";
inline constexpr const char* kUpdateCampaignStatus = "UPDATE campaigns SET status = ?2, updated_at = ?3 WHERE id = ?1";

// A contact is the campaign's workspace's record of the number (?6 is the campaign id).
inline constexpr const char* kUpsertContact = R"sql(
INSERT INTO contacts(workspace, phone, first_name, last_name, timezone, created_at, updated_at)
VALUES ((SELECT workspace FROM campaigns WHERE id = ?6), ?1, ?2, ?3, ?5, ?4, ?4)
ON CONFLICT(workspace, phone) DO UPDATE SET first_name = coalesce(excluded.first_name, first_name),
                                 last_name = coalesce(excluded.last_name, last_name),
                                 timezone = coalesce(excluded.timezone, timezone),
                                 -- a deleted record of the number comes back (contacts.cpp, delete_contact)
                                 active = CASE WHEN deleted_at IS NULL THEN active ELSE 1 END,
                                 created_at = CASE WHEN deleted_at IS NULL THEN created_at ELSE excluded.created_at END,
                                 deleted_at = NULL,
                                 updated_at = excluded.updated_at
RETURNING id)sql";
// A campaign following a list: members added later become its calls (contacts.cpp, feed_followers).
inline constexpr const char* kFollowList = "INSERT OR IGNORE INTO list_followers(list_id, campaign_id) VALUES (?1, ?2)";
inline constexpr const char* kFindPendingCall =
    "SELECT id FROM calls WHERE contact_id = ?1 AND campaign_id = ?2 AND state = 'pending' LIMIT 1";
// A record's not_before (?5) moves the call's due time with it; a past one makes it due now. A record's
// priority (?6) replaces the call's; none keeps it.
inline constexpr const char* kUpdatePendingCall = R"sql(
UPDATE calls SET variables = ?2, max_retries = coalesce(?4, max_retries), updated_at = ?3,
                 not_before = coalesce(?5, not_before), next_attempt_at = coalesce(?5, next_attempt_at),
                 priority = coalesce(?6, priority)
WHERE id = ?1)sql";
inline constexpr const char* kInsertCall = R"sql(
INSERT INTO calls(campaign_id, contact_id, state, next_attempt_at, variables, max_retries, created_at, updated_at,
                  not_before, priority)
VALUES (?1, ?2, 'pending', coalesce(?6, ?3), ?4, ?5, ?3, ?3, ?6, coalesce(?7, 0)))sql";
inline constexpr const char* kClearNotBefore = "UPDATE calls SET not_before = NULL WHERE id = ?1";
// PATCH /v1/calls/{id}: a pending call's callback time (NULL: none; the call is due now).
inline constexpr const char* kSetNotBefore = R"sql(
UPDATE calls SET not_before = ?2, next_attempt_at = coalesce(?2, ?3), last_error = NULL, updated_at = ?3
WHERE id = ?1 AND state = 'pending')sql";
// PATCH /v1/calls/{id}: a pending call's priority.
inline constexpr const char* kSetPriority =
    "UPDATE calls SET priority = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'pending'";
// Suppressions by owner: ?1 is the workspace, or '*' for the global list.
inline constexpr const char* kUpsertSuppression = R"sql(
INSERT INTO suppressions(workspace, phone, reason, source, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT(workspace, phone) DO UPDATE SET reason = excluded.reason, source = excluded.source,
                                            created_by = excluded.created_by
RETURNING workspace, phone, reason, source, created_by, created_at)sql";
inline constexpr const char* kSelectSuppression = R"sql(
SELECT workspace, phone, reason, source, created_by, created_at FROM suppressions WHERE workspace = ?1 AND phone = ?2)sql";
inline constexpr const char* kListSuppressions = R"sql(
SELECT workspace, phone, reason, source, created_by, created_at FROM suppressions
WHERE workspace = ?1 AND phone > ?2 ORDER BY phone LIMIT ?3)sql";
inline constexpr const char* kRecordSuppressionRemoval = R"sql(
INSERT INTO suppression_removals(workspace, phone, reason, source, created_by, created_at, removed_by, removed_at)
SELECT workspace, phone, reason, source, created_by, created_at, ?3, ?4 FROM suppressions
WHERE workspace = ?1 AND phone = ?2)sql";
inline constexpr const char* kDeleteSuppression = "DELETE FROM suppressions WHERE workspace = ?1 AND phone = ?2";
// Why a contact's calls must not be placed: its workspace's own entry (with its reason), else the global
// list's (whose reason is the operator's and is not shown to the workspace).
#define DIALERD_SUPPRESSED                                                                       \
  "(SELECT CASE WHEN s.workspace = '*' THEN 'on the global do-not-call list' ELSE s.reason END " \
  "FROM suppressions s WHERE s.workspace IN (p.workspace, '*') AND s.phone = p.phone "           \
  "ORDER BY s.workspace = '*' LIMIT 1)"

// Counts are kept as flows (migration 4): a state's count is what flowed into it less what flowed out.
// GET /metrics: totals over every campaign (the campaign_counters view: one row per campaign and state).
inline constexpr const char* kCallTotals = "SELECT state, sum(n) FROM campaign_counters GROUP BY state";
inline constexpr const char* kCampaignTotals = "SELECT status, count(*) FROM campaigns GROUP BY status";
// One campaign's flow rows (about twenty), added up by Store::counts in one pass: cheaper than a GROUP BY
// over the view, which would add up every campaign's rows first.
inline constexpr const char* kCampaignFlows = R"sql(
SELECT from_state, to_state, n, called FROM campaign_flows WHERE campaign_id = ?1)sql";
// A workspace's calls in flight across its campaigns (workspaces.max_in_flight). A completed campaign has
// none and a draft none yet; any other may (a scheduled one started early, paused and resumed before its
// start time keeps its calls in flight): their flows are read.
inline constexpr const char* kWorkspaceInFlight = R"sql(
SELECT coalesce(sum(CASE WHEN f.to_state = 'dispatching' OR f.to_state = 'in_progress' THEN f.n ELSE 0 END)
              - sum(CASE WHEN f.from_state = 'dispatching' OR f.from_state = 'in_progress' THEN f.n ELSE 0 END), 0)
FROM campaigns c JOIN campaign_flows f ON f.campaign_id = c.id
WHERE c.workspace = ?1 AND c.status <> 'completed' AND c.status <> 'draft')sql";
inline constexpr const char* kInFlight = R"sql(
SELECT coalesce(sum(CASE WHEN to_state = 'dispatching' OR to_state = 'in_progress' THEN n ELSE 0 END)
              - sum(CASE WHEN from_state = 'dispatching' OR from_state = 'in_progress' THEN n ELSE 0 END), 0)
FROM campaign_flows WHERE campaign_id = ?1)sql";

// The last column is when the contact's latest call that counts against caps went out (kContactCallsSince's
// filter; NULL when none): a contact with no call since a cap's window began needs no lookup of its own.
#define DIALERD_DUE_COLUMNS                                                                                 \
  "SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id, " \
  "p.timezone, p.active, " DIALERD_SUPPRESSED                                                               \
  " AS suppression, p.consent, k.not_before, "                                                              \
  "(SELECT a.submitted_at FROM attempts a WHERE a.contact_id = k.contact_id "                               \
  "AND (a.outcome IS NULL OR (a.outcome <> 'not_submitted' AND a.outcome <> 'rejected')) "                  \
  "ORDER BY a.submitted_at DESC LIMIT 1) AS latest_call "
// Every due call of the campaign in due order, whatever its priority.
inline constexpr const char* kSelectDue = DIALERD_DUE_COLUMNS R"sql(
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.state = 'pending' AND k.next_attempt_at <= ?2
ORDER BY k.next_attempt_at, k.id LIMIT ?3)sql";
// The due calls of one priority level above 0 (?4), in due order: a range of calls_ranked.
inline constexpr const char* kSelectDueRanked = DIALERD_DUE_COLUMNS R"sql(
FROM calls k INDEXED BY calls_ranked JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.state = 'pending' AND k.priority <> 0 AND k.priority = ?4 AND k.next_attempt_at <= ?2
ORDER BY k.next_attempt_at, k.id LIMIT ?3)sql";
#undef DIALERD_DUE_COLUMNS
// The highest priority level below ?2 that a pending call of the campaign has, above 0: one seek.
inline constexpr const char* kPriorityBelow = R"sql(
SELECT priority FROM calls INDEXED BY calls_ranked
WHERE campaign_id = ?1 AND state = 'pending' AND priority <> 0 AND priority < ?2 ORDER BY priority DESC LIMIT 1)sql";
// How many pending calls of one level above 0 (?2) precede (?3, ?4) in due order, counted up to ?5 (the
// explanation's "calls ahead"); kDueAheadUnranked is the same among calls of priority 0 (?2, ?3; up to ?4).
inline constexpr const char* kDueAheadRanked = R"sql(
SELECT count(*) FROM (SELECT 1 FROM calls INDEXED BY calls_ranked
  WHERE campaign_id = ?1 AND state = 'pending' AND priority <> 0 AND priority = ?2 AND (next_attempt_at, id) < (?3, ?4)
  LIMIT ?5))sql";
inline constexpr const char* kDueAheadUnranked = R"sql(
SELECT count(*) FROM (SELECT 1 FROM calls
  WHERE campaign_id = ?1 AND state = 'pending' AND (next_attempt_at, id) < (?2, ?3) AND priority = 0 LIMIT ?4))sql";
// GET /v1/campaigns/{id}/calls: keyset pages of one state along that state's own index (a state is
// written as a literal so the planner can use the partial index): pending calls in due order, calls in
// progress by the time they went out, the others by id. ?2 is the page's key after which to continue
// (next_attempt_at, updated_at; unused by the id-ordered ones), ?3 the id, ?4 the limit.
#define DIALERD_CALL_SUMMARY                                                                     \
  "SELECT k.id, p.phone, k.state, k.attempts, k.next_attempt_at, k.last_outcome, k.last_error, " \
  "k.provider_call_id, k.created_at, k.updated_at, k.priority FROM calls k JOIN contacts p ON p.id = k.contact_id "
#define DIALERD_LIST_BY_ID(state) \
  DIALERD_CALL_SUMMARY "WHERE k.campaign_id = ?1 AND k.state = '" state "' AND k.id > ?3 ORDER BY k.id LIMIT ?4"
inline constexpr const char* kListPending = DIALERD_CALL_SUMMARY
    "WHERE k.campaign_id = ?1 AND k.state = 'pending' AND (k.next_attempt_at, k.id) > (?2, ?3) "
    "ORDER BY k.next_attempt_at, k.id LIMIT ?4";
inline constexpr const char* kListInProgress =
    "SELECT k.id, p.phone, k.state, k.attempts, k.next_attempt_at, k.last_outcome, k.last_error, "
    "k.provider_call_id, k.created_at, k.updated_at, k.priority FROM calls k INDEXED BY calls_in_progress "
    "JOIN contacts p ON p.id = k.contact_id "
    "WHERE k.state = 'in_progress' AND k.campaign_id = ?1 AND (k.updated_at, k.id) > (?2, ?3) "
    "ORDER BY k.updated_at, k.id LIMIT ?4";
inline constexpr const char* kListDispatching = DIALERD_LIST_BY_ID("dispatching");
inline constexpr const char* kListHeld = DIALERD_LIST_BY_ID("held");
inline constexpr const char* kListCompleted = DIALERD_LIST_BY_ID("completed");
inline constexpr const char* kListFailed = DIALERD_LIST_BY_ID("failed");
inline constexpr const char* kListSkipped = DIALERD_LIST_BY_ID("skipped");
#undef DIALERD_LIST_BY_ID
#undef DIALERD_CALL_SUMMARY
// One call as the claim sees it, by id (a call placed at once through POST /v1/calls).
inline constexpr const char* kSelectCandidate =
    "SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id, "
    "p.timezone, p.active, " DIALERD_SUPPRESSED
    " AS suppression, p.consent, k.not_before FROM calls k JOIN contacts p ON p.id = k.contact_id WHERE k.id = ?1";
// A call of the contact in this campaign that is out (or may be): a second one must not be placed.
inline constexpr const char* kContactCallInFlight = R"sql(
SELECT id FROM calls WHERE contact_id = ?1 AND campaign_id = ?2 AND state IN ('dispatching', 'in_progress', 'held')
LIMIT 1)sql";
// A call of the contact that is out (dispatching, in progress or held), in any campaign: the claim leaves
// the contact's other due calls waiting for it to end, so no one gets two calls at once.
inline constexpr const char* kContactCallOut = R"sql(
SELECT id FROM calls WHERE contact_id = ?1 AND state IN ('dispatching', 'in_progress', 'held') LIMIT 1)sql";
inline constexpr const char* kDeferCall = R"sql(
UPDATE calls SET next_attempt_at = ?2, last_error = ?3, updated_at = ?4 WHERE id = ?1 AND state = 'pending')sql";
inline constexpr const char* kSkipCall = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'skipped', last_error = ?2, updated_at = ?3
WHERE id = ?1 AND state = 'pending')sql";
// A call counts against caps once it may have been placed: not when it was certainly not submitted
// or refused by the provider.
inline constexpr const char* kContactCallsSince = R"sql(
SELECT count(*) FROM attempts WHERE contact_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR (outcome <> 'not_submitted' AND outcome <> 'rejected')))sql";
inline constexpr const char* kContactNthRecentCall = R"sql(
SELECT submitted_at FROM attempts WHERE contact_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR (outcome <> 'not_submitted' AND outcome <> 'rejected'))
ORDER BY submitted_at DESC LIMIT 1 OFFSET ?3)sql";
inline constexpr const char* kSubjectNthRecentCall = R"sql(
SELECT a.submitted_at FROM attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.contact_id = ?1 AND a.submitted_at >= ?2
  AND (a.outcome IS NULL OR (a.outcome <> 'not_submitted' AND a.outcome <> 'rejected'))
  AND (CASE WHEN ?4 IS NULL THEN a.campaign_id = ?5 ELSE c.subject = ?4 END)
ORDER BY a.submitted_at DESC LIMIT 1 OFFSET ?3)sql";
// A conversation ends after its call was submitted, and its outcome may be recorded days later (up to
// calls.timeout_seconds, at most 7 days): submitted_at within 8 days before ?2 keeps the scan on
// attempts_contact_time, a contact's few attempts.
inline constexpr const char* kSubjectLastConversation = R"sql(
SELECT max(coalesce(a.finished_at, a.submitted_at)) FROM attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.contact_id = ?1 AND a.submitted_at >= ?2 - 691200000 AND coalesce(a.finished_at, a.submitted_at) >= ?2
  AND a.outcome IN ('completed', 'opted_out')
  AND (CASE WHEN ?3 IS NULL THEN a.campaign_id = ?4 ELSE c.subject = ?3 END))sql";
inline constexpr const char* kCampaignCallsSince = R"sql(
SELECT count(*) FROM attempts WHERE campaign_id = ?1 AND submitted_at >= ?2
  AND (outcome IS NULL OR (outcome <> 'not_submitted' AND outcome <> 'rejected')))sql";
// Caller-id health (docs/SCHEDULING.md): the calls placed from number ?1 since ?2 by workspace ?3's
// campaigns; and its latest ?3 finished calls in workspace ?2, latest placed first (a call's outcome, not
// a try that was not submitted, was rejected or is held as uncertain). Both along attempts_from_time.
inline constexpr const char* kNumberCallsSince = R"sql(
SELECT count(*) FROM attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.from_number = ?1 AND a.submitted_at >= ?2 AND c.workspace = ?3
  AND (a.outcome IS NULL OR (a.outcome <> 'not_submitted' AND a.outcome <> 'rejected')))sql";
inline constexpr const char* kNumberRecent = R"sql(
SELECT a.outcome, coalesce(a.finished_at, a.submitted_at) FROM attempts a JOIN campaigns c ON c.id = a.campaign_id
WHERE a.from_number = ?1 AND c.workspace = ?2
  AND a.outcome IN ('completed', 'no_answer', 'busy', 'voicemail', 'failed', 'cancelled', 'provider_error', 'timeout',
                    'opted_out')
ORDER BY a.submitted_at DESC LIMIT ?3)sql";
inline constexpr const char* kCallDetail =
    "SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id, "
    "p.timezone, p.active, " DIALERD_SUPPRESSED
    " AS suppression, p.consent, k.not_before, k.campaign_id, k.state, k.next_attempt_at, k.last_outcome, "
    "k.last_error, k.provider_call_id, k.created_at, k.updated_at, k.priority "
    "FROM calls k JOIN contacts p ON p.id = k.contact_id WHERE k.id = ?1";
// An attempt in progress has its provider call id on the call until its outcome copies it over.
inline constexpr const char* kAttemptsOfCall = R"sql(
SELECT a.number, a.dispatch_key, a.from_number,
       coalesce(a.provider_call_id,
                CASE WHEN k.state = 'in_progress' AND a.dispatch_key = k.dispatch_key THEN k.provider_call_id END)
         AS provider_call_id,
       a.outcome, a.detail, a.submitted_at, a.finished_at
FROM attempts a JOIN calls k ON k.id = a.call_id WHERE a.call_id = ?1 ORDER BY a.id)sql";
// The next ?4 pending calls of a campaign in due order after (?2, ?3), from the index alone: the forecast
// reads a campaign's pending calls a page at a time, letting the loop serve between pages.
inline constexpr const char* kPendingPage = R"sql(
SELECT next_attempt_at, id FROM calls
WHERE campaign_id = ?1 AND state = 'pending' AND (next_attempt_at, id) > (?2, ?3)
ORDER BY next_attempt_at, id LIMIT ?4)sql";
// kPendingPage's page with the candidate's columns, as kSelectDue reads them (the preflight).
inline constexpr const char* kPendingCandidates =
    "SELECT k.id, p.phone, p.first_name, p.last_name, k.variables, k.attempts, k.max_retries, k.contact_id, "
    "p.timezone, p.active, " DIALERD_SUPPRESSED
    " AS suppression, p.consent, k.not_before, k.next_attempt_at "
    "FROM calls k JOIN contacts p ON p.id = k.contact_id "
    "WHERE k.campaign_id = ?1 AND k.state = 'pending' AND (k.next_attempt_at, k.id) > (?2, ?3) "
    "ORDER BY k.next_attempt_at, k.id LIMIT ?4";
inline constexpr const char* kCallPlace = R"sql(
SELECT p.phone, p.timezone, k.priority FROM calls k JOIN contacts p ON p.id = k.contact_id WHERE k.id = ?1)sql";
// A slice of a cancelled campaign's pending calls (the rest in later slices: the loop serves between them).
inline constexpr const char* kSkipPendingSlice = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'cancelled', last_error = ?2, updated_at = ?3
WHERE id IN (SELECT id FROM calls WHERE campaign_id = ?1 AND state = 'pending' LIMIT ?4))sql";
// At start-up: what a cancel interrupted by a stop left pending.
inline constexpr const char* kSkipPendingOfCancelled = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'cancelled', last_error = 'campaign cancelled', updated_at = ?1
WHERE state = 'pending' AND campaign_id IN (SELECT id FROM campaigns WHERE status = 'cancelled'))sql";
inline constexpr const char* kListCampaigns = R"sql(
SELECT id FROM campaigns WHERE workspace = ?4 AND (?1 IS NULL OR status = ?1) AND id > ?2 ORDER BY id LIMIT ?3)sql";
// A campaign's calls as the records they came from, in call order (POST /v1/campaigns/{id}/duplicate);
// ?3 = 1: only those not completed.
inline constexpr const char* kCallRecords = R"sql(
SELECT k.id, p.phone, p.first_name, p.last_name, p.timezone, k.variables, k.max_retries, k.priority
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND k.id > ?2 AND (?3 = 0 OR k.state <> 'completed')
ORDER BY k.id LIMIT ?4)sql";
inline constexpr const char* kUpdateSettings = R"sql(
UPDATE campaigns SET name = ?2, timezone = ?3, start_time = ?4, end_time = ?5, working_days = ?6, concurrency = ?7,
                     max_calls_per_day = ?8, retry_attempts = ?9, retry_delay_s = ?10, rotation = ?11, updated_at = ?12,
                     options = ?13, dnc_lists = ?14, predial = ?15, retry_policy = ?16, calls_per_second = ?17,
                     calls_per_minute = ?18, local_presence = ?19, max_calls_per_number = ?20, number_rest = ?21
WHERE id = ?1)sql";
// The reason a workspace's contact is suppressed, as the claim sees it.
inline constexpr const char* kContactSuppressed =
    "SELECT " DIALERD_SUPPRESSED " FROM contacts p WHERE p.workspace = ?1 AND p.phone = ?2";
#undef DIALERD_SUPPRESSED
inline constexpr const char* kCallsOfContact = R"sql(
SELECT k.id, k.campaign_id, k.state, k.attempts, k.last_outcome, k.next_attempt_at
FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.contact_id = ?1 AND c.workspace = ?2 ORDER BY k.id DESC LIMIT ?3)sql";
inline constexpr const char* kRotationCursor = "SELECT rotation_cursor FROM campaigns WHERE id = ?1";
inline constexpr const char* kSetRotationCursor = "UPDATE campaigns SET rotation_cursor = ?2 WHERE id = ?1";
inline constexpr const char* kMarkDispatching = R"sql(
UPDATE calls SET state = 'dispatching', attempts = attempts + 1, dispatch_key = ?2, updated_at = ?3, provider = ?4
WHERE id = ?1 AND state = 'pending')sql";
inline constexpr const char* kInsertAttempt = R"sql(
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, from_number, submitted_at, provider)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))sql";
// The same two for a whole chunk, from the rows staged in temp.chunk_rows (kStageChunkRow, in chunk order):
// one statement per chunk instead of two per call, and no JSON to take apart per row.
inline constexpr const char* kCreateChunkRows = R"sql(
CREATE TEMP TABLE IF NOT EXISTS chunk_rows (
  pos INTEGER PRIMARY KEY, call_id INTEGER NOT NULL, contact_id INTEGER, number INTEGER, from_number TEXT,
  provider_call_id TEXT))sql";
inline constexpr const char* kClearChunkRows = "DELETE FROM temp.chunk_rows";
inline constexpr const char* kStageChunkRow = R"sql(
INSERT INTO temp.chunk_rows(call_id, contact_id, number, from_number, provider_call_id) VALUES (?1, ?2, ?3, ?4, ?5))sql";
inline constexpr const char* kMarkDispatchingMany = R"sql(
UPDATE calls SET state = 'dispatching', attempts = attempts + 1, dispatch_key = ?1, updated_at = ?2, provider = ?3
WHERE id IN (SELECT call_id FROM temp.chunk_rows) AND state = 'pending')sql";
inline constexpr const char* kInsertAttempts = R"sql(
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, from_number, submitted_at, provider)
SELECT call_id, ?1, contact_id, number, ?2, from_number, ?3, ?4 FROM temp.chunk_rows ORDER BY pos)sql";
// Reports (migration 17): a chunk's attempts counted in their campaign's 15-minute slot, in one statement
// (?1 campaign, ?2 the submission time, ?3 how many). Outcomes are counted by trigger.
inline constexpr const char* kStatsSubmitted = R"sql(
INSERT INTO campaign_stats(campaign_id, slot, kind, n) VALUES (?1, ?2 / 900000 * 900000, 'submitted', ?3)
ON CONFLICT DO UPDATE SET n = n + excluded.n)sql";
// A held call an operator failed (?1), at ?2: a call that ended failed, of kind 'operator'.
inline constexpr const char* kStatsOperatorFailed = R"sql(
INSERT INTO campaign_stats(campaign_id, slot, kind, failed)
SELECT campaign_id, ?2 / 900000 * 900000, 'operator', 1 FROM calls WHERE id = ?1
ON CONFLICT DO UPDATE SET failed = failed + 1)sql";

// Reports (issue 21): a campaign's 15-minute slots in [?2, ?4) after (?2, ?3), along the primary key.
inline constexpr const char* kStatSlots = R"sql(
SELECT slot, kind, n, completed, failed FROM campaign_stats
WHERE campaign_id = ?1 AND (slot, kind) > (?2, ?3) AND slot < ?4 ORDER BY slot, kind LIMIT ?5)sql";
// A report's columns, for the call k (with its contact p and campaign c), then `later_attempt`: whether the
// row is to be passed over (ReportRows reads a bounded number of rows per page, listed or not).
#define DIALERD_REPORT_COLUMNS                                                                                \
  "SELECT k.id, k.campaign_id, c.name AS campaign_name, p.phone, p.external_id, p.first_name, p.last_name, "  \
  "k.variables, k.state, k.attempts, k.last_outcome, k.last_error, k.provider_call_id, k.next_attempt_at, "   \
  "k.created_at, k.updated_at, k.priority, "                                                                  \
  "(SELECT max(b.submitted_at) FROM attempts b WHERE b.call_id = k.id AND b.outcome IS NOT 'not_submitted') " \
  "AS last_attempt_at, "
#define DIALERD_REPORT_FROM \
  "FROM calls k JOIN contacts p ON p.id = k.contact_id JOIN campaigns c ON c.id = k.campaign_id "
// A campaign's calls of one state, along that state's index (as its listing: kStateListings).
#define DIALERD_REPORT_BY_ID(state)                                                                                 \
  DIALERD_REPORT_COLUMNS "0 AS later_attempt " DIALERD_REPORT_FROM "WHERE k.campaign_id = ?1 AND k.state = '" state \
                         "' ORDER BY k.id"
inline constexpr const char* kReportStates[] = {
    DIALERD_REPORT_BY_ID("completed"),
    DIALERD_REPORT_BY_ID("dispatching"),
    DIALERD_REPORT_BY_ID("failed"),
    DIALERD_REPORT_BY_ID("held"),
    DIALERD_REPORT_COLUMNS
    "0 AS later_attempt FROM calls k INDEXED BY calls_in_progress JOIN contacts p ON p.id = k.contact_id "
    "JOIN campaigns c ON c.id = k.campaign_id "
    "WHERE k.state = 'in_progress' AND k.campaign_id = ?1 ORDER BY k.updated_at, k.id",
    DIALERD_REPORT_COLUMNS "0 AS later_attempt " DIALERD_REPORT_FROM
                           "WHERE k.campaign_id = ?1 AND k.state = 'pending' ORDER BY k.next_attempt_at, k.id",
    DIALERD_REPORT_BY_ID("skipped"),
};
#undef DIALERD_REPORT_BY_ID
inline constexpr const char* kWorkspaceCampaignIds = "SELECT id FROM campaigns WHERE workspace = ?1 ORDER BY id";
// A campaign's attempts submitted in [?2, ?3), along attempts_campaign_time, with their calls: a call is
// listed at its first attempt in the range, and its later ones are marked `later_attempt` (looked up through
// the call's own attempts) to be passed over.
inline constexpr const char* kReportAttempted = DIALERD_REPORT_COLUMNS R"sql(
  EXISTS (SELECT 1 FROM attempts e WHERE e.call_id = a.call_id AND e.submitted_at >= ?2
            AND (e.submitted_at, e.id) < (a.submitted_at, a.id)
            AND (e.outcome IS NULL OR e.outcome <> 'not_submitted')) AS later_attempt
FROM attempts a INDEXED BY attempts_campaign_time JOIN calls k ON k.id = a.call_id
JOIN contacts p ON p.id = k.contact_id JOIN campaigns c ON c.id = k.campaign_id
WHERE a.campaign_id = ?1 AND a.submitted_at >= ?2 AND a.submitted_at < ?3
  AND (a.outcome IS NULL OR a.outcome <> 'not_submitted')
ORDER BY a.submitted_at, a.id)sql";
#undef DIALERD_REPORT_FROM
#undef DIALERD_REPORT_COLUMNS

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
// A chunk accepted call by call, in one statement: the staged rows carry (call_id, provider_call_id). The same
// conditions as kSubmitAccepted; the unary + keeps the plan on the staged rows then the call's primary key.
// The attempt is not touched: its provider call id is copied from the call when its outcome is recorded
// (kAttemptOutcome), one write fewer per call.
inline constexpr const char* kSubmitAcceptedMany = R"sql(
UPDATE calls SET state = 'in_progress', provider_call_id = t.provider_call_id, last_error = NULL, updated_at = ?2
FROM temp.chunk_rows AS t
WHERE calls.id = t.call_id AND +calls.state = 'dispatching' AND +calls.dispatch_key = ?1)sql";

// Both read what applying an outcome needs, in the same columns.
inline constexpr const char* kFindCallByProviderId = R"sql(
SELECT k.id, k.campaign_id, k.contact_id, k.state, k.attempts, k.max_retries, c.workspace, c.retry_attempts,
       c.retry_delay_s, c.status, c.retry_policy
FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.provider_call_id = ?1 AND coalesce(k.provider, c.provider) = ?2)sql";
inline constexpr const char* kFindCallForOutcome = R"sql(
SELECT k.id, k.campaign_id, k.contact_id, k.state, k.attempts, k.max_retries, c.workspace, c.retry_attempts,
       c.retry_delay_s, c.status, c.retry_policy
FROM calls k JOIN campaigns c ON c.id = k.campaign_id WHERE k.id = ?1)sql";
// An opt-out (Outcome::opted_out): the workspace's suppression of the number, unless it has one (whose
// reason stays), and the contact's pending calls in every campaign of the workspace skipped.
inline constexpr const char* kSuppressOptedOut = R"sql(
INSERT INTO suppressions(workspace, phone, reason, source, created_by, created_at)
SELECT ?1, phone, ?3, ?5, NULL, ?4 FROM contacts WHERE id = ?2
ON CONFLICT(workspace, phone) DO NOTHING)sql";
// An opt-out withdraws the contact's consent too, when one is recorded and not yet withdrawn.
inline constexpr const char* kRevokeConsentOfOptedOut = R"sql(
UPDATE contacts SET consent = json_set(consent, '$.revoked_at', ?2), updated_at = ?2
WHERE id = ?1 AND consent IS NOT NULL AND json_extract(consent, '$.revoked_at') IS NULL)sql";
inline constexpr const char* kSkipCallsOfOptedOut = R"sql(
UPDATE calls SET state = 'skipped', last_outcome = 'skipped', last_error = ?2, updated_at = ?3
WHERE contact_id = ?1 AND state = 'pending')sql";
inline constexpr const char* kTimedOutCalls = R"sql(
SELECT id FROM calls INDEXED BY calls_in_progress WHERE state = 'in_progress' AND updated_at <= ?1
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
// ?7: a callback the outcome scheduled (the call's new not_before), else NULL (it keeps its own).
inline constexpr const char* kApplyOutcome = R"sql(
UPDATE calls SET state = ?2, next_attempt_at = ?3, last_outcome = ?4, last_error = ?5, updated_at = ?6,
                 not_before = coalesce(?7, not_before)
WHERE id = ?1 AND state = 'in_progress')sql";
// Also fills in the attempt's provider call id from the call when the answer did not (kSubmitAcceptedMany).
inline constexpr const char* kAttemptOutcome = R"sql(
UPDATE attempts SET outcome = ?2, detail = ?3, finished_at = ?4,
                    provider_call_id = coalesce(provider_call_id, (SELECT provider_call_id FROM calls WHERE id = ?1))
WHERE call_id = ?1 AND dispatch_key = (SELECT dispatch_key FROM calls WHERE id = ?1))sql";

inline constexpr const char* kProviderDispatching = R"sql(
SELECT 1 FROM calls k INDEXED BY calls_dispatching JOIN campaigns c ON c.id = k.campaign_id
WHERE k.state = 'dispatching' AND coalesce(k.provider, c.provider) = ?1 LIMIT 1)sql";
inline constexpr const char* kSaveEarly = R"sql(
INSERT OR REPLACE INTO early_outcomes(provider, provider_call_id, outcome, detail, received_at, callback_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql";
inline constexpr const char* kAnyEarly = "SELECT 1 FROM early_outcomes WHERE provider = ?1 LIMIT 1";
inline constexpr const char* kTakeEarly =
    "DELETE FROM early_outcomes WHERE provider = ?1 AND provider_call_id = ?2 RETURNING outcome, detail, callback_at";
inline constexpr const char* kPurgeEarly = "DELETE FROM early_outcomes WHERE received_at < ?1";

// The request-written marker (migration 6).
inline constexpr const char* kMarkSent = "INSERT OR IGNORE INTO sent_chunks(dispatch_key, sent_at) VALUES (?1, ?2)";
inline constexpr const char* kForgetSent = "DELETE FROM sent_chunks WHERE dispatch_key = ?1";
inline constexpr const char* kForgetAnsweredSent = R"sql(
DELETE FROM sent_chunks WHERE dispatch_key NOT IN (
  SELECT dispatch_key FROM calls INDEXED BY calls_dispatching
  WHERE state = 'dispatching' AND dispatch_key IS NOT NULL))sql";
// Start-up: dispatching calls of provider ?1 whose chunk never started to be written go back to pending,
// their attempt given back as not submitted (attempts first, while the calls still say dispatching).
inline constexpr const char* kNeverSentAttempts = R"sql(
UPDATE attempts SET outcome = 'not_submitted', detail = ?2, finished_at = ?3
WHERE outcome IS NULL AND EXISTS (
  SELECT 1 FROM calls k JOIN campaigns c ON c.id = k.campaign_id
  WHERE k.id = attempts.call_id AND k.dispatch_key = attempts.dispatch_key AND k.state = 'dispatching'
    AND coalesce(k.provider, c.provider) = ?1
    AND NOT EXISTS (SELECT 1 FROM sent_chunks s WHERE s.dispatch_key = k.dispatch_key)))sql";
inline constexpr const char* kReleaseNeverSent = R"sql(
UPDATE calls SET state = 'pending', attempts = attempts - 1, next_attempt_at = ?3, last_error = ?2, updated_at = ?3
WHERE state = 'dispatching'
  AND coalesce(provider, (SELECT c.provider FROM campaigns c WHERE c.id = calls.campaign_id)) = ?1
  AND NOT EXISTS (SELECT 1 FROM sent_chunks s WHERE s.dispatch_key = calls.dispatch_key))sql";
inline constexpr const char* kHoldDispatching = R"sql(
UPDATE calls SET state = 'held', last_error = ?2, updated_at = ?3
WHERE state = 'dispatching'
  AND coalesce(provider, (SELECT c.provider FROM campaigns c WHERE c.id = calls.campaign_id)) = ?1)sql";
inline constexpr const char* kHoldDispatchingCall = R"sql(
UPDATE calls SET state = 'held', last_error = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'dispatching')sql";
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
inline constexpr const char* kSelectWorkspaceCall = R"sql(
SELECT k.id, k.campaign_id, k.state, c.workspace FROM calls k JOIN campaigns c ON c.id = k.campaign_id
WHERE k.id = ?1 AND c.workspace = ?2)sql";
inline constexpr const char* kReleaseHeld = R"sql(
UPDATE calls SET state = 'pending', next_attempt_at = ?2, last_error = ?3, updated_at = ?2
WHERE id = ?1 AND state = 'held')sql";
inline constexpr const char* kFailHeld = R"sql(
UPDATE calls SET state = 'failed', last_outcome = 'operator', last_error = ?3, updated_at = ?2
WHERE id = ?1 AND state = 'held')sql";
inline constexpr const char* kInProgressOfProvider = R"sql(
SELECT k.provider_call_id FROM calls k INDEXED BY calls_in_progress JOIN campaigns c ON c.id = k.campaign_id
WHERE k.state = 'in_progress' AND coalesce(k.provider, c.provider) = ?1)sql";
inline constexpr const char* kHeldOfCampaign =
    "SELECT id FROM calls WHERE campaign_id = ?1 AND state = 'held' ORDER BY id";
inline constexpr const char* kNextDueOfCampaign =
    "SELECT min(next_attempt_at) FROM calls WHERE campaign_id = ?1 AND state = 'pending'";
inline constexpr const char* kNextTrigger =
    "SELECT min(coalesce(trigger_at, 0)) FROM campaigns WHERE status = 'scheduled'";
inline constexpr const char* kTriggered =
    "SELECT id FROM campaigns WHERE status = 'scheduled' AND coalesce(trigger_at, 0) <= ?1 ORDER BY id";

}  // namespace dialerd::store::sql
