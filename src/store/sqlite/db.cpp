#include "dialerd/store/sqlite/db.hpp"

#include <chrono>

#include "dialerd/util/metrics.hpp"

#include <sqlite3.h>

namespace dialerd::store::sqlite {
namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  throw DbError(rc, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}
}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                              &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
}
Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8); rc != SQLITE_OK)
    fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}
void Stmt::run() {
  while (step()) {
  }
}
std::optional<std::int64_t> Stmt::first_int64() {
  std::optional<std::int64_t> v = step() ? opt_int64(0) : std::nullopt;
  reset();
  return v;
}

std::vector<std::int64_t> Stmt::all_int64() {
  std::vector<std::int64_t> out;
  while (step()) out.push_back(int64(0));
  reset();
  return out;
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Stmt::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
std::string Stmt::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
bool Stmt::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}
std::optional<std::int64_t> Stmt::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}
std::optional<std::string> Stmt::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

int Stmt::column(std::string_view name) const {
  if (names_.empty())
    for (int i = 0; i < column_count(); ++i) names_.push_back(column_name(i));
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  throw std::logic_error("the statement has no result column '" + std::string(name) + "'");
}

void Stmt::expect_columns(int first, std::span<const std::string_view> names) const {
  for (const auto& [at, list] : checked_)
    if (at == first && list == names.data()) return;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int col = first + static_cast<int>(i);
    if (col >= column_count() || column_name(col) != names[i])
      throw std::logic_error("the statement's result column " + std::to_string(col) + " is not '" +
                             std::string(names[i]) + "'");
  }
  checked_.emplace_back(first, names.data());
}

int Stmt::column_count() const {
  return sqlite3_column_count(stmt_);
}
std::string Stmt::column_name(int col) const {
  return sqlite3_column_name(stmt_, col);
}
bool Stmt::is_integer(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_INTEGER;
}

Db::Db(const std::string& path, Mode mode, int busy_timeout_ms) {
  int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread, by design
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

StorageError::Kind DbError::kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Kind::busy;
    case SQLITE_FULL:
      return Kind::full;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Kind::unavailable;
    default:
      return Kind::other;
  }
}

void Db::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(db_, ms);
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

void Db::on_insert(std::string table, std::function<void()> fn) {
  hook_table_ = std::move(table);
  hook_ = std::move(fn);
  sqlite3_update_hook(
      db_,
      [](void* self, int op, const char*, const char* table_name, sqlite3_int64) {
        auto* db = static_cast<Db*>(self);
        if (op == SQLITE_INSERT && db->hook_ && db->hook_table_ == table_name) db->hook_();
      },
      this);
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw DbError(rc, "exec: " + msg);
  }
}

Stmt& Db::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Stmt>(db_, sql, true)).first;
  it->second->reset();
  return *it->second;
}

std::int64_t Db::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}
int Db::changes() const {
  return sqlite3_changes(db_);
}

Transaction::Transaction(Db& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // The transaction may already be gone (e.g. the failing statement rolled it back).
    }
  }
}
void Transaction::commit() {
  static auto& latency = metrics::registry().histogram(
      "dialerd_db_commit_seconds", "Time to commit a write transaction (fsync included with synchronous=full).");
  auto start = std::chrono::steady_clock::now();
  db_.exec("COMMIT");
  done_ = true;
  latency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

Savepoint::Savepoint(Db& db, std::string name) : db_(db), name_(std::move(name)) {
  db_.exec("SAVEPOINT " + name_);
}
Savepoint::~Savepoint() {
  if (!done_) {
    try {
      rollback();
    } catch (...) {
      // The enclosing transaction may already be gone; its own rollback undoes this too.
    }
  }
}
void Savepoint::release() {
  db_.exec("RELEASE " + name_);
  done_ = true;
}
void Savepoint::rollback() {
  done_ = true;
  db_.exec("ROLLBACK TO " + name_);
  db_.exec("RELEASE " + name_);
}

}  // namespace dialerd::store::sqlite
