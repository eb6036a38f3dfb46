// The store's contact-insert and due-call claim rates, each next to the same SQLite work (the same SQL
// text from src/store/sqlite/queue_sql.hpp) in a plain loop over the C API, measured in the same run.
// Also populates a database with N queued calls for the RSS measurement in bench/rss.sh.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <sqlite3.h>
#include <CLI/CLI.hpp>

#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
#include "dialerd/store/store.hpp"
#include "raw_sqlite.hpp"
#include "store/sqlite/queue_sql.hpp"

using namespace dialerd;
using bench::check;
using bench::fresh;
using bench::kChunk;
using bench::phone;
using bench::prepare;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

domain::CampaignSpec spec(domain::CampaignStatus status, const std::string& provider) {
  domain::CampaignSpec s;
  s.name = "bench";
  s.agent_id = "agent_bench";
  s.provider = provider;
  s.from_number = "+14157774444";
  s.concurrency = 1000;
  s.status = status;
  if (status == domain::CampaignStatus::scheduled) {
    s.schedule_type = "scheduled";
    s.trigger_at = std::int64_t{4102444800000};  // 2100-01-01: queued, never due during the run
  }
  return s;
}

struct Rates {
  double insert_per_s, claim_per_s;
};

Rates raw_loop(const std::string& path, std::int64_t n, const std::string& synchronous) {
  auto inserted = bench::raw_insert(path, n, synchronous);
  sqlite3* db = inserted.db;
  std::int64_t campaign = inserted.campaign;

  auto* due = prepare(db, store::sql::kSelectDue);
  auto* mark = prepare(db, store::sql::kMarkDispatching);
  auto* attempt = prepare(db, store::sql::kInsertAttempt);
  struct Row {
    std::int64_t id, contact;
    int attempts;
    std::string phone, first, last, vars;
  };
  std::vector<Row> rows;
  std::int64_t claimed = 0, seq = 0;
  auto t0 = Clock::now();
  for (;;) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    std::string key = fmt::format("dk-{}-{}", campaign, ++seq);
    rows.clear();
    sqlite3_bind_int64(due, 1, campaign);
    sqlite3_bind_int64(due, 2, 1);
    sqlite3_bind_int64(due, 3, kChunk);
    while (sqlite3_step(due) == SQLITE_ROW) {
      auto text = [&](int c) {
        auto* t = reinterpret_cast<const char*>(sqlite3_column_text(due, c));
        return t ? std::string(t) : std::string();
      };
      rows.push_back({sqlite3_column_int64(due, 0), sqlite3_column_int64(due, 7), sqlite3_column_int(due, 5), text(1),
                      text(2), text(3), text(4)});
    }
    sqlite3_reset(due);
    for (const auto& r : rows) {
      sqlite3_bind_int64(mark, 1, r.id);
      sqlite3_bind_text(mark, 2, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(mark, 3, 1);
      check(sqlite3_step(mark), db, "mark");
      sqlite3_reset(mark);
      sqlite3_bind_int64(attempt, 1, r.id);
      sqlite3_bind_int64(attempt, 2, campaign);
      sqlite3_bind_int64(attempt, 3, r.contact);
      sqlite3_bind_int64(attempt, 4, r.attempts + 1);
      sqlite3_bind_text(attempt, 5, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(attempt, 6, "+14157774444", -1, SQLITE_STATIC);
      sqlite3_bind_int64(attempt, 7, 1);
      check(sqlite3_step(attempt), db, "attempt");
      sqlite3_reset(attempt);
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    if (rows.empty()) break;
    claimed += static_cast<std::int64_t>(rows.size());
  }
  double claim_s = seconds_since(t0);
  for (auto* s : {due, mark, attempt}) sqlite3_finalize(s);
  sqlite3_close(db);
  if (claimed != n) std::cerr << "raw claim saw " << claimed << " of " << n << "\n";
  return {inserted.per_second, n / claim_s};
}

Rates store_loop(const std::string& path, std::int64_t n, const std::string& synchronous) {
  fresh(path, synchronous);
  store::Store s({path, synchronous});
  auto id = s.create_campaign(spec(domain::CampaignStatus::running, "p"), {}, 0);
  std::vector<std::vector<domain::ContactInput>> chunks;
  for (std::int64_t i = 0; i < n; i += kChunk) {
    auto& chunk = chunks.emplace_back();
    for (std::int64_t k = i; k < std::min(n, i + kChunk); ++k) {
      domain::ContactInput c;
      c.phone = phone(k);
      c.first_name = fmt::format("F{}", k);
      chunk.push_back(std::move(c));
    }
  }
  auto t0 = Clock::now();
  for (const auto& chunk : chunks) s.add_contacts(id, chunk, 0);
  double insert_s = seconds_since(t0);

  auto campaign = *s.campaign(id);
  std::int64_t claimed = 0;
  t0 = Clock::now();
  while (auto chunk = s.claim(campaign, kChunk, 1)) claimed += static_cast<std::int64_t>(chunk->calls.size());
  double claim_s = seconds_since(t0);
  if (claimed != n) std::cerr << "store claim saw " << claimed << " of " << n << "\n";
  return {n / insert_s, n / claim_s};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"store_bench: the queue's insert and claim rates against raw SQLite"};
  std::int64_t n = 1000000;
  std::string dir = "/tmp/dialerd-bench", synchronous = "full", populate, status = "scheduled", provider = "simulator";
  int repeat = 1;
  cli.add_option("--contacts", n, "Contacts / calls per run")->capture_default_str();
  cli.add_option("--dir", dir, "Scratch directory for the database files")->capture_default_str();
  cli.add_option("--synchronous", synchronous, "full or normal")->capture_default_str();
  cli.add_option("--repeat", repeat, "Runs of each loop, alternating; the best of each is reported");
  cli.add_option("--populate", populate, "Only write a daemon database with N queued calls to this path");
  cli.add_option("--status", status, "--populate: campaign status, scheduled (never due) or running");
  cli.add_option("--provider", provider, "--populate: the campaign's provider name");
  CLI11_PARSE(cli, argc, argv);

  if (!populate.empty()) {
    fresh(populate, synchronous);
    store::Store s({populate, synchronous});
    auto st = status == "running" ? domain::CampaignStatus::running : domain::CampaignStatus::scheduled;
    auto id = s.create_campaign(spec(st, provider), {}, 0);
    std::vector<domain::ContactInput> chunk;
    for (std::int64_t i = 0; i < n; ++i) {
      domain::ContactInput c;
      c.phone = phone(i);
      c.first_name = fmt::format("F{}", i);
      chunk.push_back(std::move(c));
      if (chunk.size() == kChunk || i + 1 == n) {
        s.add_contacts(id, chunk, 0);
        chunk.clear();
      }
    }
    s.checkpoint();
    std::cout << fmt::format("populated {} with {} {} calls (campaign {})\n", populate, n, status, id);
    return 0;
  }

  std::filesystem::create_directories(dir);
  Rates raw{0, 0}, ours{0, 0};
  for (int r = 0; r < repeat; ++r) {
    auto a = raw_loop(dir + "/raw.db", n, synchronous);
    auto b = store_loop(dir + "/store.db", n, synchronous);
    raw = {std::max(raw.insert_per_s, a.insert_per_s), std::max(raw.claim_per_s, a.claim_per_s)};
    ours = {std::max(ours.insert_per_s, b.insert_per_s), std::max(ours.claim_per_s, b.claim_per_s)};
  }
  std::cout << fmt::format("store_bench: {} contacts, synchronous={}, {}-row transactions, best of {}\n", n,
                           synchronous, kChunk, repeat);
  std::cout << fmt::format("  {:<22} {:>12} {:>12} {:>8}   target\n", "", "store/s", "raw/s", "ratio");
  std::cout << fmt::format("  {:<22} {:>12.0f} {:>12.0f} {:>7.0f}%   >= 70%\n", "contact insert", ours.insert_per_s,
                           raw.insert_per_s, 100 * ours.insert_per_s / raw.insert_per_s);
  std::cout << fmt::format("  {:<22} {:>12.0f} {:>12.0f} {:>7.0f}%   >= 70%\n", "due-call claim", ours.claim_per_s,
                           raw.claim_per_s, 100 * ours.claim_per_s / raw.claim_per_s);
  return 0;
}
