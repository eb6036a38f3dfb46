#include "dialerd/schedule/time.hpp"

#include <exception>

#include <date/tz.h>

namespace dialerd::schedule {

bool is_known_timezone(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  try {
    date::locate_zone(name);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace dialerd::schedule
