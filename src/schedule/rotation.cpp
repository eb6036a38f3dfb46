#include "dialerd/schedule/rotation.hpp"

#include <algorithm>

#include "dialerd/schedule/place.hpp"

namespace dialerd::schedule {

bool caller_id_per_call(std::string_view rotation, bool kind_takes_one_per_call) {
  return kind_takes_one_per_call && rotation != "sequential";
}

CallerIdPick next_caller_id(std::string_view rotation, std::size_t count, std::int64_t cursor, double u) {
  if (count == 0) return {0, cursor};
  if (rotation == "random")
    return {std::min(static_cast<std::size_t>(u * static_cast<double>(count)), count - 1), cursor};
  const auto n = static_cast<std::int64_t>(count);
  return {static_cast<std::size_t>(((cursor % n) + n) % n), cursor + 1};
}

NumberPlace number_place(std::string_view e164) {
  NumberPlace out;
  out.region = resolve_place(std::nullopt, e164, nullptr).region;
  if (out.region.size() >= 2) out.country = out.region.substr(0, 2);
  if (e164.size() == 12 && e164.substr(0, 2) == "+1") out.area = std::string(e164.substr(2, 3));
  return out;
}

std::vector<std::size_t> local_numbers(const NumberPlace& contact, const std::vector<NumberPlace>& numbers) {
  // Tiers from the nearest: the first that some number matches wins.
  for (auto same :
       {+[](const NumberPlace&a, const NumberPlace&b) { return !a.area.empty() && a.area == b.area; },
        +[](const NumberPlace&a, const NumberPlace&b) { return !a.region.empty() && a.region == b.region; },
        +[](const NumberPlace&a, const NumberPlace&b) { return !a.country.empty() && a.country == b.country; }}) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < numbers.size(); ++i)
      if (same(contact, numbers[i])) out.push_back(i);
    if (!out.empty()) return out;
  }
  return {};
}

CallerIdPick local_presence_pick(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                 std::int64_t cursor, double u) {
  auto local = local_numbers(contact, numbers);
  if (local.empty()) return next_caller_id("round_robin", numbers.size(), cursor, u);
  return {local[next_caller_id("random", local.size(), cursor, u).index], cursor};
}

}  // namespace dialerd::schedule
