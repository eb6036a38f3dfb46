#pragma once
// The end of every crash or fault run: the counters equal the rows and the file is sound.
#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::testing {

// Checks (Catch assertions) that campaign_counters holds `completed` completed and `held` held calls, that
// `called` equals the calls with an attempt, that all states sum to `total`, and PRAGMA integrity_check.
void check_counters_and_integrity(store::sqlite::Db& db, long completed, long held, long total);

}  // namespace dialerd::testing
