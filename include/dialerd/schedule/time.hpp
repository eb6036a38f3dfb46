#pragma once
// Time zones (IANA, from the OS tz database). Timestamp text is util/time.hpp.
#include <string_view>

namespace dialerd::schedule {

// True when `name` is a zone in the tz database ("America/New_York", "UTC").
bool is_known_timezone(std::string_view name);

}  // namespace dialerd::schedule
