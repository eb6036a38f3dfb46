// store::Reports over SQLite: the statements dialerctl and dialerctl top run, on a read-only connection.
#include "dialerd/store/reports.hpp"

#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::store {
namespace {

using sqlite::Db;
using sqlite::Stmt;

constexpr const char* kSchemaVersion = "PRAGMA user_version";
constexpr const char* kCampaignsByStatus = "SELECT status, count(*) AS campaigns FROM campaigns GROUP BY status";
constexpr const char* kCallsByState = R"sql(
SELECT state, sum(n) AS calls FROM campaign_counters GROUP BY state
ORDER BY CASE state WHEN 'called' THEN 1 ELSE 0 END, state)sql";
constexpr const char* kProgress = R"sql(
SELECT id, name, status, provider, total, pending, dispatching + in_progress AS in_flight, completed, failed,
       skipped, held, called
FROM campaign_progress WHERE (?1 IS NULL OR status = ?1) ORDER BY id)sql";
constexpr const char* kProgressOne = R"sql(
SELECT p.id, p.name, p.status, p.provider, c.agent_id, c.from_number, c.schedule_type,
       strftime('%Y-%m-%dT%H:%M:%SZ', c.trigger_at / 1000.0, 'unixepoch') AS trigger_at, c.timezone,
       c.concurrency, c.retry_attempts, c.retry_delay_s, p.total, p.pending, p.dispatching, p.in_progress,
       p.completed, p.failed, p.skipped, p.held, p.called,
       strftime('%Y-%m-%dT%H:%M:%SZ', c.created_at / 1000.0, 'unixepoch') AS created_at
FROM campaign_progress p JOIN campaigns c ON c.id = p.id WHERE p.id = ?1)sql";
constexpr const char* kCalls = R"sql(
SELECT k.id, p.phone, k.state, k.attempts,
       strftime('%Y-%m-%dT%H:%M:%SZ', k.next_attempt_at / 1000.0, 'unixepoch') AS next_attempt_at,
       k.last_outcome, k.last_error, k.provider_call_id
FROM calls k JOIN contacts p ON p.id = k.contact_id
WHERE k.campaign_id = ?1 AND (?2 IS NULL OR k.state = ?2) AND k.id > ?3
ORDER BY k.id LIMIT ?4)sql";
constexpr const char* kHeld = R"sql(
SELECT call_id, campaign_id, phone, attempts, held_since, reason FROM held_calls
WHERE (?1 IS NULL OR campaign_id = ?1) ORDER BY call_id)sql";
// The same counts as the campaign_progress view, read from campaign_counters directly: the view groups
// every campaign ever made before it is filtered, and top reads this every refresh.
constexpr const char* kOpenCampaigns = R"sql(
SELECT c.id, c.name, c.status, c.concurrency, c.trigger_at,
       sum(k.n) FILTER (WHERE k.state = 'pending')     AS pending,
       sum(k.n) FILTER (WHERE k.state = 'dispatching') AS dispatching,
       sum(k.n) FILTER (WHERE k.state = 'in_progress') AS in_progress,
       sum(k.n) FILTER (WHERE k.state = 'completed')   AS completed,
       sum(k.n) FILTER (WHERE k.state = 'failed')      AS failed,
       sum(k.n) FILTER (WHERE k.state = 'skipped')     AS skipped,
       sum(k.n) FILTER (WHERE k.state = 'held')        AS held,
       (SELECT count(*) FROM attempts a
        WHERE a.campaign_id = c.id AND a.submitted_at > ?1 AND a.submitted_at <= ?2
          AND (a.outcome IS NULL OR a.outcome <> 'not_submitted')) AS submitted
FROM campaigns c JOIN campaign_counters k ON k.campaign_id = c.id
WHERE c.status IN ('running', 'paused', 'scheduled')
GROUP BY c.id ORDER BY c.id)sql";

// Every row of `s`, its cells typed as SQLite stored them; then resets.
Table table_of(Stmt& s) {
  Table t;
  for (int i = 0; i < s.column_count(); ++i) t.columns.push_back(s.column_name(i));
  while (s.step()) {
    std::vector<Table::Cell> row;
    for (int i = 0; i < s.column_count(); ++i) {
      if (s.is_null(i))
        row.emplace_back(std::monostate{});
      else if (s.is_integer(i))
        row.emplace_back(s.int64(i));
      else
        row.emplace_back(s.text(i));
    }
    t.rows.push_back(std::move(row));
  }
  s.reset();
  return t;
}

class SqliteReports final : public Reports {
 public:
  SqliteReports(const std::string& path, int busy_timeout_ms) : db_(path, Db::Mode::read_only, busy_timeout_ms) {}

  std::int64_t schema_version() override { return db_.cached(kSchemaVersion).first_int64().value_or(0); }
  Table campaigns_by_status() override { return table_of(db_.cached(kCampaignsByStatus)); }
  Table calls_by_state() override { return table_of(db_.cached(kCallsByState)); }
  Table campaign_progress(const std::optional<std::string>& status) override {
    return table_of(db_.cached(kProgress).bind(1, status));
  }
  Table campaign_detail(domain::CampaignId id) override { return table_of(db_.cached(kProgressOne).bind(1, id)); }
  Table campaign_calls(domain::CampaignId id, const std::optional<std::string>& state, domain::CallId after,
                       std::int64_t limit) override {
    auto& s = db_.cached(kCalls);
    s.bind(1, id).bind(2, state).bind(3, after).bind(4, limit);
    return table_of(s);
  }
  Table held_calls(std::optional<domain::CampaignId> campaign) override {
    return table_of(db_.cached(kHeld).bind(1, campaign));
  }
  std::vector<CampaignActivity> open_campaigns(domain::UnixMs from, domain::UnixMs to) override {
    auto& s = db_.cached(kOpenCampaigns);
    s.bind(1, from).bind(2, to);
    std::vector<CampaignActivity> rows;
    while (s.step()) {
      CampaignActivity r;
      r.id = s.int64("id");
      r.name = s.text("name");
      r.status = s.text("status");
      r.concurrency = s.int64("concurrency");
      r.trigger_at = s.opt_int64("trigger_at");
      r.counts.pending = s.int64("pending");
      r.counts.dispatching = s.int64("dispatching");
      r.counts.in_progress = s.int64("in_progress");
      r.counts.completed = s.int64("completed");
      r.counts.failed = s.int64("failed");
      r.counts.skipped = s.int64("skipped");
      r.counts.held = s.int64("held");
      r.submitted = s.int64("submitted");
      rows.push_back(std::move(r));
    }
    s.reset();
    return rows;
  }

 private:
  Db db_;
};

}  // namespace

std::unique_ptr<Reports> open_sqlite_reports(const std::string& path, int busy_timeout_ms) {
  return std::make_unique<SqliteReports>(path, busy_timeout_ms);
}

}  // namespace dialerd::store
