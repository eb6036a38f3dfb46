// store::Reports over SQLite: the API's listings and lookups and GET /metrics over the daemon's connection
// (their statements are in queue_sql.hpp), and what dialerctl and dialerctl top run, on a read-only
// connection (their statements are here).
#include "dialerd/store/reports.hpp"

#include <sqlite3.h>

#include <functional>
#include <limits>

#include "dialerd/schedule/buckets.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/store/sqlite/db.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {
namespace {

using namespace domain;
using sqlite::Db;
using sqlite::Stmt;
using namespace sql;

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
  // Over the database file at `path`, opened read-only.
  SqliteReports(const std::string& path, int busy_timeout_ms)
      : owned_(std::make_unique<Db>(path, Db::Mode::read_only, busy_timeout_ms)), db_(*owned_) {}
  // Over a connection the caller keeps open.
  explicit SqliteReports(Db& db) : db_(db) {}

  std::vector<CampaignId> campaign_ids(const std::string& workspace, std::optional<CampaignStatus> status,
                                       CampaignId after_id, int limit) override;
  std::vector<CallSummary> campaign_calls(CampaignId id, std::optional<CallState> state, const CallCursor& after,
                                          int limit) override;
  std::vector<DueKey> pending_page(CampaignId id, std::optional<DueKey> after, int limit) override;
  std::vector<PendingCandidate> pending_candidates(const Campaign& campaign, std::optional<DueKey> after,
                                                   int limit) override;
  std::optional<CallRef> call_ref(CallId id) override;
  std::optional<CallRef> call_ref(const std::string& workspace, CallId id) override;
  std::optional<CallDetail> call_detail(CallId id) override;
  std::optional<CallPlace> call_place(CallId id) override;
  std::int64_t due_ahead(CampaignId id, int priority, DueKey key, UnixMs now, std::int64_t cap) override;
  std::vector<std::pair<std::string, std::int64_t>> call_totals() override;
  std::vector<std::pair<std::string, std::int64_t>> campaign_totals() override;
  std::int64_t webhook_backlog() override;
  bool ping() override;
  std::vector<StatSlot> campaign_stats(CampaignId id, UnixMs from, UnixMs to, UnixMs after_slot,
                                       const std::string& after_kind, int limit) override;
  std::unique_ptr<ReportRows> campaign_report(CampaignId id) override;
  std::unique_ptr<ReportRows> workspace_report(const std::string& workspace, UnixMs from, UnixMs to) override;

  std::int64_t schema_version() override { return db_.cached(kSchemaVersion).first_int64().value_or(0); }
  Table campaigns_by_status() override { return table_of(db_.cached(kCampaignsByStatus)); }
  Table calls_by_state() override { return table_of(db_.cached(kCallsByState)); }
  Table campaign_progress(const std::optional<std::string>& status) override {
    return table_of(db_.cached(kProgress).bind(1, status));
  }
  Table campaign_detail(domain::CampaignId id) override { return table_of(db_.cached(kProgressOne).bind(1, id)); }
  Table calls_table(domain::CampaignId id, const std::optional<std::string>& state, domain::CallId after,
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
  std::unique_ptr<Db> owned_;
  Db& db_;
};

// Where a call stands, the columns a listing's summary and a call's detail share.
template <class Call>
void read_progress(const Stmt& q, CallId id, Call& c) {
  c.state = stored_call_state(q.text("state"), id);
  c.attempts = static_cast<int>(q.int64("attempts"));
  c.next_attempt_at = q.int64("next_attempt_at");
  c.last_outcome = q.opt_text("last_outcome");
  c.last_error = q.opt_text("last_error");
  c.provider_call_id = q.opt_text("provider_call_id");
  c.created_at = q.int64("created_at");
  c.updated_at = q.int64("updated_at");
  c.priority = static_cast<int>(q.int64("priority"));
}

std::vector<CampaignId> SqliteReports::campaign_ids(const std::string& workspace, std::optional<CampaignStatus> status,
                                                    CampaignId after_id, int limit) {
  auto& q = db_.cached(kListCampaigns);
  if (status)
    q.bind(1, to_string(*status));
  else
    q.bind_null(1);
  return q.bind(2, after_id).bind(3, limit).bind(4, workspace).all_int64();
}

namespace {
// Each state's listing, in the order an unfiltered listing visits them (alphabetical, as before migration 4).
struct StateListing {
  CallState state;
  const char* sql;
};
constexpr StateListing kStateListings[] = {
    {CallState::completed, kListCompleted},    {CallState::dispatching, kListDispatching},
    {CallState::failed, kListFailed},          {CallState::held, kListHeld},
    {CallState::in_progress, kListInProgress}, {CallState::pending, kListPending},
    {CallState::skipped, kListSkipped}};
}  // namespace

std::vector<Reports::CallSummary> SqliteReports::campaign_calls(CampaignId id, std::optional<CallState> state,
                                                                const CallCursor& after, int limit) {
  std::vector<CallSummary> out;
  for (const auto& listing : kStateListings) {
    if (state && listing.state != *state) continue;
    const std::string name(to_string(listing.state));
    if (!state && name < after.state) continue;  // the cursor's state and the ones after it
    const bool continues = name == after.state;
    auto& q = db_.cached(listing.sql);
    sqlite::ResetOnExit done(q);
    q.bind(1, id)
        .bind(2, continues ? after.key : std::numeric_limits<UnixMs>::min())
        .bind(3, continues ? after.id : std::int64_t{0})
        .bind(4, limit - static_cast<int>(out.size()));
    while (q.step()) {
      CallSummary c;
      c.id = q.int64("id");
      c.phone = q.text("phone");
      read_progress(q, c.id, c);
      out.push_back(std::move(c));
    }
    if (static_cast<int>(out.size()) >= limit) break;
  }
  return out;
}

namespace {
std::vector<std::pair<std::string, std::int64_t>> text_counts(Stmt& q) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (q.step()) out.emplace_back(q.text(0), q.int64(1));
  q.reset();
  return out;
}
}  // namespace

std::vector<std::pair<std::string, std::int64_t>> SqliteReports::call_totals() {
  return text_counts(db_.cached(kCallTotals));
}
std::vector<std::pair<std::string, std::int64_t>> SqliteReports::campaign_totals() {
  return text_counts(db_.cached(kCampaignTotals));
}

std::optional<CallRef> SqliteReports::call_ref(CallId id) {
  auto& s = db_.cached(kSelectCall);
  s.bind(1, id);
  sqlite::ResetOnExit done(s);
  std::optional<CallRef> out;
  if (s.step())
    out = CallRef{s.int64("id"), s.int64("campaign_id"), stored_call_state(s.text("state"), s.int64("id")),
                  s.text("workspace")};
  return out;
}

std::optional<CallRef> SqliteReports::call_ref(const std::string& workspace, CallId id) {
  auto& s = db_.cached(kSelectWorkspaceCall);
  s.bind(1, id).bind(2, workspace);
  sqlite::ResetOnExit done(s);
  std::optional<CallRef> out;
  if (s.step())
    out = CallRef{s.int64("id"), s.int64("campaign_id"), stored_call_state(s.text("state"), s.int64("id")),
                  s.text("workspace")};
  return out;
}

std::vector<Reports::DueKey> SqliteReports::pending_page(CampaignId id, std::optional<DueKey> after, int limit) {
  auto& q = db_.cached(kPendingPage);
  q.bind(1, id).bind(2, after ? after->next_attempt_at : std::numeric_limits<UnixMs>::min());
  q.bind(3, after ? after->call_id : std::numeric_limits<CallId>::min()).bind(4, limit);
  std::vector<DueKey> out;
  while (q.step()) out.push_back({q.int64("next_attempt_at"), q.int64("id")});
  return out;
}

std::vector<Reports::PendingCandidate> SqliteReports::pending_candidates(const Campaign& campaign,
                                                                         std::optional<DueKey> after, int limit) {
  auto& q = db_.cached(kPendingCandidates);
  q.bind(1, campaign.id).bind(2, after ? after->next_attempt_at : std::numeric_limits<UnixMs>::min());
  q.bind(3, after ? after->call_id : std::numeric_limits<CallId>::min()).bind(4, limit);
  std::vector<PendingCandidate> out;
  while (q.step()) {
    PendingCandidate p;
    p.key = {q.int64("next_attempt_at"), q.int64("id")};
    try {
      p.candidate = read_candidate(q, campaign.spec.retry_attempts);
    } catch (const CorruptRow& e) {
      p.unreadable = e.what();
    }
    out.push_back(std::move(p));
  }
  q.reset();
  return out;
}

std::optional<Reports::CallPlace> SqliteReports::call_place(CallId id) {
  auto& q = db_.cached(kCallPlace);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  CallPlace out{q.text("phone"), q.opt_text("timezone"), static_cast<int>(q.int64("priority"))};
  q.reset();
  return out;
}

std::int64_t SqliteReports::due_ahead(CampaignId id, int priority, DueKey key, UnixMs now, std::int64_t cap) {
  std::int64_t n = 0;
  // Every due call of a higher level, highest first, then the calls of its own level due before it.
  for (std::int64_t level = kMaxPriority + 1; n < cap;) {
    auto below = db_.cached(kPriorityBelow).bind(1, id).bind(2, level).first_int64();
    if (!below || *below <= priority) break;
    level = *below;
    n += db_.cached(kDueAheadRanked)
             .bind(1, id)
             .bind(2, level)
             .bind(3, now)
             .bind(4, std::numeric_limits<CallId>::max())
             .bind(5, cap - n)
             .first_int64()
             .value_or(0);
  }
  if (n >= cap) return cap;
  auto& own = db_.cached(priority > 0 ? kDueAheadRanked : kDueAheadUnranked);
  if (priority > 0)
    own.bind(1, id).bind(2, priority).bind(3, key.next_attempt_at).bind(4, key.call_id).bind(5, cap - n);
  else
    own.bind(1, id).bind(2, key.next_attempt_at).bind(3, key.call_id).bind(4, cap - n);
  return n + own.first_int64().value_or(0);
}

std::optional<CallDetail> SqliteReports::call_detail(CallId id) {
  auto& q = db_.cached(kCallDetail);
  q.bind(1, id);
  sqlite::ResetOnExit done(q);
  if (!q.step()) return std::nullopt;
  CallDetail d;
  d.candidate = read_candidate(q, -1);
  d.campaign_id = q.int64("campaign_id");
  read_progress(q, d.candidate.call.id, d);
  q.reset();
  auto& a = db_.cached(kAttemptsOfCall);
  a.bind(1, id);
  while (a.step())
    d.history.push_back({static_cast<int>(a.int64("number")), a.text("dispatch_key"),
                         a.opt_text("from_number").value_or(""), a.opt_text("provider_call_id").value_or(""),
                         a.opt_text("outcome").value_or(""), a.opt_text("detail").value_or(""), a.int64("submitted_at"),
                         a.opt_int64("finished_at")});
  return d;
}

bool SqliteReports::ping() {
  try {
    return db_.cached("SELECT count(*) FROM campaigns WHERE id = 0").first_int64().has_value();
  } catch (const std::exception&) {
    return false;
  }
}

std::int64_t SqliteReports::webhook_backlog() {
  return db_.cached(kWebhookBacklog).first_int64().value_or(0);
}

}  // namespace

std::int64_t Reports::cursor_key(const CallSummary& c) {
  if (c.state == CallState::pending) return c.next_attempt_at;
  if (c.state == CallState::in_progress) return c.updated_at;
  return 0;
}

std::vector<StatSlot> SqliteReports::campaign_stats(CampaignId id, UnixMs from, UnixMs to, UnixMs after_slot,
                                                    const std::string& after_kind, int limit) {
  auto& q = db_.cached(kStatSlots);
  sqlite::ResetOnExit done(q);
  q.bind(1, id).bind(2, std::max(from, after_slot)).bind(3, after_slot < from ? std::string() : after_kind);
  q.bind(4, to).bind(5, limit);
  std::vector<StatSlot> out;
  while (q.step())
    out.push_back({q.int64("slot"), q.text("kind"), q.int64("n"), q.int64("completed"), q.int64("failed")});
  return out;
}

namespace {

static_assert(schedule::kSlotMs == 900000, "the slot length the statements spell out (migration 17)");

// ReportRows over a connection of its own, in one read transaction, running its statements one after
// the other.
class SnapshotRows final : public ReportRows {
 public:
  // Prepares the next statement to run (bound), or nothing when all have run.
  using NextStatement = std::function<std::unique_ptr<Stmt>(Db&)>;

  SnapshotRows(const std::string& path, NextStatement next)
      : db_(path, Db::Mode::read_only, kSnapshotBusyTimeoutMs), next_statement_(std::move(next)) {
    db_.exec("BEGIN");
    // The snapshot is taken at the first read: now, not when the first page is asked for.
    db_.cached("SELECT count(*) FROM campaigns WHERE id = 0").first_int64();
  }
  ~SnapshotRows() override {
    current_.reset();
    try {
      db_.exec("COMMIT");
    } catch (const std::exception&) {  // a read transaction has nothing to lose; the connection closes
    }
  }

  std::vector<ReportRow> next(int limit) override {
    std::vector<ReportRow> out;
    // Rows passed over and statements begun count too, so one page costs a bounded time on the loop.
    for (int budget = kRowsPerPage; static_cast<int>(out.size()) < limit && budget > 0 && !done_; --budget) {
      if (!current_) {
        if (!(current_ = next_statement_(db_))) done_ = true;
        continue;
      }
      if (!current_->step()) {
        current_.reset();
        continue;
      }
      if (current_->int64("later_attempt") == 0) out.push_back(read(*current_));
    }
    return out;
  }
  bool done() const override { return done_; }

 private:
  // Opened on the loop: a lock (a checkpoint restarting the log) is waited for as briefly as the daemon's
  // other store calls wait; past it the request answers 503 and may be asked again.
  static constexpr int kSnapshotBusyTimeoutMs = kLoopLockWaitMs;
  static constexpr int kRowsPerPage = 5000;

  static ReportRow read(const Stmt& q) {
    ReportRow r;
    r.campaign_id = q.int64("campaign_id");
    r.campaign_name = q.text("campaign_name");
    r.call_id = q.int64("id");
    r.phone = q.text("phone");
    r.external_id = q.opt_text("external_id");
    r.first_name = q.opt_text("first_name");
    r.last_name = q.opt_text("last_name");
    r.variables = q.opt_text("variables").value_or("{}");
    r.state = stored_call_state(q.text("state"), r.call_id);
    r.attempts = static_cast<int>(q.int64("attempts"));
    r.last_outcome = q.opt_text("last_outcome");
    r.reason = q.opt_text("last_error");
    r.provider_call_id = q.opt_text("provider_call_id");
    r.next_attempt_at = q.int64("next_attempt_at");
    r.created_at = q.int64("created_at");
    r.updated_at = q.int64("updated_at");
    r.last_attempt_at = q.opt_int64("last_attempt_at");
    r.priority = static_cast<int>(q.int64("priority"));
    return r;
  }

  Db db_;
  NextStatement next_statement_;
  std::unique_ptr<Stmt> current_;
  bool done_ = false;
};

std::string database_path(const Db& db) {
  const char* path = sqlite3_db_filename(db.handle(), "main");
  if (!path || !*path) throw sqlite::DbError(0, "a report needs a database file (this one is in memory)");
  return path;
}

}  // namespace

std::unique_ptr<ReportRows> SqliteReports::campaign_report(CampaignId id) {
  std::size_t state = 0;
  return std::make_unique<SnapshotRows>(database_path(db_), [id, state](Db& db) mutable -> std::unique_ptr<Stmt> {
    if (state >= std::size(kReportStates)) return nullptr;
    auto q = std::make_unique<Stmt>(db.handle(), kReportStates[state++], false);
    q->bind(1, id);
    return q;
  });
}

std::unique_ptr<ReportRows> SqliteReports::workspace_report(const std::string& workspace, UnixMs from, UnixMs to) {
  // The campaigns are read in the snapshot, with the first statement.
  std::optional<std::vector<CampaignId>> campaigns;
  std::size_t next = 0;
  return std::make_unique<SnapshotRows>(database_path(db_), [=](Db& db) mutable -> std::unique_ptr<Stmt> {
    if (!campaigns) {
      Stmt ids(db.handle(), kWorkspaceCampaignIds, false);
      ids.bind(1, workspace);
      campaigns = ids.all_int64();
    }
    if (next >= campaigns->size()) return nullptr;
    auto q = std::make_unique<Stmt>(db.handle(), kReportAttempted, false);
    q->bind(1, (*campaigns)[next++]).bind(2, from).bind(3, to);
    return q;
  });
}

std::unique_ptr<Reports> sqlite_reports(Db& db) {
  return std::make_unique<SqliteReports>(db);
}

std::unique_ptr<Reports> open_sqlite_reports(const std::string& path, int busy_timeout_ms) {
  return std::make_unique<SqliteReports>(path, busy_timeout_ms);
}

}  // namespace dialerd::store
