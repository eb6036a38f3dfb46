#pragma once
// Caller-id rotation (phone_rotation_strategy, docs/API.md "Caller ids"): which of a campaign's from
// numbers a call, or a whole chunk, is placed from. Pure: the stored cursor (campaigns.rotation_cursor)
// and a uniform draw come in; the choice and the cursor to store go out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dialerd::schedule {

// Whether each call picks its own number: only for a kind that takes a caller id per call, and never
// under "sequential" (one number per chunk, the next chunk the next number).
bool caller_id_per_call(std::string_view rotation, bool kind_takes_one_per_call);

struct CallerIdPick {
  std::size_t index = 0;    // into the campaign's from numbers
  std::int64_t cursor = 0;  // the cursor after this pick
};

// The next pick among `count` numbers (count >= 1): "random" takes the draw `u` in [0, 1) and leaves the
// cursor; "round_robin" and "sequential" take the cursor's number and advance it.
CallerIdPick next_caller_id(std::string_view rotation, std::size_t count, std::int64_t cursor, double u);

// "local_presence" (docs/API.md "Caller ids"): where a number is, as far as matching caller ids goes.
struct NumberPlace {
  std::string area;     // a NANP number's area code ("212"); "" elsewhere
  std::string region;   // "US-NY", "CA-ON", "GB"; "" when unknown
  std::string country;  // the region's country ("US", "GB"); "" when unknown
};
NumberPlace number_place(std::string_view e164);
// The from numbers nearest the contact: those with its area code, else in its region (a US state, a
// Canadian province), else in its country; none when no number shares even the country.
std::vector<std::size_t> local_numbers(const NumberPlace& contact, const std::vector<NumberPlace>& numbers);
// The pick for a call: one of local_numbers by the draw `u` in [0, 1) (the cursor stays: one cursor
// taken modulo subsets of different sizes would leave some numbers unused), else (no local number) round
// robin among all with the cursor, as "round_robin" does.
CallerIdPick local_presence_pick(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                 std::int64_t cursor, double u);

}  // namespace dialerd::schedule
