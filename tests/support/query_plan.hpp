#pragma once
// The store tests' look at SQLite's plans: a statement reads along the index it should, without a sort.
#include <string>

#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::testing {

// The steps of a statement's query plan, a line each (`own`: only the statement's own, not its subqueries').
inline std::string query_plan(store::sqlite::Db& db, const char* sql, bool own = false) {
  std::string out;
  store::sqlite::Stmt q(db.handle(), std::string("EXPLAIN QUERY PLAN ") + sql, false);
  while (q.step())
    if (!own || q.int64(1) == 0) out += q.text(3) + "\n";
  return out;
}

}  // namespace dialerd::testing
