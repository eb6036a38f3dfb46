#pragma once
// The read-only reporting role of the store: what `dialerctl` and `dialerctl top` show. Every statement
// they run lives behind it (no SQL outside store/), and its interface holds no SQLite type, so another
// backend can implement it. The SQLite implementation opens the database file read-only, which is safe
// while the daemon runs.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dialerd/domain/campaign.hpp"

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

class Reports {
 public:
  virtual ~Reports() = default;
  virtual std::int64_t schema_version() = 0;
  // Campaigns per status; calls per state across campaigns ("called" last).
  virtual Table campaigns_by_status() = 0;
  virtual Table calls_by_state() = 0;
  // Each campaign's progress, optionally of one status only.
  virtual Table campaign_progress(const std::optional<std::string>& status) = 0;
  // One campaign's settings and counts: no row when there is no such campaign.
  virtual Table campaign_detail(domain::CampaignId id) = 0;
  // A campaign's calls after id `after`, at most `limit`, optionally in one state.
  virtual Table campaign_calls(domain::CampaignId id, const std::optional<std::string>& state, domain::CallId after,
                               std::int64_t limit) = 0;
  // Calls held for review, optionally of one campaign.
  virtual Table held_calls(std::optional<domain::CampaignId> campaign) = 0;
  // The campaigns that can still place calls, with their calls submitted in (from, to] (dialerctl top).
  virtual std::vector<CampaignActivity> open_campaigns(domain::UnixMs from, domain::UnixMs to) = 0;
};

// The SQLite reports over the database file at `path`, opened read-only.
std::unique_ptr<Reports> open_sqlite_reports(const std::string& path, int busy_timeout_ms);

}  // namespace dialerd::store
