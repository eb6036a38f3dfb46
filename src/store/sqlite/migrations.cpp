#include "dialerd/store/sqlite/migrations.hpp"

#include <array>
#include <string>

namespace dialerd::store::sqlite {
namespace {

// Numbered migrations: never edit one that has shipped; add the next. docs/SCHEMA.md describes the result.
// Times are Unix milliseconds (UTC) in INTEGER columns; the views show them readably.
constexpr std::array<const char*, 1> kMigrations = {
    // 1: campaigns, contacts, calls, attempts, and the inspection views.
    R"sql(
CREATE TABLE campaigns (
  id                INTEGER PRIMARY KEY,
  workspace         TEXT    NOT NULL DEFAULT 'default',
  name              TEXT    NOT NULL,
  agent_id          TEXT    NOT NULL,
  provider          TEXT    NOT NULL,
  from_number       TEXT    NOT NULL,
  schedule_type     TEXT    NOT NULL CHECK (schedule_type IN ('immediate', 'scheduled')),
  trigger_at        INTEGER,
  timezone          TEXT    NOT NULL DEFAULT 'UTC',
  concurrency       INTEGER NOT NULL CHECK (concurrency >= 1),
  max_calls_per_day INTEGER CHECK (max_calls_per_day IS NULL OR max_calls_per_day >= 1),
  retry_attempts    INTEGER NOT NULL DEFAULT 0 CHECK (retry_attempts BETWEEN 0 AND 10),
  retry_delay_s     INTEGER NOT NULL DEFAULT 300 CHECK (retry_delay_s >= 0),
  status            TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX campaigns_status ON campaigns(status);

CREATE TABLE contacts (
  id         INTEGER PRIMARY KEY,
  phone      TEXT    NOT NULL UNIQUE,            -- E.164
  first_name TEXT,
  last_name  TEXT,
  timezone   TEXT,
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE calls (
  id               INTEGER PRIMARY KEY,
  campaign_id      INTEGER NOT NULL REFERENCES campaigns(id),
  contact_id       INTEGER NOT NULL REFERENCES contacts(id),
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'dispatching', 'in_progress', 'completed', 'failed', 'skipped', 'held')),
  attempts         INTEGER NOT NULL DEFAULT 0,   -- submissions made so far
  max_retries      INTEGER,                      -- per-call override of the campaign's retry_attempts
  next_attempt_at  INTEGER NOT NULL,             -- a pending call is due from this instant
  variables        TEXT    NOT NULL DEFAULT '{}',-- JSON object handed to the agent
  dispatch_key     TEXT,                         -- idempotency key of the chunk it was last submitted in
  provider_call_id TEXT,
  last_outcome     TEXT,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
-- "What is due now" is a range scan: (campaign, 'pending', next_attempt_at <= now).
CREATE INDEX calls_due ON calls(campaign_id, state, next_attempt_at);
CREATE INDEX calls_contact ON calls(contact_id, campaign_id);
CREATE INDEX calls_provider_call ON calls(provider_call_id) WHERE provider_call_id IS NOT NULL;
CREATE INDEX calls_dispatch_key ON calls(dispatch_key) WHERE dispatch_key IS NOT NULL;

CREATE TABLE attempts (
  id               INTEGER PRIMARY KEY,
  call_id          INTEGER NOT NULL REFERENCES calls(id),
  number           INTEGER NOT NULL,             -- which attempt this try is (1 = first); a try that was
                                                 -- certainly not submitted gives its number back
  dispatch_key     TEXT    NOT NULL,             -- the chunk's idempotency key: one try per call per chunk
  submitted_at     INTEGER NOT NULL,
  provider_call_id TEXT,
  outcome          TEXT,                         -- null while in flight
  detail           TEXT,
  finished_at      INTEGER,
  UNIQUE (call_id, dispatch_key)
);
CREATE INDEX attempts_provider_call ON attempts(provider_call_id) WHERE provider_call_id IS NOT NULL;

-- Outcomes that arrived before the submission answer that names their provider call id (the provider's
-- callback can beat its own HTTP response). Applied when the answer is recorded.
CREATE TABLE early_outcomes (
  provider         TEXT    NOT NULL,
  provider_call_id TEXT    NOT NULL,
  outcome          TEXT    NOT NULL,
  detail           TEXT,
  received_at      INTEGER NOT NULL,
  PRIMARY KEY (provider, provider_call_id)
);

CREATE VIEW campaign_progress AS
SELECT c.id, c.name, c.status, c.provider,
       count(k.id)                                   AS total,
       coalesce(sum(k.state = 'pending'), 0)         AS pending,
       coalesce(sum(k.state = 'dispatching'), 0)     AS dispatching,
       coalesce(sum(k.state = 'in_progress'), 0)     AS in_progress,
       coalesce(sum(k.state = 'completed'), 0)       AS completed,
       coalesce(sum(k.state = 'failed'), 0)          AS failed,
       coalesce(sum(k.state = 'skipped'), 0)         AS skipped,
       coalesce(sum(k.state = 'held'), 0)            AS held,
       coalesce(sum(k.attempts > 0), 0)              AS called
FROM campaigns c LEFT JOIN calls k ON k.campaign_id = c.id
GROUP BY c.id;

CREATE VIEW due_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.next_attempt_at / 1000.0, 'unixepoch') AS due_at
FROM calls k JOIN contacts p ON p.id = k.contact_id JOIN campaigns c ON c.id = k.campaign_id
WHERE k.state = 'pending' AND c.status = 'running'
  AND k.next_attempt_at <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);

CREATE VIEW held_calls AS
SELECT k.id AS call_id, k.campaign_id, p.phone, k.attempts, k.dispatch_key, k.last_error AS reason,
       strftime('%Y-%m-%dT%H:%M:%fZ', k.updated_at / 1000.0, 'unixepoch') AS held_since
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.state = 'held';
)sql",
};

}  // namespace

int schema_version() { return static_cast<int>(kMigrations.size()); }

void migrate(Db& db) {
  auto& q = db.cached("PRAGMA user_version");
  int current = q.step() ? static_cast<int>(q.int64(0)) : 0;
  q.reset();
  if (current > schema_version())
    throw DbError(0, "database schema version " + std::to_string(current) + " is newer than this dialerd (" +
                         std::to_string(schema_version()) + "); upgrade dialerd");
  for (int v = current + 1; v <= schema_version(); ++v) {
    Transaction tx(db);
    db.exec(kMigrations[static_cast<std::size_t>(v - 1)]);
    db.exec("PRAGMA user_version = " + std::to_string(v));
    tx.commit();
  }
}

}  // namespace dialerd::store::sqlite
