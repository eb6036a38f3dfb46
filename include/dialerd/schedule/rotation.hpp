#pragma once
// Caller-id rotation (phone_rotation_strategy, docs/API.md "Caller ids"): which of a campaign's from
// numbers a call, or a whole chunk, is placed from. Pure: the stored cursor (campaigns.rotation_cursor)
// and a uniform draw come in; the choice and the cursor to store go out.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/domain/campaign.hpp"

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

// Caller-id health (docs/SCHEDULING.md, "Caller-id health"): each number's room, the calls it may still
// place (a campaign's max_calls_per_number_per_day less its calls today; 0 while rested). An empty room
// list means no number is limited. The picks below take only numbers with room.
using NumberRooms = std::vector<std::int64_t>;
bool has_room(const NumberRooms& rooms, std::size_t index);
// next_caller_id among the numbers with room: "random" draws among them; "round_robin" and "sequential"
// take the first with room from the cursor on and advance the cursor past it. None when no number has room.
std::optional<CallerIdPick> next_open_caller_id(std::string_view rotation, const NumberRooms& rooms, std::size_t count,
                                                std::int64_t cursor, double u);

// What one from number did, across the campaign's workspace: calls placed since the campaign's day
// began, and its latest finished calls (at most the rest's after_failures), the latest placed first.
struct NumberUse {
  std::int64_t calls_today = 0;
  struct Finished {
    domain::Outcome outcome = domain::Outcome::failed;
    domain::UnixMs at = 0;
  };
  std::vector<Finished> recent;
};
// Whether a number may be used now, and why not.
struct NumberState {
  std::string number;
  std::int64_t room = 0;  // calls it may place now (the cap less today's; unlimited: INT64_MAX); 0 = closed
  std::optional<domain::UnixMs> until;  // closed: when it opens again
  std::string why;                      // closed: "rested until ... (its last 5 calls failed)"
};
// Whether the campaign limits its caller ids at all (a cap or a rest).
bool limits_caller_ids(const domain::CampaignSpec& spec);
// Each of `numbers`'s state given its use (same order). `next_day` is when the campaign's next day begins.
std::vector<NumberState> number_states(const domain::CampaignSpec& spec, const std::vector<std::string>& numbers,
                                       const std::vector<NumberUse>& uses, domain::UnixMs now, domain::UnixMs next_day);
NumberRooms number_rooms(const std::vector<NumberState>& states);
// The earliest instant a closed number opens again; none when some number is open (or none is limited).
std::optional<domain::UnixMs> caller_ids_open_at(const std::vector<NumberState>& states);

// "local_presence" (docs/API.md "Caller ids"): where a number is, as far as matching caller ids goes.
struct NumberPlace {
  std::string area;     // a NANP number's area code ("212"); "" elsewhere
  std::string region;   // "US-NY", "CA-ON", "GB"; "" when unknown
  std::string country;  // the region's country ("US", "GB"); "" when unknown
};
NumberPlace number_place(std::string_view e164);
// The from numbers nearest the contact: those with its area code, else in its region (a US state, a
// Canadian province), else in its country; none when no number shares even the country.
// Only numbers with room count (`rooms` empty: all), so a tier whose numbers are all closed gives way to
// the next.
std::vector<std::size_t> local_numbers(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                       const NumberRooms& rooms = {});
// The pick for a call: one of local_numbers by the draw `u` in [0, 1) (the cursor stays: one cursor
// taken modulo subsets of different sizes would leave some numbers unused), else (no local number) round
// robin among all with the cursor, as "round_robin" does. Only numbers with room: none when no number has.
std::optional<CallerIdPick> local_presence_pick(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                                std::int64_t cursor, double u, const NumberRooms& rooms = {});

}  // namespace dialerd::schedule
