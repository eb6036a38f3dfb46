// Reports at scale (issue 21): a database of --campaigns campaigns of --calls calls each, every call with
// one finished attempt spread over --days days, is built in SQL at schema 16 and migrated to 17 (the
// stats backfill is timed: the upgrade an operator with that history would wait for). Then the real daemon
// serves it, and the API's answers an operator's screens and scripts ask for are timed: listings, one
// campaign, a page of its calls, its stats by hour and by day, its CSV report, and a day of the
// workspace's calls as CSV. Medians of --repeat requests each.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "dialerd/http/client.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using namespace dialerd::testing;
using store::sqlite::Db;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Timed {
  int status = 0;
  std::size_t bytes = 0;
  std::size_t lines = 0;
  double ms = 0;
};

Timed get(const DaemonProcess& d, const std::string& path) {
  http::ClientRequest req;
  req.method = "GET";
  req.url = d.url(path);
  req.timeout_ms = 600000;
  req.max_answer_bytes = std::size_t{4} << 30;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = http::fetch_blocking(std::move(req));
  Timed out;
  out.ms = seconds_since(t0) * 1000;
  if (!r) throw std::runtime_error(path + ": " + r.error().message);
  out.status = r->status;
  out.bytes = r->body.size();
  out.lines = static_cast<std::size_t>(std::count(r->body.begin(), r->body.end(), '\n'));
  return out;
}

// The median of `repeat` answers to `path` (each must be 200).
Timed median(const DaemonProcess& d, const std::string& path, int repeat) {
  std::vector<Timed> runs;
  for (int i = 0; i < repeat; ++i) {
    runs.push_back(get(d, path));
    if (runs.back().status != 200) throw std::runtime_error(path + " answered " + std::to_string(runs.back().status));
  }
  std::sort(runs.begin(), runs.end(), [](const Timed& a, const Timed& b) { return a.ms < b.ms; });
  return runs[runs.size() / 2];
}

// The triggers on calls, dropped while the history is written straight into its final states, then made
// again from their own text.
std::vector<std::string> drop_call_triggers(Db& db) {
  std::vector<std::string> sql, names;
  store::sqlite::Stmt q(db.handle(),
                        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'calls'", false);
  while (q.step()) {
    names.push_back(q.text(0));
    sql.push_back(q.text(1));
  }
  q.reset();
  for (const auto& n : names) db.exec("DROP TRIGGER " + n);
  return sql;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"report_bench: reports and listings over a large history"};
  int campaigns = 1000, calls = 10000, days = 30, repeat = 5;
  std::string dir_option;
  cli.add_option("--campaigns", campaigns, "Campaigns")->capture_default_str();
  cli.add_option("--calls", calls, "Calls per campaign, each with one attempt")->capture_default_str();
  cli.add_option("--days", days, "Days the attempts are spread over")->capture_default_str();
  cli.add_option("--repeat", repeat, "Requests per measurement (the median is shown)")->capture_default_str();
  cli.add_option("--dir", dir_option, "Scratch directory (default: a temporary one)");
  CLI11_PARSE(cli, argc, argv);

  TempDir temp;
  const std::string root = dir_option.empty() ? temp.file("bench") : dir_option;
  const std::string state = root + "/state";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(state);
  const std::string path = state + "/dialerd.db";
  const std::int64_t total = std::int64_t{campaigns} * calls;
  const std::int64_t base = 1780000000000;  // 2026-05-28T20:26:40Z: the first attempt
  const std::int64_t span = std::int64_t{days} * 86400000;

  auto t0 = std::chrono::steady_clock::now();
  {
    // A scratch file, written once: no journal and a big cache while it is built (in WAL mode one
    // transaction of this size makes every page lookup search a multi-gigabyte log), WAL afterwards.
    Db db(path, Db::Mode::read_write, 5000);
    db.exec("PRAGMA journal_mode = OFF");
    db.exec("PRAGMA synchronous = OFF");
    db.exec("PRAGMA cache_size = -2000000");
    store::sqlite::migrate(db, 16);
    auto triggers = drop_call_triggers(db);
    db.exec("BEGIN");
    auto& c = db.cached(R"sql(
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1)
INSERT INTO campaigns(workspace, name, agent_id, provider, from_number, schedule_type, concurrency, status,
                      timezone, created_at, updated_at)
SELECT 'default', 'campaign ' || i, 'agent_1', 'sim', '+14155550100', 'immediate', 10, 'completed',
       'America/New_York', ?2, ?2 FROM s)sql");
    c.bind(1, campaigns).bind(2, base).run();
    // Contacts, calls and attempts: 80 % completed, the rest failed after no answer, busy or voicemail.
    auto& p = db.cached(R"sql(
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1)
INSERT INTO contacts(id, workspace, phone, first_name, created_at, updated_at)
SELECT i, 'default', '+1' || (2000000000 + i), 'Person ' || i, ?2, ?2 FROM s)sql");
    p.bind(1, total).bind(2, base).run();
    auto& k = db.cached(R"sql(
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1)
INSERT INTO calls(id, campaign_id, contact_id, state, attempts, next_attempt_at, variables, dispatch_key,
                  provider_call_id, last_outcome, created_at, updated_at)
SELECT i, 1 + (i - 1) / ?2, i, CASE WHEN i % 5 = 0 THEN 'failed' ELSE 'completed' END, 1, ?3,
       '{"first_name":"Person ' || i || '","plan":"gold"}', 'k' || i, 'sim-' || i,
       CASE i % 15 WHEN 0 THEN 'no_answer' WHEN 5 THEN 'busy' WHEN 10 THEN 'voicemail' ELSE 'completed' END,
       ?3, ?3 + (i * 2654435761) % ?4 + 60000 FROM s)sql");
    k.bind(1, total).bind(2, calls).bind(3, base).bind(4, span).run();
    db.exec(R"sql(
INSERT INTO attempts(call_id, campaign_id, contact_id, number, dispatch_key, from_number, submitted_at,
                     provider_call_id, outcome, finished_at, provider)
SELECT id, campaign_id, contact_id, 1, dispatch_key, '+14155550100', updated_at - 60000, provider_call_id,
       last_outcome, updated_at, 'sim' FROM calls ORDER BY id)sql");
    // The counters the dropped triggers would have kept: every call went pending -> dispatching ->
    // in_progress -> completed or failed (counted in one pass; calls has no index on campaign_id alone).
    db.exec("CREATE TEMP TABLE ended AS SELECT campaign_id, state, count(*) AS n FROM calls GROUP BY 1, 2");
    auto& flows = db.cached(R"sql(
UPDATE campaign_flows SET n = ?1, called = CASE WHEN from_state = 'pending' THEN ?1 ELSE called END
WHERE (from_state, to_state) IN (VALUES ('', 'pending'), ('pending', 'dispatching'), ('dispatching', 'in_progress')))sql");
    flows.bind(1, calls).run();
    db.exec(R"sql(
UPDATE campaign_flows SET n = coalesce((SELECT e.n FROM temp.ended e WHERE e.campaign_id = campaign_flows.campaign_id
                                                                    AND e.state = campaign_flows.to_state), 0)
WHERE from_state = 'in_progress' AND to_state IN ('completed', 'failed'))sql");
    for (const auto& t : triggers) db.exec(t);
    db.exec("COMMIT");
    db.exec("PRAGMA journal_mode = WAL");
  }
  const double built_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  {
    Db db(path, Db::Mode::read_write, 5000);
    store::sqlite::migrate(db, 17);
  }
  const double migrate_s = seconds_since(t0);
  const auto db_bytes = std::filesystem::file_size(path);
  std::cout << fmt::format(
      "  history: {} campaigns x {} calls = {} calls and attempts over {} days, built in {:.0f} s ({:.1f} GB)\n"
      "  migration 17 (stats backfill from every attempt): {:.1f} s\n",
      campaigns, calls, total, days, built_s, static_cast<double>(db_bytes) / 1e9, migrate_s);

  json config = {{"state_dir", state}, {"log", {{"level", "warn"}}}, {"providers", {{"sim", {{"kind", "simulator"}}}}}};
  DaemonProcess daemon(temp, config);
  const std::string mid = std::to_string(campaigns / 2 + 1);
  auto iso = [](std::int64_t ms) { return std::to_string(ms); };
  struct Ask {
    std::string what, path;
  };
  const std::vector<Ask> asks = {
      {"GET /v1/campaigns?limit=50 (first page)", "/v1/campaigns?limit=50"},
      {"GET /v1/campaigns?limit=50 (a page in the middle)",
       "/v1/campaigns?limit=50&after=" + std::to_string(campaigns / 2)},
      {"GET /v1/campaigns/{id}", "/v1/campaigns/" + mid},
      {"GET /v1/campaigns/{id}/calls?limit=50", "/v1/campaigns/" + mid + "/calls?limit=50"},
      {"GET /v1/campaigns/{id}/stats (hours, 24 h)", "/v1/campaigns/" + mid +
                                                         "/stats?bucket=hour&from=" + iso(base + span / 2) +
                                                         "&to=" + iso(base + span / 2 + 86400000)},
      {"GET /v1/campaigns/{id}/stats (hours, 31 days)",
       "/v1/campaigns/" + mid + "/stats?bucket=hour&from=" + iso(base) + "&to=" + iso(base + 31 * 86400000LL)},
      {"GET /v1/campaigns/{id}/stats (days, 366 days)",
       "/v1/campaigns/" + mid + "/stats?bucket=day&from=" + iso(base) + "&to=" + iso(base + 366 * 86400000LL)},
      {"GET /v1/campaigns/{id}/report (CSV)", "/v1/campaigns/" + mid + "/report"},
      {"GET /v1/reports/calls (CSV, one day)",
       "/v1/reports/calls?from=" + iso(base + span / 2) + "&to=" + iso(base + span / 2 + 86400000)},
  };
  for (const auto& a : asks) {
    auto m = median(daemon, a.path, repeat);
    std::cout << fmt::format("  {:<52} {:>9.1f} ms  {:>11} bytes", a.what, m.ms, m.bytes);
    if (a.path.find("report") != std::string::npos && m.lines > 1)
      std::cout << fmt::format("  {} rows, {:.0f} rows/s", m.lines - 1, (m.lines - 1) / (m.ms / 1000));
    std::cout << "\n";
  }
  // The console's pages in headless chromium, when scripts/test has installed it and playwright-core.
  const std::string script = DIALERD_SOURCE_DIR "/tests/browser/console.mjs";
  if (!std::filesystem::exists(DIALERD_SOURCE_DIR "/tests/browser/node_modules/playwright-core")) {
    std::cout << "  page loads: skipped (run scripts/test once to install chromium and playwright-core)\n";
    return 0;
  }
  std::string out;
  const std::string call = std::to_string((campaigns / 2) * std::int64_t{calls} + 1);  // the middle campaign's first
  int rc = run_command("node " + script + " --scenario pageload --base " + daemon.url("") + " --arg " + mid +
                           " --call " + call + " 2>&1",
                       out);
  std::cout << out;
  return rc;
}
