// Row readers the store's SQLite files share (shared.hpp says what each reads).
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dialerd/domain/contact.hpp"
#include "dialerd/store/errors.hpp"
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Stmt;

namespace {
// The columns every query that reads a call starts with, in this order, and the five a candidate adds:
// read by position (the claim reads them for every due call), each position checked against its name once
// per statement (Stmt::expect_columns).
constexpr std::array<std::string_view, 8> kCallColumns = {"id",        "phone",    "first_name",  "last_name",
                                                          "variables", "attempts", "max_retries", "contact_id"};
constexpr std::array<std::string_view, 5> kCandidateColumns = {"timezone", "active", "suppression", "consent",
                                                               "not_before"};
enum Column : int {
  kId,
  kPhone,
  kFirstName,
  kLastName,
  kVariables,
  kAttempts,
  kMaxRetries,
  kContactId,
  kTimezone,
  kActive,
  kSuppression,
  kConsent,
  kNotBefore
};
}  // namespace

DispatchCall read_call(const Stmt& s, int max_retries_default, bool in_flight) {
  s.expect_columns(kId, kCallColumns);
  DispatchCall call;
  call.id = s.int64(kId);
  call.phone = s.text(kPhone);
  call.first_name = s.text(kFirstName);
  call.last_name = s.text(kLastName);
  // Stored by dialerd as a dumped object; anything else (a hand edit) is a broken invariant: a request
  // body never carries broken JSON, and the call is not sent with its variables replaced.
  call.variables = s.text(kVariables);
  if (call.variables.empty() || call.variables.front() != '{' || !nlohmann::json::accept(call.variables))
    throw CorruptRow("calls", call.id, "variables", "is not a JSON object");
  call.attempt = static_cast<int>(s.int64(kAttempts)) + (in_flight ? 0 : 1);
  call.max_retries = static_cast<int>(s.opt_int64(kMaxRetries).value_or(max_retries_default));
  call.contact_id = s.int64(kContactId);
  return call;
}

CallState stored_call_state(const std::string& text, CallId id) {
  auto state = call_state_from(text);
  if (!state) throw CorruptRow("calls", id, "state", "is not a call state this version knows");
  return *state;
}

// read_call plus the contact's timezone, active flag, and suppression reason.
Candidate read_candidate(const Stmt& s, int max_retries_default) {
  s.expect_columns(kTimezone, kCandidateColumns);
  Candidate c;
  c.call = read_call(s, max_retries_default, false);
  c.contact_timezone = s.opt_text(kTimezone);
  c.active = s.int64(kActive) != 0;
  c.suppression = s.opt_text(kSuppression);
  if (auto consent = s.opt_text(kConsent)) {
    c.consent = consent_from_stored(*consent);
    if (!c.consent) throw CorruptRow("contacts", c.call.contact_id, "consent", "is not a consent record");
  }
  c.not_before = s.opt_int64(kNotBefore);
  return c;
}

}  // namespace dialerd::store
