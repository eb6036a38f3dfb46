#pragma once
// Do-not-call lists (docs/COMPLIANCE.md, "Do-not-call lists"): a workspace's or the global named lists of
// numbers a campaign honours besides the always-on internal list (the suppressions). A list's numbers are
// kept as integers (the E.164 digits), so ten million of them stay small and a lookup is one index seek.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::domain {

// The name of the list every campaign honours: the workspace's suppressions and the global ones.
inline constexpr std::string_view kInternalList = "internal";

struct DncList {
  std::int64_t id = 0;
  std::string workspace;  // the owner; kGlobalList for a global list (admin keys only change it)
  std::string name;
  std::string description;
  std::string source;               // where its numbers come from, e.g. "National Do Not Call Registry"
  std::optional<int> max_age_days;  // past this age a campaign honouring it stops dispatching
  std::optional<UnixMs> as_of;      // the date of the copy loaded; none until numbers are imported
  std::int64_t set_id = 0;          // the number set in force (a replacing import builds a new one)
  std::int64_t numbers = 0;
  std::optional<std::string> created_by;
  UnixMs created_at = 0, updated_at = 0;

  bool global() const { return workspace == kGlobalList; }
  // Whether it is too old to be honoured at `now`: past max_age_days since as_of, or never loaded while it
  // has a max age. A list with no max age is never stale.
  bool stale(UnixMs now) const;
  // When it becomes stale (nothing when it never does, or already is).
  std::optional<UnixMs> stale_at() const;
};

// The stored key of an E.164 number: its digits (+12025550123 -> 12025550123); 0 when it is not E.164.
std::int64_t dnc_key(std::string_view e164);
// The E.164 number of a stored key.
std::string dnc_phone(std::int64_t key);

// One number of an import file: E.164 ("+12025550123"), or a NANP number of 10 digits ("2025550123") or 11
// starting with 1; spaces, dots, dashes and parentheses are ignored. A +1 number must be a possible NANP
// number (area code and exchange not starting with 0 or 1). The key, or 0 with `error` saying what is wrong.
std::int64_t parse_dnc_number(std::string_view text, std::string& error);

}  // namespace dialerd::domain
