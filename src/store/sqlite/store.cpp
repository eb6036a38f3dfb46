// The SQLite store's connection: opening (pragmas, migrations), lock waits, checkpoints. Each role's
// statements are in the file named after it in this folder.
#include "dialerd/store/store.hpp"

#include <filesystem>

#include "dialerd/store/lock_wait.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/sqlite/migrations.hpp"
#include "dialerd/util/metrics.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {

using sqlite::Db;
using namespace sql;

Store::Store(const StoreOptions& options) : random_(options.seed) {
  set_outcome_rule(nullptr);
  auto parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  db_ = std::make_unique<Db>(options.path, Db::Mode::read_write, options.busy_timeout_ms);
  db_->exec("PRAGMA journal_mode = WAL");
  db_->exec(options.synchronous == "normal" ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  db_->exec("PRAGMA foreign_keys = ON");
  db_->exec("PRAGMA wal_autocheckpoint = " + std::to_string(options.wal_autocheckpoint_pages));
  db_->exec("PRAGMA temp_store = MEMORY");  // temp.chunk_rows: a chunk staged for one statement
  sqlite::migrate(*db_);
  db_->exec(kCreateChunkRows);
  history_ = sql_history(*db_);
  reports_ = sqlite_reports(*db_);
  key_salt_ = random_.bits32();
}

Store::~Store() = default;

void Store::set_lock_wait(int ms) {
  db_->set_busy_timeout(ms);
}

void count_lock_wait(int waits) {
  metrics::registry()
      .counter("dialerd_storage_lock_waits_total",
               "Times a database write found the database locked by another process and waited for it, off the "
               "event loop.")
      .inc(waits);
}

void Store::checkpoint() {
  db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace dialerd::store
