#pragma once
// What a store call fails with, whatever the backend: the API maps the kind to an HTTP status
// (api/v1.cpp), the loops decide from it whether to try again. Broken invariants are other exceptions:
// CorruptRow for a stored row the schema should never hold, std::logic_error for code that broke its own
// promise.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dialerd::store {

class StorageError : public std::runtime_error {
 public:
  enum class Kind {
    busy,         // another connection holds the lock this needed; nothing was written; try again later
    full,         // the disk is full; nothing was written
    unavailable,  // the database cannot read or write now (an I/O error, a read-only file); nothing written
    other,        // anything else the database refused (a constraint, a bad statement): a bug, not the disk
  };
  StorageError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool locked() const { return kind_ == Kind::busy; }

 private:
  Kind kind_;
};

// A stored row that breaks what the schema promises (JSON that does not parse or has the wrong shape, a
// status no code knows): a broken invariant, never read as a default. It names the row and the column,
// not the value, which may hold personal data.
class CorruptRow : public std::runtime_error {
 public:
  CorruptRow(const std::string& table, std::int64_t id, const std::string& column, const std::string& why)
      : std::runtime_error(table + " row " + std::to_string(id) + ": the stored " + column + " " + why) {}
  // The same fault said again with more context (the text of another CorruptRow's what()).
  explicit CorruptRow(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace dialerd::store
