#pragma once
// The read-only reporting role of the store: what the API's listings and GET /metrics read, and what
// `dialerctl` and `dialerctl top` show. Every statement they run lives behind it (no SQL outside store/),
// and its interface holds no SQLite type, so another backend can implement it. The daemon reads it over
// its own connection (Store::reports()); dialerctl opens the database file read-only, which is safe while
// the daemon runs.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/store/claims.hpp"

namespace dialerd::store {

// Rows of cells in the order of their columns, as dialerctl prints them (a table or JSON objects).
struct Table {
  using Cell = std::variant<std::monostate, std::int64_t, std::string>;  // monostate: NULL
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

// One running, paused or scheduled campaign's counts, and its calls submitted in (from, to].
struct CampaignActivity {
  domain::CampaignId id = 0;
  std::string name;
  std::string status;
  std::int64_t concurrency = 1;
  std::optional<domain::UnixMs> trigger_at;  // a scheduled campaign's start time
  domain::CallCounts counts;
  std::int64_t submitted = 0;
};

// A call's campaign, state and workspace.
struct CallRef {
  domain::CallId id = 0;
  domain::CampaignId campaign_id = 0;
  domain::CallState state = domain::CallState::pending;
  std::string workspace;
};

// One call in full, for GET /v1/calls/{id}.
struct AttemptRecord {
  int number = 0;
  std::string dispatch_key, from_number, provider_call_id, outcome, detail;
  domain::UnixMs submitted_at = 0;
  std::optional<domain::UnixMs> finished_at;
};
struct CallDetail {
  Candidate candidate;  // the call as a claim would see it
  domain::CampaignId campaign_id = 0;
  domain::CallState state = domain::CallState::pending;
  int attempts = 0;
  domain::UnixMs next_attempt_at = 0, created_at = 0, updated_at = 0;
  std::optional<std::string> last_outcome, last_error, provider_call_id;
  int priority = 0;
  std::vector<AttemptRecord> history;
};

// Reports (issue 21, docs/API.md "Reports"): each campaign's attempts and outcomes are counted per 15-minute slot
// of UTC (schedule::kSlotMs) as they happen; every zone's offset is a multiple of 15 minutes, so slots add
// up to exact local hours and days (schedule/buckets.hpp).
struct StatSlot {
  domain::UnixMs slot = 0;  // the slot's start
  std::string kind;         // "submitted", an attempt's outcome, or "operator" (a held call failed by hand)
  std::int64_t n = 0;       // attempts submitted (kind "submitted") or finished with this outcome
  std::int64_t completed = 0, failed = 0;  // of them, the calls that ended completed or failed
};

// One call as a report lists it.
struct ReportRow {
  domain::CampaignId campaign_id = 0;
  std::string campaign_name;
  domain::CallId call_id = 0;
  std::string phone;
  std::optional<std::string> external_id, first_name, last_name;
  std::string variables;  // the call's variables, a JSON object
  domain::CallState state = domain::CallState::pending;
  int attempts = 0;
  std::optional<std::string> last_outcome, reason, provider_call_id;  // reason: the call's last_error
  domain::UnixMs next_attempt_at = 0, created_at = 0, updated_at = 0;
  std::optional<domain::UnixMs> last_attempt_at;
  int priority = 0;
};
// A report's rows read from one snapshot of the database, a page at a time: its own connection holds one
// read transaction from its start to its end, so while the daemon goes on writing no call is listed twice
// or left out. Pages may be read with other work between them.
class ReportRows {
 public:
  virtual ~ReportRows() = default;
  // Up to `limit` more rows, after reading a bounded number (rows passed over included), so a page takes a
  // bounded time: a page may be short, or empty, before the end. done() says when the end is reached.
  virtual std::vector<ReportRow> next(int limit) = 0;
  virtual bool done() const = 0;
};

class Reports {
 public:
  virtual ~Reports() = default;

  // --- The API's listings and lookups, and GET /metrics (typed) ---

  // Campaign ids of a workspace in id order after `after_id`, optionally of one status.
  virtual std::vector<domain::CampaignId> campaign_ids(const std::string& workspace,
                                                       std::optional<domain::CampaignStatus> status,
                                                       domain::CampaignId after_id, int limit) = 0;
  // One call of a campaign's listing.
  struct CallSummary {
    domain::CallId id = 0;
    std::string phone;
    domain::CallState state = domain::CallState::pending;
    int attempts = 0;
    domain::UnixMs next_attempt_at = 0, created_at = 0, updated_at = 0;
    std::optional<std::string> last_outcome, last_error, provider_call_id;
    int priority = 0;
  };
  // Where a page ends: the last call's state, its key within the state (cursor_key) and id.
  struct CallCursor {
    std::string state;  // "" sorts before every state
    std::int64_t key = std::numeric_limits<std::int64_t>::min();
    domain::CallId id = 0;
  };
  // A page of a campaign's calls after `after`: of one state, or of every state grouped by state in
  // alphabetical order. Within a state: pending calls in due order (next_attempt_at, id), calls in
  // progress by (updated_at, id), the others by id.
  virtual std::vector<CallSummary> campaign_calls(domain::CampaignId id, std::optional<domain::CallState> state,
                                                  const CallCursor& after, int limit) = 0;
  // A call's position within its state's order: next_attempt_at (pending), updated_at (in progress), else 0.
  static std::int64_t cursor_key(const CallSummary& c);
  // A pending call's place in the due order.
  struct DueKey {
    domain::UnixMs next_attempt_at = 0;
    domain::CallId call_id = 0;
  };
  // The next `limit` pending calls of the campaign in due order after `after` (from the start if none),
  // read from the index alone: the forecast samples a campaign a page at a time.
  virtual std::vector<DueKey> pending_page(domain::CampaignId id, std::optional<DueKey> after, int limit) = 0;
  // The same page with each call as the claim judges it (the preflight); a row that cannot be read comes
  // with no candidate and the reason.
  struct PendingCandidate {
    DueKey key;
    std::optional<Candidate> candidate;
    std::string unreadable;
  };
  virtual std::vector<PendingCandidate> pending_candidates(const domain::Campaign& campaign,
                                                           std::optional<DueKey> after, int limit) = 0;
  virtual std::optional<CallRef> call_ref(domain::CallId id) = 0;
  // The call if its campaign belongs to `workspace`: nothing alike for a missing id and another workspace's.
  virtual std::optional<CallRef> call_ref(const std::string& workspace, domain::CallId id) = 0;
  virtual std::optional<CallDetail> call_detail(domain::CallId id) = 0;
  // A call's phone number, its contact's timezone and its priority.
  struct CallPlace {
    std::string phone;
    std::optional<std::string> timezone;
    int priority = 0;
  };
  virtual std::optional<CallPlace> call_place(domain::CallId id) = 0;
  // How many of the campaign's due calls a claim would take before a due pending call with this priority
  // and due key (the claim's order, claims.hpp, leaving out the fair turns), counted up to `cap`: the
  // explanation's "calls ahead". Costs a seek per priority level and the calls counted.
  virtual std::int64_t due_ahead(domain::CampaignId id, int priority, DueKey key, domain::UnixMs now,
                                 std::int64_t cap) = 0;
  // Calls by state (and "called") and campaigns by status, over the whole database.
  virtual std::vector<std::pair<std::string, std::int64_t>> call_totals() = 0;
  virtual std::vector<std::pair<std::string, std::int64_t>> campaign_totals() = 0;
  // Webhook events neither delivered nor abandoned.
  virtual std::int64_t webhook_backlog() = 0;
  // Whether the database answers a query (for readiness).
  virtual bool ping() = 0;

  // --- Reports (issue 21) ---

  // A campaign's slots in [from, to) after (after_slot, after_kind), in (slot, kind) order, at most `limit`:
  // start with (from, "").
  virtual std::vector<StatSlot> campaign_stats(domain::CampaignId id, domain::UnixMs from, domain::UnixMs to,
                                               domain::UnixMs after_slot, const std::string& after_kind, int limit) = 0;
  // Every call of the campaign, grouped by state in the order of campaign_calls (alphabetical; pending
  // calls in due order, calls in progress by the time they went out, the others by id).
  virtual std::unique_ptr<ReportRows> campaign_report(domain::CampaignId id) = 0;
  // The calls of the workspace's campaigns with an attempt submitted in [from, to), each once: campaign by
  // campaign (in id order), in the order of their first attempt in the range.
  virtual std::unique_ptr<ReportRows> workspace_report(const std::string& workspace, domain::UnixMs from,
                                                       domain::UnixMs to) = 0;

  // --- dialerctl and dialerctl top (rows as printed) ---

  virtual std::int64_t schema_version() = 0;
  // Campaigns per status; calls per state across campaigns ("called" last).
  virtual Table campaigns_by_status() = 0;
  virtual Table calls_by_state() = 0;
  // Each campaign's progress, optionally of one status only.
  virtual Table campaign_progress(const std::optional<std::string>& status) = 0;
  // One campaign's settings and counts: no row when there is no such campaign.
  virtual Table campaign_detail(domain::CampaignId id) = 0;
  // A campaign's calls after id `after`, at most `limit`, optionally in one state.
  virtual Table calls_table(domain::CampaignId id, const std::optional<std::string>& state, domain::CallId after,
                            std::int64_t limit) = 0;
  // Calls held for review, optionally of one campaign.
  virtual Table held_calls(std::optional<domain::CampaignId> campaign) = 0;
  // The campaigns that can still place calls, with their calls submitted in (from, to] (dialerctl top).
  virtual std::vector<CampaignActivity> open_campaigns(domain::UnixMs from, domain::UnixMs to) = 0;
};

// The SQLite reports over the database file at `path`, opened read-only.
std::unique_ptr<Reports> open_sqlite_reports(const std::string& path, int busy_timeout_ms);

}  // namespace dialerd::store
