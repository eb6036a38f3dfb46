#pragma once
// The reference the benchmarks measure against: the queue's own insert SQL (src/store/sqlite/queue_sql.hpp) in a
// plain loop over the SQLite C API, 1000-row transactions, the daemon's pragmas. Shared by store_bench
// (store vs raw) and ingest_bench (HTTP API vs raw), so both figures come with the same reference.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <sqlite3.h>

#include "dialerd/store/store.hpp"
#include "store/sqlite/queue_sql.hpp"

namespace dialerd::bench {

constexpr int kChunk = 1000;

// A distinct number for each i: 8M per area code, all in California (Pacific time), so a 10M queue has
// 10M contacts (one area code repeated numbers past 8M, and the store rightly merged them into 8M calls).
inline std::string phone(std::int64_t i) {
  static constexpr int kAreas[] = {415, 510, 650, 408, 707, 925};
  return fmt::format("+1{}{:07d}", kAreas[(i / 8000000) % 6], 2000000 + i % 8000000);
}

inline void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::cerr << what << ": " << sqlite3_errmsg(db) << "\n";
    std::exit(1);
  }
}

inline sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db, "prepare");
  return s;
}

// Schema and pragmas exactly as the daemon sets them.
inline void fresh(const std::string& path, const std::string& synchronous) {
  for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  store::Store s({path, synchronous});
}

struct RawInsert {
  sqlite3* db = nullptr;  // left open for further work; the caller closes it
  std::int64_t campaign = 0;
  double per_second = 0;
};

// Inserts n contacts and their calls the way the store does, in a plain loop.
inline RawInsert raw_insert(const std::string& path, std::int64_t n, const std::string& synchronous) {
  using Clock = std::chrono::steady_clock;
  fresh(path, synchronous);
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, synchronous == "normal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", nullptr,
               nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  check(sqlite3_exec(db,
                     "INSERT INTO campaigns(name, agent_id, provider, from_number, schedule_type, concurrency, status, "
                     "created_at, updated_at) VALUES ('raw', 'a', 'p', '+1', 'immediate', 1000, 'running', 0, 0)",
                     nullptr, nullptr, nullptr),
        db, "campaign");
  std::int64_t campaign = sqlite3_last_insert_rowid(db);
  auto* up = prepare(db, store::sql::kUpsertContact);
  auto* find = prepare(db, store::sql::kFindPendingCall);
  auto* ins = prepare(db, store::sql::kInsertCall);

  auto t0 = Clock::now();
  for (std::int64_t i = 0; i < n;) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int k = 0; k < kChunk && i < n; ++k, ++i) {
      std::string p = phone(i), first = fmt::format("F{}", i);
      std::string vars = fmt::format(R"({{"first_name":"{}"}})", first);
      sqlite3_bind_text(up, 1, p.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(up, 2, first.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_null(up, 3);
      sqlite3_bind_int64(up, 4, 0);
      sqlite3_bind_null(up, 5);
      sqlite3_bind_int64(up, 6, campaign);  // the contact belongs to the campaign's workspace (schema 5)
      check(sqlite3_step(up), db, "upsert");
      std::int64_t contact = sqlite3_column_int64(up, 0);
      sqlite3_reset(up);
      sqlite3_bind_int64(find, 1, contact);
      sqlite3_bind_int64(find, 2, campaign);
      check(sqlite3_step(find), db, "find");
      sqlite3_reset(find);
      sqlite3_bind_int64(ins, 1, campaign);
      sqlite3_bind_int64(ins, 2, contact);
      sqlite3_bind_int64(ins, 3, 0);
      sqlite3_bind_text(ins, 4, vars.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_null(ins, 5);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
    }
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  double insert_s = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto* st : {up, find, ins}) sqlite3_finalize(st);
  return {db, campaign, n / insert_s};
}

}  // namespace dialerd::bench
