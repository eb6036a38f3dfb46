#pragma once
// Caller-id rotation (phone_rotation_strategy, docs/API.md "Caller ids"): which of a campaign's from
// numbers a call, or a whole chunk, is placed from. Pure: the stored cursor (campaigns.rotation_cursor)
// and a uniform draw come in; the choice and the cursor to store go out.
#include <cstddef>
#include <cstdint>
#include <string_view>

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

}  // namespace dialerd::schedule
