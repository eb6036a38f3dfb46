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
// max_retries, contact_id; checked by name once per statement); `attempt` is the submission in flight (`in_flight`) or
// the next one. Stored variables that are not a JSON object throw CorruptRow (never sent as a default).
domain::DispatchCall read_call(const sqlite::Stmt& s, int max_retries_default, bool in_flight);
// read_call plus columns 8..10: the contact's timezone, active flag, and suppression reason (timezone,
// active, suppression).
Candidate read_candidate(const sqlite::Stmt& s, int max_retries_default);
// A stored call state; CorruptRow naming call `id` for text no state of this version is (a hand edit, or a
// row a newer version wrote).
domain::CallState stored_call_state(const std::string& text, domain::CallId id);

// How long a call whose stored row cannot be read waits before the claim reads it again.
inline constexpr domain::UnixMs kCorruptRetryMs = 3600 * 1000;
// How long a due call waits, and is then read again, while a call of its contact is out (Store::claim).
inline constexpr domain::UnixMs kContactOutRetryMs = 60 * 1000;

inline std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// A campaign's stored retry_policy; CorruptRow naming campaign `id` when it is not one (campaigns.cpp).
domain::RetryByOutcome stored_retry_policy(const std::string& text, domain::CampaignId id);

// Call history read with exact queries over `db` (claim.cpp).
std::unique_ptr<History> sql_history(sqlite::Db& db);
// The reporting role over the daemon's own connection (reports.cpp).
std::unique_ptr<Reports> sqlite_reports(sqlite::Db& db);

}  // namespace dialerd::store
