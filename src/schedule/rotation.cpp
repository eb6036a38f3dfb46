#include "dialerd/schedule/rotation.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "dialerd/schedule/place.hpp"
#include "dialerd/util/time.hpp"

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

bool has_room(const NumberRooms& rooms, std::size_t index) {
  return rooms.empty() || (index < rooms.size() && rooms[index] > 0);
}

std::optional<CallerIdPick> next_open_caller_id(std::string_view rotation, const NumberRooms& rooms, std::size_t count,
                                                std::int64_t cursor, double u) {
  if (count == 0) return std::nullopt;
  if (rooms.empty()) return next_caller_id(rotation, count, cursor, u);
  if (rotation == "random") {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < count; ++i)
      if (has_room(rooms, i)) open.push_back(i);
    if (open.empty()) return std::nullopt;
    return CallerIdPick{open[next_caller_id("random", open.size(), cursor, u).index], cursor};
  }
  for (std::size_t step = 0; step < count; ++step) {
    auto pick = next_caller_id(rotation, count, cursor, u);
    cursor = pick.cursor;
    if (has_room(rooms, pick.index)) return pick;
  }
  return std::nullopt;
}

bool limits_caller_ids(const domain::CampaignSpec& spec) {
  return spec.max_calls_per_number_per_day || spec.number_rest;
}

std::vector<NumberState> number_states(const domain::CampaignSpec& spec, const std::vector<std::string>& numbers,
                                       const std::vector<NumberUse>& uses, domain::UnixMs now,
                                       domain::UnixMs next_day) {
  std::vector<NumberState> out;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    NumberState st;
    st.number = numbers[i];
    st.room = std::numeric_limits<std::int64_t>::max();
    const NumberUse use = i < uses.size() ? uses[i] : NumberUse{};
    if (const auto& cap = spec.max_calls_per_number_per_day) {
      st.room = std::max<std::int64_t>(0, *cap - use.calls_today);
      if (st.room == 0) {
        st.until = next_day;
        st.why = fmt::format("placed {} calls today, its max_calls_per_number_per_day is {}", use.calls_today, *cap);
      }
    }
    if (const auto& rest = spec.number_rest;
        rest && static_cast<int>(use.recent.size()) >= rest->after_failures &&
        std::all_of(use.recent.begin(), use.recent.begin() + rest->after_failures, [&](const NumberUse::Finished& f) {
          return std::find(rest->outcomes.begin(), rest->outcomes.end(), f.outcome) != rest->outcomes.end();
        })) {
      // From the last of them to finish (the run is in the order they were placed).
      domain::UnixMs last = 0;
      for (int k = 0; k < rest->after_failures; ++k) last = std::max(last, use.recent[static_cast<std::size_t>(k)].at);
      const domain::UnixMs until = last + static_cast<domain::UnixMs>(rest->rest_seconds) * 1000;
      if (until > now) {
        std::string ended = "failed";  // the default outcomes; else "ended busy or no_answer"
        if (rest->outcomes != std::vector<domain::Outcome>{domain::Outcome::failed}) {
          ended = "ended ";
          for (std::size_t k = 0; k < rest->outcomes.size(); ++k) {
            if (k > 0) ended += k + 1 == rest->outcomes.size() ? " or " : ", ";
            ended += domain::to_string(rest->outcomes[k]);
          }
        }
        const std::string rested =
            fmt::format("rested until {} (its last {} calls {})",
                        util::format_rfc3339(until, util::TimePrecision::seconds), rest->after_failures, ended);
        st.room = 0;
        st.until = std::max(st.until.value_or(until), until);
        st.why = st.why.empty() ? rested : st.why + "; " + rested;
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

NumberRooms number_rooms(const std::vector<NumberState>& states) {
  NumberRooms out;
  for (const auto& s : states) out.push_back(s.room);
  return out;
}

std::optional<domain::UnixMs> caller_ids_open_at(const std::vector<NumberState>& states) {
  std::optional<domain::UnixMs> at;
  for (const auto& s : states) {
    if (s.room > 0) return std::nullopt;
    if (s.until && (!at || *s.until < *at)) at = s.until;
  }
  return at;
}

NumberPlace number_place(std::string_view e164) {
  NumberPlace out;
  out.region = resolve_place(std::nullopt, e164, nullptr).region;
  if (out.region.size() >= 2) out.country = out.region.substr(0, 2);
  if (e164.size() == 12 && e164.substr(0, 2) == "+1") out.area = std::string(e164.substr(2, 3));
  return out;
}

std::vector<std::size_t> local_numbers(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                       const NumberRooms& rooms) {
  // Tiers from the nearest: the first that some number matches wins.
  for (auto same :
       {+[](const NumberPlace&a, const NumberPlace&b) { return !a.area.empty() && a.area == b.area; },
        +[](const NumberPlace&a, const NumberPlace&b) { return !a.region.empty() && a.region == b.region; },
        +[](const NumberPlace&a, const NumberPlace&b) { return !a.country.empty() && a.country == b.country; }}) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < numbers.size(); ++i)
      if (has_room(rooms, i) && same(contact, numbers[i])) out.push_back(i);
    if (!out.empty()) return out;
  }
  return {};
}

std::optional<CallerIdPick> local_presence_pick(const NumberPlace& contact, const std::vector<NumberPlace>& numbers,
                                                std::int64_t cursor, double u, const NumberRooms& rooms) {
  auto local = local_numbers(contact, numbers, rooms);
  if (local.empty()) return next_open_caller_id("round_robin", rooms, numbers.size(), cursor, u);
  return CallerIdPick{local[next_caller_id("random", local.size(), cursor, u).index], cursor};
}

}  // namespace dialerd::schedule
