#include "dialerd/store/sqlite/migrations.hpp"

#include <array>
#include <string>

namespace dialerd::store::sqlite {
namespace {

// Numbered migrations: never edit one that has shipped; add the next. docs/SCHEMA.md describes the result.
// Times are Unix milliseconds (UTC) in INTEGER columns; the views show them readably.
constexpr std::array<const char*, 17> kMigrations = {
    // 1: campaigns, contacts, calls, attempts, suppressions, the webhook outbox, counters kept by
    //    triggers, the state machines as data, and the inspection views.
    R"sql(
CREATE TABLE campaigns (
  id                 INTEGER PRIMARY KEY,
  workspace          TEXT    NOT NULL DEFAULT 'default',
  name               TEXT    NOT NULL,
  agent_id           TEXT    NOT NULL,
  provider           TEXT    NOT NULL,
  from_number        TEXT    NOT NULL,               -- E.164; the first of from_numbers
  from_numbers       TEXT    NOT NULL DEFAULT '[]',  -- JSON array of E.164 caller ids
  rotation           TEXT    NOT NULL DEFAULT 'round_robin'
                     CHECK (rotation IN ('random', 'sequential', 'round_robin')),
  rotation_cursor    INTEGER NOT NULL DEFAULT 0,
  schedule_type      TEXT    NOT NULL CHECK (schedule_type IN ('immediate', 'scheduled')),
  trigger_at         INTEGER,                        -- scheduled_at / trigger_timestamp
  timezone           TEXT    NOT NULL DEFAULT 'UTC', -- IANA zone of the daily window and daily caps
  start_time         TEXT,                           -- HH:MM daily window start (campaign timezone)
  end_time           TEXT,                           -- HH:MM daily window end; may be before start_time
  working_days       TEXT,                           -- JSON array of 1 (Mon) .. 7 (Sun); NULL = every day
  concurrency        INTEGER NOT NULL CHECK (concurrency >= 1),
  max_calls_per_day  INTEGER CHECK (max_calls_per_day IS NULL OR max_calls_per_day >= 1),
  retry_attempts     INTEGER NOT NULL DEFAULT 0 CHECK (retry_attempts BETWEEN 0 AND 10),
  retry_delay_s      INTEGER NOT NULL DEFAULT 300 CHECK (retry_delay_s >= 0),
  webhook_url        TEXT,
  webhook_secret_id  TEXT,
  required_variables TEXT    NOT NULL DEFAULT '[]',  -- JSON array of variable names every call must carry
  options            TEXT    NOT NULL DEFAULT '{}',  -- JSON object of provider-specific options
  status             TEXT    NOT NULL
                     CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX campaigns_status ON campaigns(status);
CREATE INDEX campaigns_workspace ON campaigns(workspace, id);

CREATE TABLE contacts (
  id         INTEGER PRIMARY KEY,
  phone      TEXT    NOT NULL UNIQUE,                -- E.164
  first_name TEXT,
  last_name  TEXT,
  timezone   TEXT,                                   -- IANA zone; NULL = infer from the number
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  variables  TEXT    NOT NULL DEFAULT '{}',          -- JSON object shared by all campaigns
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE calls (
  id               INTEGER PRIMARY KEY,
  campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
  contact_id       INTEGER NOT NULL REFERENCES contacts(id),
  state            TEXT    NOT NULL
                   CHECK (state IN ('pending', 'dispatching', 'in_progress', 'completed', 'failed', 'skipped', 'held')),
  attempts         INTEGER NOT NULL DEFAULT 0,     -- submissions made so far (one retry budget)
  max_retries      INTEGER,                        -- per-call override of the campaign's retry_attempts
  next_attempt_at  INTEGER NOT NULL,               -- a pending call is due from this instant
  variables        TEXT    NOT NULL DEFAULT '{}',  -- JSON object handed to the agent
  dispatch_key     TEXT,                           -- idempotency key of the chunk it was last submitted in
  provider_call_id TEXT,
  last_outcome     TEXT,
  last_error       TEXT,                           -- why it failed, was skipped or is held
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
-- "What is due now" is a range scan: (campaign, 'pending', next_attempt_at <= now).
CREATE INDEX calls_due ON calls(campaign_id, state, next_attempt_at);
CREATE INDEX calls_contact ON calls(contact_id, campaign_id);
CREATE INDEX calls_provider_call ON calls(provider_call_id) WHERE provider_call_id IS NOT NULL;
CREATE INDEX calls_dispatch_key ON calls(dispatch_key) WHERE dispatch_key IS NOT NULL;
-- Start-up reconciliation and the held list read only these few calls.
CREATE INDEX calls_dispatching ON calls(campaign_id) WHERE state = 'dispatching';
CREATE INDEX calls_held ON calls(campaign_id) WHERE state = 'held';

CREATE TABLE attempts (
  id               INTEGER PRIMARY KEY,
  call_id          INTEGER NOT NULL REFERENCES calls(id),
  campaign_id      INTEGER NOT NULL,               -- copied from the call: caps count by range scan
  contact_id       INTEGER NOT NULL,
  number           INTEGER NOT NULL,               -- which attempt this try is (1 = first); a try that was
                                                   -- certainly not submitted gives its number back
  dispatch_key     TEXT    NOT NULL,               -- the chunk's idempotency key: one try per call per chunk
  from_number      TEXT,
  submitted_at     INTEGER NOT NULL,
  provider_call_id TEXT,
  outcome          TEXT,                           -- NULL while in flight
  detail           TEXT,
  finished_at      INTEGER,
  UNIQUE (call_id, dispatch_key)
);
CREATE INDEX attempts_provider_call ON attempts(provider_call_id) WHERE provider_call_id IS NOT NULL;
-- Per-contact caps (all campaigns) and per-campaign daily caps: calls placed since T, by range scan.
CREATE INDEX attempts_contact_time ON attempts(contact_id, submitted_at);
CREATE INDEX attempts_campaign_time ON attempts(campaign_id, submitted_at);

-- Numbers that must not be called (cease-and-desist, do-not-call), across every campaign.
CREATE TABLE suppressions (
  phone      TEXT    PRIMARY KEY,                  -- E.164
  reason     TEXT    NOT NULL,
  source     TEXT    NOT NULL DEFAULT 'api',
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Outbound webhook events, delivered at least once with a stable event_id.
CREATE TABLE webhook_outbox (
  id              INTEGER PRIMARY KEY,
  event_id        TEXT    NOT NULL UNIQUE,
  campaign_id     INTEGER,
  type            TEXT    NOT NULL,                -- call.completed, campaign.started, ...
  url             TEXT    NOT NULL,
  secret_id       TEXT,
  payload         TEXT    NOT NULL,                -- the JSON body, fixed when the event is created
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER,
  abandoned_at    INTEGER
);
CREATE INDEX webhook_outbox_due ON webhook_outbox(next_attempt_at)
  WHERE delivered_at IS NULL AND abandoned_at IS NULL;

-- Outcomes that arrived before the submission answer that names their provider call id (a provider's
-- callback can beat its own HTTP response). Applied when the answer is recorded.
CREATE TABLE early_outcomes (
  provider         TEXT    NOT NULL,
  provider_call_id TEXT    NOT NULL,
  outcome          TEXT    NOT NULL,
  detail           TEXT,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (provider, provider_call_id)
) WITHOUT ROWID;

-- The state machines, as data the triggers below enforce. tests/unit/store checks they equal
-- domain::can_transition exactly.
CREATE TABLE call_transitions (from_state TEXT NOT NULL, to_state TEXT NOT NULL,
                               PRIMARY KEY (from_state, to_state)) WITHOUT ROWID;
INSERT INTO call_transitions VALUES
  ('pending', 'dispatching'), ('pending', 'skipped'), ('pending', 'failed'),
  ('dispatching', 'in_progress'), ('dispatching', 'failed'), ('dispatching', 'pending'), ('dispatching', 'held'),
  ('in_progress', 'completed'), ('in_progress', 'failed'), ('in_progress', 'pending'),
  ('held', 'pending'), ('held', 'failed');
CREATE TABLE campaign_transitions (from_status TEXT NOT NULL, to_status TEXT NOT NULL,
                                   PRIMARY KEY (from_status, to_status)) WITHOUT ROWID;
INSERT INTO campaign_transitions VALUES
  ('draft', 'scheduled'), ('draft', 'running'), ('draft', 'cancelled'),
  ('scheduled', 'running'), ('scheduled', 'paused'), ('scheduled', 'cancelled'),
  ('running', 'paused'), ('running', 'completed'), ('running', 'cancelled'),
  ('paused', 'running'), ('paused', 'scheduled'), ('paused', 'cancelled');

CREATE TRIGGER calls_state_guard BEFORE UPDATE OF state ON calls
WHEN new.state <> old.state
 AND NOT EXISTS (SELECT 1 FROM call_transitions WHERE from_state = old.state AND to_state = new.state)
BEGIN
  SELECT RAISE(ABORT, 'illegal call state transition');
END;
CREATE TRIGGER campaigns_status_guard BEFORE UPDATE OF status ON campaigns
WHEN new.status <> old.status
 AND NOT EXISTS (SELECT 1 FROM campaign_transitions WHERE from_status = old.status AND to_status = new.status)
BEGIN
  SELECT RAISE(ABORT, 'illegal campaign status transition');
END;
CREATE TRIGGER calls_insert_state BEFORE INSERT ON calls WHEN new.state <> 'pending'
BEGIN
  SELECT RAISE(ABORT, 'a call starts pending');
END;

-- Counts per campaign and state ('called' = calls submitted at least once), kept by triggers in the
-- same transaction as the change, so reading them is O(1) and they cannot drift.
CREATE TABLE campaign_counters (
  campaign_id INTEGER NOT NULL,
  state       TEXT    NOT NULL,
  n           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, state)
) WITHOUT ROWID;
CREATE TRIGGER campaigns_counters_init AFTER INSERT ON campaigns
BEGIN
  INSERT INTO campaign_counters(campaign_id, state)
  VALUES (new.id, 'pending'), (new.id, 'dispatching'), (new.id, 'in_progress'), (new.id, 'completed'),
         (new.id, 'failed'), (new.id, 'skipped'), (new.id, 'held'), (new.id, 'called');
END;
CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
BEGIN
  UPDATE campaign_counters SET n = n + 1 WHERE campaign_id = new.campaign_id AND state = new.state;
END;
CREATE TRIGGER calls_count_state AFTER UPDATE OF state ON calls WHEN new.state <> old.state
BEGIN
  UPDATE campaign_counters SET n = n - 1 WHERE campaign_id = old.campaign_id AND state = old.state;
  UPDATE campaign_counters SET n = n + 1 WHERE campaign_id = new.campaign_id AND state = new.state;
END;
CREATE TRIGGER calls_count_called AFTER UPDATE OF attempts ON calls
WHEN (old.attempts > 0) <> (new.attempts > 0)
BEGIN
  UPDATE campaign_counters SET n = n + (CASE WHEN new.attempts > 0 THEN 1 ELSE -1 END)
  WHERE campaign_id = new.campaign_id AND state = 'called';
END;

CREATE VIEW campaign_progress AS
SELECT c.id, c.name, c.status, c.provider,
       sum(k.n) FILTER (WHERE k.state <> 'called')   AS total,
       sum(k.n) FILTER (WHERE k.state = 'pending')     AS pending,
       sum(k.n) FILTER (WHERE k.state = 'dispatching') AS dispatching,
       sum(k.n) FILTER (WHERE k.state = 'in_progress') AS in_progress,
       sum(k.n) FILTER (WHERE k.state = 'completed')   AS completed,
       sum(k.n) FILTER (WHERE k.state = 'failed')      AS failed,
       sum(k.n) FILTER (WHERE k.state = 'skipped')     AS skipped,
       sum(k.n) FILTER (WHERE k.state = 'held')        AS held,
       sum(k.n) FILTER (WHERE k.state = 'called')      AS called
FROM campaigns c JOIN campaign_counters k ON k.campaign_id = c.id
GROUP BY c.id;

CREATE VIEW due_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.next_attempt_at / 1000.0, 'unixepoch') AS due_at
FROM campaigns c JOIN calls k ON k.campaign_id = c.id AND k.state = 'pending'
JOIN contacts p ON p.id = k.contact_id
WHERE c.status = 'running'
  AND k.next_attempt_at <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);

CREATE VIEW held_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts, k.dispatch_key, k.last_error AS reason,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.updated_at / 1000.0, 'unixepoch') AS held_since
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.state = 'held';
)sql",
    // 2: in-flight call timeouts read the oldest in-progress calls; webhook events are queued in the
    //    outbox by triggers, in the transaction that makes the change (docs/WEBHOOKS.md). An event's id
    //    is drawn once and stored, so every delivery of it carries the same id.
    R"sql(
CREATE INDEX calls_in_progress ON calls(updated_at) WHERE state = 'in_progress';

CREATE TRIGGER calls_webhook AFTER UPDATE OF state ON calls
WHEN NEW.state <> OLD.state AND NEW.state IN ('completed', 'failed', 'skipped', 'held')
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  SELECT 'evt_' || lower(hex(randomblob(12))), c.id, 'call.' || NEW.state,
         c.webhook_url, c.webhook_secret_id,
         json_object('call_id', CAST(NEW.id AS TEXT), 'campaign_id', CAST(c.id AS TEXT),
                     'phone_number', (SELECT phone FROM contacts WHERE id = NEW.contact_id),
                     'state', NEW.state, 'attempts', NEW.attempts, 'outcome', NEW.last_outcome,
                     'reason', NEW.last_error, 'provider_call_id', NEW.provider_call_id),
         NEW.updated_at, NEW.updated_at
  FROM campaigns c WHERE c.id = NEW.campaign_id AND c.webhook_url IS NOT NULL;
END;

CREATE TRIGGER campaigns_webhook AFTER UPDATE OF status ON campaigns
WHEN NEW.status <> OLD.status AND NEW.webhook_url IS NOT NULL
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  VALUES ('evt_' || lower(hex(randomblob(12))), NEW.id,
          'campaign.' || CASE WHEN NEW.status = 'running' AND OLD.status = 'paused' THEN 'resumed'
                              WHEN NEW.status = 'running' THEN 'started' ELSE NEW.status END,
          NEW.webhook_url, NEW.webhook_secret_id,
          json_object('campaign_id', CAST(NEW.id AS TEXT), 'name', NEW.name, 'status', NEW.status,
                      'previous_status', OLD.status),
          NEW.updated_at, NEW.updated_at);
END;

CREATE TRIGGER campaigns_webhook_created AFTER INSERT ON campaigns
WHEN NEW.status = 'running' AND NEW.webhook_url IS NOT NULL
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  VALUES ('evt_' || lower(hex(randomblob(12))), NEW.id, 'campaign.started',
          NEW.webhook_url, NEW.webhook_secret_id,
          json_object('campaign_id', CAST(NEW.id AS TEXT), 'name', NEW.name, 'status', NEW.status,
                      'previous_status', NULL),
          NEW.updated_at, NEW.updated_at);
END;
)sql",

    // 3: failover. The provider a call's submission went to, when it is not the campaign's own (NULL in
    // rows from before: the campaign's). Outcome callbacks, start-up reconciliation and resume go by it.
    // Also: calls_webhook's WHEN list as equalities. With `IN (...)` SQLite builds a temporary table for the
    // list on every call-state update (docs/PERFORMANCE.md has the profile); the event rows are the same.
    R"sql(
ALTER TABLE calls ADD COLUMN provider TEXT;
ALTER TABLE attempts ADD COLUMN provider TEXT;

DROP TRIGGER calls_webhook;
CREATE TRIGGER calls_webhook AFTER UPDATE OF state ON calls
WHEN NEW.state <> OLD.state
 AND (NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'skipped' OR NEW.state = 'held')
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  SELECT 'evt_' || lower(hex(randomblob(12))), c.id, 'call.' || NEW.state,
         c.webhook_url, c.webhook_secret_id,
         json_object('call_id', CAST(NEW.id AS TEXT), 'campaign_id', CAST(c.id AS TEXT),
                     'phone_number', (SELECT phone FROM contacts WHERE id = NEW.contact_id),
                     'state', NEW.state, 'attempts', NEW.attempts, 'outcome', NEW.last_outcome,
                     'reason', NEW.last_error, 'provider_call_id', NEW.provider_call_id),
         NEW.updated_at, NEW.updated_at
  FROM campaigns c WHERE c.id = NEW.campaign_id AND c.webhook_url IS NOT NULL;
END;
)sql",

    // 4: dispatch speed (docs/PERFORMANCE.md). Three causes of most of a dispatched call's SQLite work:
    //  - `CHECK (state IN (...))` on calls builds a temporary table for the list on every row that changes
    //    state; the same check written as equalities does not. SQLite cannot alter a CHECK, so calls is rebuilt
    //    (same columns, same rows, same ids).
    //  - calls_due held every call, so each state change moved its entry; it now holds only pending calls,
    //    and calls in a final state get an index of their own (calls_ended) for listing. A dispatched call's
    //    index work is now its pending entry removed, a dispatching entry added and removed, an in-progress
    //    and a provider call id entry added.
    //  - Counters: each state change made two counter updates, plus the guard's lookup, in three trigger
    //    programs. Counts are now kept as flows: one row per campaign and legal transition (plus one per state
    //    for calls created in it), and a state change adds 1 to its transition's row. The same update is the
    //    guard: a transition with no row is illegal. campaign_counters is now a view of the same shape.
    // The dispatch_key index on calls goes: the daemon never used it (attempts.dispatch_key says the same).
    R"sql(
DROP VIEW due_calls;
DROP VIEW held_calls;
DROP VIEW campaign_progress;

CREATE TABLE calls_new (
  id               INTEGER PRIMARY KEY,
  campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
  contact_id       INTEGER NOT NULL REFERENCES contacts(id),
  state            TEXT    NOT NULL
                   CHECK (state = 'pending' OR state = 'dispatching' OR state = 'in_progress' OR state = 'completed'
                          OR state = 'failed' OR state = 'skipped' OR state = 'held'),
  attempts         INTEGER NOT NULL DEFAULT 0,     -- submissions made so far (one retry budget)
  max_retries      INTEGER,                        -- per-call override of the campaign's retry_attempts
  next_attempt_at  INTEGER NOT NULL,               -- a pending call is due from this instant
  variables        TEXT    NOT NULL DEFAULT '{}',  -- JSON object handed to the agent
  dispatch_key     TEXT,                           -- idempotency key of the chunk it was last submitted in
  provider_call_id TEXT,
  last_outcome     TEXT,
  last_error       TEXT,                           -- why it failed, was skipped or is held
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  provider         TEXT                            -- the provider of its last submission when not the campaign's
);
INSERT INTO calls_new(id, campaign_id, contact_id, state, attempts, max_retries, next_attempt_at, variables, dispatch_key,
                      provider_call_id, last_outcome, last_error, created_at, updated_at, provider)
SELECT id, campaign_id, contact_id, state, attempts, max_retries, next_attempt_at, variables, dispatch_key,
       provider_call_id, last_outcome, last_error, created_at, updated_at, provider
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;

-- "What is due now" is a range scan: (campaign, next_attempt_at <= now) among pending calls only.
CREATE INDEX calls_due ON calls(campaign_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX calls_contact ON calls(contact_id, campaign_id);
CREATE INDEX calls_provider_call ON calls(provider_call_id) WHERE provider_call_id IS NOT NULL;
CREATE INDEX calls_dispatching ON calls(campaign_id) WHERE state = 'dispatching';
CREATE INDEX calls_held ON calls(campaign_id) WHERE state = 'held';
CREATE INDEX calls_in_progress ON calls(updated_at) WHERE state = 'in_progress';
CREATE INDEX calls_ended ON calls(campaign_id, state) WHERE state = 'completed' OR state = 'failed' OR state = 'skipped';

CREATE TABLE campaign_flows (
  campaign_id INTEGER NOT NULL,
  from_state  TEXT    NOT NULL,                -- '' for calls created in to_state
  to_state    TEXT    NOT NULL,
  n           INTEGER NOT NULL DEFAULT 0,      -- calls that made this move
  called      INTEGER NOT NULL DEFAULT 0,      -- of those, the change in calls submitted at least once
  PRIMARY KEY (campaign_id, from_state, to_state)
) WITHOUT ROWID;
INSERT INTO campaign_flows(campaign_id, from_state, to_state)
SELECT c.id, t.from_state, t.to_state FROM campaigns c, call_transitions t;
INSERT INTO campaign_flows(campaign_id, from_state, to_state, n, called)
SELECT k.campaign_id, '', k.state, k.n, CASE WHEN k.state = 'pending' THEN coalesce(d.n, 0) ELSE 0 END
FROM campaign_counters k LEFT JOIN campaign_counters d ON d.campaign_id = k.campaign_id AND d.state = 'called'
WHERE k.state <> 'called';

DROP TRIGGER campaigns_counters_init;
DROP TABLE campaign_counters;
CREATE TRIGGER campaigns_flows_init AFTER INSERT ON campaigns
BEGIN
  INSERT INTO campaign_flows(campaign_id, from_state, to_state)
  SELECT new.id, from_state, to_state FROM call_transitions
  UNION ALL
  SELECT new.id, '', s.column1
  FROM (VALUES ('pending'), ('dispatching'), ('in_progress'), ('completed'), ('failed'), ('skipped'), ('held')) s;
END;

-- Counts per campaign and state, as before: what flowed into a state less what flowed out of it.
CREATE VIEW campaign_counters(campaign_id, state, n) AS
SELECT campaign_id, state, sum(n) FROM (
  SELECT campaign_id, to_state AS state, n FROM campaign_flows
  UNION ALL SELECT campaign_id, from_state, -n FROM campaign_flows WHERE from_state <> ''
  UNION ALL SELECT campaign_id, 'called', called FROM campaign_flows
) GROUP BY campaign_id, state;

CREATE TRIGGER calls_insert_state BEFORE INSERT ON calls WHEN new.state <> 'pending'
BEGIN
  SELECT RAISE(ABORT, 'a call starts pending');
END;
CREATE TRIGGER calls_count_insert AFTER INSERT ON calls
BEGIN
  UPDATE campaign_flows SET n = n + 1 WHERE campaign_id = new.campaign_id AND from_state = '' AND to_state = 'pending';
END;
-- The count and the guard in one: a move with no flow row is not a legal transition.
CREATE TRIGGER calls_state AFTER UPDATE OF state ON calls WHEN new.state <> old.state
BEGIN
  UPDATE campaign_flows SET n = n + 1, called = called + ((new.attempts > 0) - (old.attempts > 0))
  WHERE campaign_id = new.campaign_id AND from_state = old.state AND to_state = new.state;
  SELECT RAISE(ABORT, 'illegal call state transition') WHERE changes() = 0;
END;
-- attempts changed without a state change (the daemon never does that; an operator might).
CREATE TRIGGER calls_count_called AFTER UPDATE OF attempts ON calls
WHEN new.state = old.state AND (old.attempts > 0) <> (new.attempts > 0)
BEGIN
  UPDATE campaign_flows SET called = called + (CASE WHEN new.attempts > 0 THEN 1 ELSE -1 END)
  WHERE campaign_id = new.campaign_id AND from_state = '' AND to_state = 'pending';
END;
CREATE TRIGGER calls_webhook AFTER UPDATE OF state ON calls
WHEN NEW.state <> OLD.state
 AND (NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'skipped' OR NEW.state = 'held')
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  SELECT 'evt_' || lower(hex(randomblob(12))), c.id, 'call.' || NEW.state,
         c.webhook_url, c.webhook_secret_id,
         json_object('call_id', CAST(NEW.id AS TEXT), 'campaign_id', CAST(c.id AS TEXT),
                     'phone_number', (SELECT phone FROM contacts WHERE id = NEW.contact_id),
                     'state', NEW.state, 'attempts', NEW.attempts, 'outcome', NEW.last_outcome,
                     'reason', NEW.last_error, 'provider_call_id', NEW.provider_call_id),
         NEW.updated_at, NEW.updated_at
  FROM campaigns c WHERE c.id = NEW.campaign_id AND c.webhook_url IS NOT NULL;
END;

CREATE VIEW campaign_progress AS
SELECT c.id, c.name, c.status, c.provider,
       sum(k.n) FILTER (WHERE k.state <> 'called')   AS total,
       sum(k.n) FILTER (WHERE k.state = 'pending')     AS pending,
       sum(k.n) FILTER (WHERE k.state = 'dispatching') AS dispatching,
       sum(k.n) FILTER (WHERE k.state = 'in_progress') AS in_progress,
       sum(k.n) FILTER (WHERE k.state = 'completed')   AS completed,
       sum(k.n) FILTER (WHERE k.state = 'failed')      AS failed,
       sum(k.n) FILTER (WHERE k.state = 'skipped')     AS skipped,
       sum(k.n) FILTER (WHERE k.state = 'held')        AS held,
       sum(k.n) FILTER (WHERE k.state = 'called')      AS called
FROM campaigns c JOIN campaign_counters k ON k.campaign_id = c.id
GROUP BY c.id;

CREATE VIEW due_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.next_attempt_at / 1000.0, 'unixepoch') AS due_at
FROM campaigns c JOIN calls k ON k.campaign_id = c.id AND k.state = 'pending'
JOIN contacts p ON p.id = k.contact_id
WHERE c.status = 'running'
  AND k.next_attempt_at <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);

CREATE VIEW held_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts, k.dispatch_key, k.last_error AS reason,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.updated_at / 1000.0, 'unixepoch') AS held_since
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.state = 'held';
)sql",
    // 5: tenancy (issue 16). A contact is a workspace's record of a number: another workspace naming the same
    //    number gets its own row, so it never changes the names, time zone or active flag this workspace's
    //    calls see (and caps count per workspace). A contact some workspaces' campaigns share is split: the
    //    lowest-named workspace keeps the row and its id, each other gets a copy, and its calls and attempts
    //    move to the copy. Suppressions belong to a workspace, or to the global list (workspace '*') that
    //    applies to all; the rows of earlier versions applied to all, so they become global. Removals are
    //    kept in suppression_removals with the key that made them. The views and the trigger that name
    //    contacts are recreated unchanged around the table's rebuild.
    R"sql(
DROP VIEW due_calls;
DROP VIEW held_calls;
DROP TRIGGER calls_webhook;

CREATE TEMP TABLE contact_workspaces AS
SELECT DISTINCT k.contact_id, c.workspace FROM calls k JOIN campaigns c ON c.id = k.campaign_id;

CREATE TABLE contacts_new (
  id         INTEGER PRIMARY KEY,
  workspace  TEXT    NOT NULL,                       -- whose record this is
  phone      TEXT    NOT NULL,                       -- E.164
  first_name TEXT,
  last_name  TEXT,
  timezone   TEXT,                                   -- IANA zone; NULL = infer from the number
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  variables  TEXT    NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace, phone)
);
INSERT INTO contacts_new(id, workspace, phone, first_name, last_name, timezone, active, variables, created_at,
                         updated_at)
SELECT p.id, coalesce((SELECT min(w.workspace) FROM contact_workspaces w WHERE w.contact_id = p.id), 'default'),
       p.phone, p.first_name, p.last_name, p.timezone, p.active, p.variables, p.created_at, p.updated_at
FROM contacts p;
INSERT INTO contacts_new(workspace, phone, first_name, last_name, timezone, active, variables, created_at, updated_at)
SELECT w.workspace, p.phone, p.first_name, p.last_name, p.timezone, p.active, p.variables, p.created_at, p.updated_at
FROM contact_workspaces w JOIN contacts p ON p.id = w.contact_id
WHERE w.workspace > (SELECT min(v.workspace) FROM contact_workspaces v WHERE v.contact_id = w.contact_id);

CREATE TEMP TABLE contact_moves AS
SELECT k.id AS call_id, n.id AS contact_id
FROM calls k JOIN campaigns c ON c.id = k.campaign_id JOIN contacts o ON o.id = k.contact_id
JOIN contacts_new n ON n.phone = o.phone AND n.workspace = c.workspace
WHERE n.id <> k.contact_id;
UPDATE calls SET contact_id = (SELECT m.contact_id FROM contact_moves m WHERE m.call_id = calls.id)
WHERE id IN (SELECT call_id FROM contact_moves);
UPDATE attempts SET contact_id = (SELECT m.contact_id FROM contact_moves m WHERE m.call_id = attempts.call_id)
WHERE call_id IN (SELECT call_id FROM contact_moves);
DROP TABLE temp.contact_moves;
DROP TABLE temp.contact_workspaces;

DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;

CREATE TABLE suppressions_new (
  workspace  TEXT    NOT NULL,                  -- the owner; '*' = the global list, which applies to every workspace
  phone      TEXT    NOT NULL,                  -- E.164
  reason     TEXT    NOT NULL,
  source     TEXT    NOT NULL DEFAULT 'api',
  created_by TEXT,                              -- the API key's name (api.keys[].name); NULL without keys
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace, phone)
) WITHOUT ROWID;
INSERT INTO suppressions_new(workspace, phone, reason, source, created_by, created_at)
SELECT '*', phone, reason, source, NULL, created_at FROM suppressions;
DROP TABLE suppressions;
ALTER TABLE suppressions_new RENAME TO suppressions;

-- Every suppression removed, and by whom: a number that may be called again is an operator's decision.
CREATE TABLE suppression_removals (
  id         INTEGER PRIMARY KEY,
  workspace  TEXT    NOT NULL,
  phone      TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  removed_by TEXT,                              -- the API key's name; NULL without keys
  removed_at INTEGER NOT NULL
);

CREATE TRIGGER calls_webhook AFTER UPDATE OF state ON calls
WHEN NEW.state <> OLD.state
 AND (NEW.state = 'completed' OR NEW.state = 'failed' OR NEW.state = 'skipped' OR NEW.state = 'held')
BEGIN
  INSERT INTO webhook_outbox(event_id, campaign_id, type, url, secret_id, payload, next_attempt_at, created_at)
  SELECT 'evt_' || lower(hex(randomblob(12))), c.id, 'call.' || NEW.state,
         c.webhook_url, c.webhook_secret_id,
         json_object('call_id', CAST(NEW.id AS TEXT), 'campaign_id', CAST(c.id AS TEXT),
                     'phone_number', (SELECT phone FROM contacts WHERE id = NEW.contact_id),
                     'state', NEW.state, 'attempts', NEW.attempts, 'outcome', NEW.last_outcome,
                     'reason', NEW.last_error, 'provider_call_id', NEW.provider_call_id),
         NEW.updated_at, NEW.updated_at
  FROM campaigns c WHERE c.id = NEW.campaign_id AND c.webhook_url IS NOT NULL;
END;

CREATE VIEW due_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.next_attempt_at / 1000.0, 'unixepoch') AS due_at
FROM campaigns c JOIN calls k ON k.campaign_id = c.id AND k.state = 'pending'
JOIN contacts p ON p.id = k.contact_id
WHERE c.status = 'running'
  AND k.next_attempt_at <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);

CREATE VIEW held_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts, k.dispatch_key, k.last_error AS reason,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.updated_at / 1000.0, 'unixepoch') AS held_since
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.state = 'held';
)sql",
    // 6: held calls (issue 16.7). A chunk is recorded here right before its request's first byte leaves,
    // and forgotten when its answer is recorded. After a crash, a dispatching call whose chunk is not here
    // certainly never reached the provider and is released instead of held. Chunks in flight at the
    // upgrade may have been sent: they are entered now, so they are held as before.
    R"sql(
CREATE TABLE sent_chunks (
  dispatch_key TEXT PRIMARY KEY,
  sent_at      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO sent_chunks(dispatch_key, sent_at)
SELECT DISTINCT dispatch_key, updated_at FROM calls INDEXED BY calls_dispatching
WHERE state = 'dispatching' AND dispatch_key IS NOT NULL;
)sql",
    // 7: the contact book (issue 23). A contact record gets the customer's own id (unique per workspace)
    //    and a deletion mark: a deleted record keeps its row, so its calls and attempts keep their
    //    history, and comes back if the number is uploaded again. Lists (folders) of a workspace's
    //    contacts, and the campaigns that follow a list (its members added later become calls).
    R"sql(
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN deleted_at INTEGER;
CREATE UNIQUE INDEX contacts_external_id ON contacts(workspace, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX contacts_workspace ON contacts(workspace, id);
CREATE TABLE lists (
  id          INTEGER PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (workspace, name)
);
CREATE TABLE list_members (
  list_id    INTEGER NOT NULL REFERENCES lists(id),
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  added_at   INTEGER NOT NULL,
  PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX list_members_contact ON list_members(contact_id);
CREATE TABLE list_followers (
  list_id     INTEGER NOT NULL REFERENCES lists(id),
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  PRIMARY KEY (list_id, campaign_id)
) WITHOUT ROWID;
)sql",
    // 8: compliance rules (issue 19). A campaign's subject: the per-subject rolling caps of a region (e.g.
    //    Florida's 3 calls in 24 hours on the same subject) count the calls of campaigns that share it. Its
    //    Regulation F opt-in, as JSON {"calls", "days", "quiet_days"} (NULL = off). The consent a campaign
    //    requires, and a contact's consent record as JSON {"type", "source", "captured_at", "expires_at",
    //    "revoked_at"} (times in Unix ms; NULL = none recorded).
    R"sql(
ALTER TABLE campaigns ADD COLUMN subject TEXT;
ALTER TABLE campaigns ADD COLUMN reg_f TEXT;
ALTER TABLE campaigns ADD COLUMN require_consent TEXT CHECK (require_consent IN ('express', 'express_written'));
ALTER TABLE contacts ADD COLUMN consent TEXT;
)sql",
    // 9: named do-not-call lists (issue 19.3). A list belongs to a workspace or is global ('*'); its numbers
    //    are the rows of its current set (dnc_numbers, the E.164 digits as an integer). A replacing import
    //    fills a new set and switches the list to it in one transaction; the old set, and a set an import
    //    left half-filled when the daemon stopped, are retired and deleted in slices (dnc_sets.state). A
    //    campaign's lists are the JSON array of names it honours besides the internal list (NULL = none).
    R"sql(
CREATE TABLE dnc_sets (
  id         INTEGER PRIMARY KEY,
  list_id    INTEGER NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('loading', 'current', 'retired')),
  created_at INTEGER NOT NULL
);
CREATE INDEX dnc_sets_retired ON dnc_sets(state) WHERE state = 'retired';
CREATE TABLE dnc_lists (
  id           INTEGER PRIMARY KEY,
  workspace    TEXT    NOT NULL,                 -- the owner; '*' = a global list (admin keys only)
  name         TEXT    NOT NULL,
  description  TEXT    NOT NULL DEFAULT '',
  source       TEXT    NOT NULL DEFAULT '',
  max_age_days INTEGER CHECK (max_age_days > 0),  -- NULL = never stale
  as_of        INTEGER,                           -- Unix ms: the date of the copy loaded; NULL = none yet
  set_id       INTEGER NOT NULL REFERENCES dnc_sets(id),
  numbers      INTEGER NOT NULL DEFAULT 0,
  created_by   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (workspace, name)
);
CREATE TABLE dnc_numbers (
  set_id INTEGER NOT NULL,
  phone  INTEGER NOT NULL,                        -- E.164 digits: +12025550123 is 12025550123
  PRIMARY KEY (set_id, phone)
) WITHOUT ROWID;
ALTER TABLE campaigns ADD COLUMN dnc_lists TEXT;
)sql",
    // 10: a campaign's pre-dial check (issue 19.6): {url, secret_id, timeout_ms, on_error, cache_seconds},
    //     NULL = none.
    R"sql(
ALTER TABLE campaigns ADD COLUMN predial TEXT;
)sql",
    // 11: a campaign's retries per outcome (issue 20.2): {"<outcome>": {retry, delay_seconds, max_attempts}},
    //     NULL = none (config retry.* for every outcome).
    R"sql(
ALTER TABLE campaigns ADD COLUMN retry_policy TEXT;
)sql",
    // 12: a campaign's pacing (issue 20.4): calls started per second and per minute, NULL = not paced.
    R"sql(
ALTER TABLE campaigns ADD COLUMN calls_per_second INTEGER CHECK (calls_per_second > 0);
ALTER TABLE campaigns ADD COLUMN calls_per_minute INTEGER CHECK (calls_per_minute > 0);
)sql",
    // 13: a callback at a set time (issue 20.1): the call is not placed before this instant (Unix ms), NULL =
    //     none. next_attempt_at is moved with it; this column says why, for the explanation and the claim.
    //     An outcome kept until its submission's answer keeps the callback it asked for.
    R"sql(
ALTER TABLE calls ADD COLUMN not_before INTEGER;
ALTER TABLE early_outcomes ADD COLUMN callback_at INTEGER;
)sql",
    // 14: caller ids by the contact's place (issue 20.5, phone_rotation_strategy local_presence). The rotation
    //     column's CHECK cannot change without rebuilding campaigns: it keeps round_robin, the fallback when
    //     no number is local, and this flag says local_presence.
    R"sql(
ALTER TABLE campaigns ADD COLUMN local_presence INTEGER NOT NULL DEFAULT 0 CHECK (local_presence IN (0, 1));
)sql",
    // 15: a call's priority (issue 20.3): higher goes first among due calls, 0 (the default) last. The claim
    //     reads the due calls of each level above 0 along calls_ranked, then the rest along calls_due; the
    //     index holds only calls with a priority, so a campaign that uses none pays nothing for it. Its
    //     condition is `priority <> 0`, not `priority > 0`: a query must repeat it to use the index, and
    //     SQLite 3.40 would then take the repeated `> 0` as the index's range and drop `priority = ?`, reading
    //     and sorting every level at each claim; `<>` is no index constraint, so the level's `=` is.
    R"sql(
ALTER TABLE calls ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100);
CREATE INDEX calls_ranked ON calls(campaign_id, priority, next_attempt_at) WHERE state = 'pending' AND priority <> 0;
)sql",
    // 16: caller-id health (issue 20.5): a campaign's daily cap per from number and its rest for a failing
    //     number (JSON, NULL = none); the calls of a number across a workspace are read along
    //     attempts_from_time.
    R"sql(
ALTER TABLE campaigns ADD COLUMN max_calls_per_number INTEGER
  CHECK (max_calls_per_number IS NULL OR max_calls_per_number >= 1);
ALTER TABLE campaigns ADD COLUMN number_rest TEXT;
CREATE INDEX attempts_from_time ON attempts(from_number, submitted_at);
)sql",
    // 17: reports (issue 21): each campaign's attempts and outcomes per 15-minute slot, so a chart of any
    //     range reads a row per slot and kind, never the attempts. Slots are 15 minutes of UTC because every
    //     zone's offset is a multiple of it: the API sums them into exact local hours and days.
    //     - kind 'submitted': attempts submitted in the slot (the claim adds a chunk's in one statement,
    //       sql::kStatsSubmitted); an attempt found not submitted is taken back out (trigger).
    //     - any other kind: attempts that finished in the slot with that outcome (trigger), and of them the
    //       calls that ended there, completed or failed (the call's state is written before its attempt's
    //       outcome); kind 'operator': held calls an operator failed (Store::resolve_held).
    //     The rows of attempts made before the upgrade are computed once from the attempts table.
    R"sql(
CREATE TABLE campaign_stats (
  campaign_id INTEGER NOT NULL,
  slot        INTEGER NOT NULL,                   -- start of the 15-minute slot, Unix ms (a multiple of 900000)
  kind        TEXT    NOT NULL,                   -- 'submitted', an attempt's outcome, or 'operator'
  n           INTEGER NOT NULL DEFAULT 0,         -- attempts submitted, or finished with this outcome
  completed   INTEGER NOT NULL DEFAULT 0,         -- calls that ended completed with it
  failed      INTEGER NOT NULL DEFAULT 0,         -- calls that ended failed with it
  PRIMARY KEY (campaign_id, slot, kind)
) WITHOUT ROWID;
CREATE TRIGGER attempts_stats_outcome AFTER UPDATE OF outcome ON attempts
WHEN old.outcome IS NULL AND new.outcome IS NOT NULL AND new.outcome <> 'not_submitted'
BEGIN
  INSERT INTO campaign_stats(campaign_id, slot, kind, n, completed, failed)
  SELECT new.campaign_id, coalesce(new.finished_at, new.submitted_at) / 900000 * 900000, new.outcome, 1,
         k.state = 'completed', k.state = 'failed'
  FROM calls k WHERE k.id = new.call_id
  ON CONFLICT DO UPDATE SET n = n + 1, completed = completed + excluded.completed, failed = failed + excluded.failed;
END;
CREATE TRIGGER attempts_stats_not_submitted AFTER UPDATE OF outcome ON attempts
WHEN old.outcome IS NULL AND new.outcome = 'not_submitted'
BEGIN
  UPDATE campaign_stats SET n = n - 1
  WHERE campaign_id = new.campaign_id AND slot = new.submitted_at / 900000 * 900000 AND kind = 'submitted';
END;
INSERT INTO campaign_stats(campaign_id, slot, kind, n)
SELECT campaign_id, submitted_at / 900000 * 900000, 'submitted', count(*) FROM attempts
WHERE outcome IS NULL OR outcome <> 'not_submitted' GROUP BY 1, 2;
INSERT INTO campaign_stats(campaign_id, slot, kind, n, completed, failed)
SELECT a.campaign_id, coalesce(a.finished_at, a.submitted_at) / 900000 * 900000, a.outcome, count(*),
       sum(k.dispatch_key IS a.dispatch_key AND k.state = 'completed'),
       sum(k.dispatch_key IS a.dispatch_key AND k.state = 'failed')
FROM attempts a JOIN calls k ON k.id = a.call_id WHERE a.outcome IS NOT NULL AND a.outcome <> 'not_submitted'
GROUP BY 1, 2, 3;
)sql",
};

}  // namespace

int schema_version() {
  return static_cast<int>(kMigrations.size());
}

void migrate(Db& db) {
  migrate(db, schema_version());
}

void migrate(Db& db, int target) {
  auto& q = db.cached("PRAGMA user_version");
  int current = q.step() ? static_cast<int>(q.int64(0)) : 0;
  q.reset();
  if (current > schema_version())
    throw DbError(0, "database schema version " + std::to_string(current) + " is newer than this dialerd (" +
                         std::to_string(schema_version()) + "); upgrade dialerd");
  if (current >= target) return;
  // A migration may rebuild a table others refer to (SQLite's own procedure for changes ALTER TABLE cannot
  // make): foreign keys are off while it runs, and checked before it commits.
  auto& fk = db.cached("PRAGMA foreign_keys");
  bool fk_on = fk.step() && fk.int64(0) != 0;
  fk.reset();
  db.exec("PRAGMA foreign_keys = OFF");
  try {
    for (int v = current + 1; v <= target; ++v) {
      Transaction tx(db);
      db.exec(kMigrations[static_cast<std::size_t>(v - 1)]);
      auto& check = db.cached("PRAGMA foreign_key_check");
      bool broken = check.step();
      check.reset();
      if (broken) throw DbError(0, "migration " + std::to_string(v) + " would break a foreign key; not applied");
      db.exec("PRAGMA user_version = " + std::to_string(v));
      tx.commit();
    }
  } catch (...) {
    if (fk_on) db.exec("PRAGMA foreign_keys = ON");
    throw;
  }
  if (fk_on) db.exec("PRAGMA foreign_keys = ON");
}

}  // namespace dialerd::store::sqlite
