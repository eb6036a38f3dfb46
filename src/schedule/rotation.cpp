#include "dialerd/schedule/rotation.hpp"

#include <algorithm>

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

}  // namespace dialerd::schedule
