#pragma once
// What the store's SQLite files share (internal to src/store/sqlite): row readers and the parts Store
// builds over its connection.
#include <memory>
#include <optional>
#include <string>

#include "dialerd/domain/dispatch.hpp"
#include "dialerd/store/claims.hpp"
#include "dialerd/store/reports.hpp"
#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::store {

// Columns 0..7 of every query that reads a call (id, phone, first_name, last_name, variables, attempts,
// max_retries, contact_id); `attempt` is the submission in flight (`in_flight`) or the next one.
domain::DispatchCall read_call(const sqlite::Stmt& s, int max_retries_default, bool in_flight);
// read_call plus columns 8..10: the contact's timezone, active flag, and suppression reason.
Candidate read_candidate(const sqlite::Stmt& s, int max_retries_default);

inline std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// Call history read with exact queries over `db` (claim.cpp).
std::unique_ptr<History> sql_history(sqlite::Db& db);
// The reporting role over the daemon's own connection (reports.cpp).
std::unique_ptr<Reports> sqlite_reports(sqlite::Db& db);

}  // namespace dialerd::store
