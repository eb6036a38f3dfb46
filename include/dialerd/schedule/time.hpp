#pragma once
// Time zones (IANA, from the OS tz database) and timestamp formats.
#include <optional>
#include <string>
#include <string_view>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

// True when `name` is a zone in the tz database ("America/New_York", "UTC").
bool is_known_timezone(std::string_view name);
// RFC 3339 date-time with a Z or ±HH:MM offset, e.g. "2026-03-20T09:00:00Z" or "2026-03-20T09:00:00.5-05:00".
std::optional<domain::UnixMs> parse_rfc3339(std::string_view text);
// UTC with milliseconds, e.g. "2026-03-20T09:00:00.000Z".
std::string format_rfc3339(domain::UnixMs t);
// An HTTP date (RFC 9110 IMF-fixdate), e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
std::optional<domain::UnixMs> parse_http_date(std::string_view text);

}  // namespace dialerd::schedule
