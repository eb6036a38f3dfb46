// dialerctl: inspects dialerd's SQLite queue, read-only and safe while the daemon runs.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dialerd/store/sqlite/db.hpp"

namespace {

using dialerd::store::sqlite::Db;
using json = nlohmann::json;

constexpr const char* kProgress =
    "SELECT id, name, status, provider, total, pending, dispatching, in_progress, completed, failed, skipped, held, "
    "called FROM campaign_progress ORDER BY id";
constexpr const char* kProgressOne =
    "SELECT id, name, status, provider, total, pending, dispatching, in_progress, completed, failed, skipped, held, "
    "called FROM campaign_progress WHERE id = ?1";
const char* const kColumns[] = {"id",        "name",   "status", "provider", "total", "pending", "dispatching",
                                "in_progress", "completed", "failed", "skipped", "held", "called"};

json row(const dialerd::store::sqlite::Stmt& s) {
  json j;
  for (int i = 0; i < 13; ++i) {
    if (i == 1 || i == 2 || i == 3)
      j[kColumns[i]] = s.text(i);
    else
      j[kColumns[i]] = s.int64(i);
  }
  return j;
}

void print_table(const json& rows) {
  std::cout << fmt::format("{:>6}  {:<24} {:<10} {:<12} {:>8} {:>8} {:>8} {:>9} {:>8} {:>6} {:>8}\n", "ID", "NAME",
                           "STATUS", "PROVIDER", "TOTAL", "PENDING", "INFLIGHT", "COMPLETED", "FAILED", "HELD", "CALLED");
  for (const auto& r : rows) {
    std::cout << fmt::format("{:>6}  {:<24} {:<10} {:<12} {:>8} {:>8} {:>8} {:>9} {:>8} {:>6} {:>8}\n",
                             r["id"].get<std::int64_t>(), r["name"].get<std::string>().substr(0, 24),
                             r["status"].get<std::string>(), r["provider"].get<std::string>().substr(0, 12),
                             r["total"].get<std::int64_t>(), r["pending"].get<std::int64_t>(),
                             r["dispatching"].get<std::int64_t>() + r["in_progress"].get<std::int64_t>(),
                             r["completed"].get<std::int64_t>(), r["failed"].get<std::int64_t>(),
                             r["held"].get<std::int64_t>(), r["called"].get<std::int64_t>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"dialerctl: inspect dialerd's queue (read-only)"};
  std::string db_path = "./var/dialerd.db";
  bool as_json = false;
  cli.add_option("--db", db_path, "Path to dialerd.db")->capture_default_str();
  cli.add_flag("--json", as_json, "Print JSON instead of a table");
  cli.require_subcommand(1);
  cli.fallthrough();  // --db and --json may follow the subcommand
  auto* campaigns = cli.add_subcommand("campaigns", "List campaigns with their progress");
  std::int64_t id = 0;
  auto* campaign = cli.add_subcommand("campaign", "One campaign's progress");
  campaign->add_option("id", id, "Campaign id")->required();
  CLI11_PARSE(cli, argc, argv);

  try {
    Db db(db_path, Db::Mode::read_only, 5000);
    json rows = json::array();
    if (*campaigns) {
      auto& s = db.cached(kProgress);
      while (s.step()) rows.push_back(row(s));
    } else if (*campaign) {
      auto& s = db.cached(kProgressOne);
      s.bind(1, id);
      while (s.step()) rows.push_back(row(s));
      if (rows.empty()) {
        std::cerr << "dialerctl: no campaign " << id << "\n";
        return 1;
      }
    }
    if (as_json)
      std::cout << (*campaign ? rows[0] : rows).dump(2) << "\n";
    else
      print_table(rows);
  } catch (const std::exception& e) {
    std::cerr << "dialerctl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
