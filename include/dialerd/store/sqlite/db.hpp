#pragma once
// A thin RAII layer over the SQLite C API: a connection, cached prepared statements, transactions.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dialerd/store/errors.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dialerd::store::sqlite {

using store::StorageError;

// SQLite's refusal, as the store::StorageError kind its result code means (SQLITE_BUSY and SQLITE_LOCKED:
// busy, SQLITE_FULL: full, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY: unavailable).
class DbError : public StorageError {
 public:
  DbError(int code, const std::string& what) : StorageError(kind_of(code), what), code_(code) {}
  int code() const { return code_; }
  static Kind kind_of(int code);

 private:
  int code_;
};

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql, bool persistent);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binding is 1-based, as in SQLite.
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind_null(int i);
  template <class T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }

  bool step();  // true while there is a row
  void run();   // step to completion, expecting no rows
  void reset();
  // The first column of the first row (nothing when there is no row or it is NULL); then resets.
  std::optional<std::int64_t> first_int64();
  // The first column of every row; then resets.
  std::vector<std::int64_t> all_int64();

  std::int64_t int64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<std::string> opt_text(int col) const;
  // The same by column name (its alias if it has one): readers that cannot get an index wrong.
  std::int64_t int64(std::string_view name) const { return int64(column(name)); }
  std::string text(std::string_view name) const { return text(column(name)); }
  std::optional<std::int64_t> opt_int64(std::string_view name) const { return opt_int64(column(name)); }
  std::optional<std::string> opt_text(std::string_view name) const { return opt_text(column(name)); }
  // The index of the result column `name`; std::logic_error when the statement has none.
  int column(std::string_view name) const;
  // For the hot readers, which read by position: checks, once per statement and list, that the result
  // columns from `first` on are named `names` in that order (std::logic_error if not), so each position
  // they read stands for a name a test holds them to. `names` must outlive the statement (a constant).
  void expect_columns(int first, std::span<const std::string_view> names) const;
  int column_count() const;
  std::string column_name(int col) const;
  bool is_integer(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  mutable std::vector<std::string> names_;  // the result columns' names, read at the first column(name)
  mutable std::vector<std::pair<int, const std::string_view*>> checked_;  // what expect_columns checked
};

class Db {
 public:
  enum class Mode { read_write, read_only };
  Db(const std::string& path, Mode mode, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  // A statement prepared once and kept; the returned statement is reset and unbound.
  Stmt& cached(const char* sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }
  // How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
  void set_busy_timeout(int ms);
  // Calls `fn` after each row inserted into `table`, rows inserted by triggers included (SQLite's update
  // hook; one watcher per connection). The transaction may still be open when it runs.
  void on_insert(std::string table, std::function<void()> fn);

 private:
  sqlite3* db_ = nullptr;
  std::string hook_table_;
  std::function<void()> hook_;
  std::unordered_map<const char*, std::unique_ptr<Stmt>> cache_;
};

// Resets a statement when the scope ends, however it ends: a row reader that throws (CorruptRow) leaves
// no read open on the connection.
class ResetOnExit {
 public:
  explicit ResetOnExit(Stmt& s) : s_(s) {}
  ~ResetOnExit() { s_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Stmt& s_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK in the destructor unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// A savepoint inside a transaction: SAVEPOINT on construction; release() keeps its changes, rollback()
// undoes them; the destructor undoes them unless one of the two ran (an exception leaves no trace).
class Savepoint {
 public:
  Savepoint(Db& db, std::string name);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();
  void rollback();

 private:
  Db& db_;
  std::string name_;
  bool done_ = false;
};

}  // namespace dialerd::store::sqlite
