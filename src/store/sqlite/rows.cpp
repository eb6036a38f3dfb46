// Row readers the store's SQLite files share (shared.hpp says what each reads).
#include <nlohmann/json.hpp>

#include "dialerd/store/errors.hpp"
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Stmt;

DispatchCall read_call(const Stmt& s, int max_retries_default, bool in_flight) {
  DispatchCall call;
  call.id = s.int64(0);
  call.phone = s.text(1);
  call.first_name = s.text(2);
  call.last_name = s.text(3);
  // Stored by dialerd as a dumped object; anything else (a hand edit) is a broken invariant: a request
  // body never carries broken JSON, and the call is not sent with its variables replaced.
  call.variables = s.text(4);
  if (call.variables.empty() || call.variables.front() != '{' || !nlohmann::json::accept(call.variables))
    throw CorruptRow("calls", call.id, "variables", "is not a JSON object");
  call.attempt = static_cast<int>(s.int64(5)) + (in_flight ? 0 : 1);
  call.max_retries = static_cast<int>(s.opt_int64(6).value_or(max_retries_default));
  call.contact_id = s.int64(7);
  return call;
}

CallState stored_call_state(const std::string& text, CallId id) {
  auto state = call_state_from(text);
  if (!state) throw CorruptRow("calls", id, "state", "is not a call state this version knows");
  return *state;
}

// read_call plus columns 8..10: the contact's timezone, active flag, and suppression reason.
Candidate read_candidate(const Stmt& s, int max_retries_default) {
  Candidate c;
  c.call = read_call(s, max_retries_default, false);
  c.contact_timezone = s.opt_text(8);
  c.active = s.int64(9) != 0;
  c.suppression = s.opt_text(10);
  return c;
}

}  // namespace dialerd::store
