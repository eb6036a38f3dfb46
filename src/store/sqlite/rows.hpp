#pragma once
// Row readers the store's SQLite files share (internal to src/store).
#include <optional>
#include <string>

#include "dialerd/domain/dispatch.hpp"
#include "dialerd/store/sqlite/db.hpp"

namespace dialerd::store {

// Columns 0..7 of every query that reads a call (id, phone, first_name, last_name, variables, attempts,
// max_retries, contact_id); `attempt` is the submission in flight (`in_flight`) or the next one.
domain::DispatchCall read_call(const sqlite::Stmt& s, int max_retries_default, bool in_flight);

inline std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace dialerd::store
