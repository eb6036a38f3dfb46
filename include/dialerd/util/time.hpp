#pragma once
// Timestamp text: RFC 3339 in the API, webhooks and explanations; HTTP dates in Retry-After.
#include <optional>
#include <string>
#include <string_view>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::util {

enum class TimePrecision { milliseconds, seconds };

// UTC, e.g. "2026-03-20T09:00:00.000Z" (milliseconds) or "2026-03-20T09:00:00Z" (seconds, truncated).
std::string format_rfc3339(domain::UnixMs t, TimePrecision precision = TimePrecision::milliseconds);
// The local time at a UTC offset, to the second, e.g. "2026-11-01T01:00:00-05:00" ("Z" at offset 0).
std::string format_rfc3339_at_offset(domain::UnixMs t, int offset_min);
// RFC 3339 date-time with a Z or ±HH:MM offset, e.g. "2026-03-20T09:00:00Z" or "2026-03-20T09:00:00.5-05:00".
std::optional<domain::UnixMs> parse_rfc3339(std::string_view text);
// A time given as text: RFC 3339, or Unix milliseconds as 1 to 15 digits (a CSV cell, a string member).
std::optional<domain::UnixMs> parse_rfc3339_or_ms(std::string_view text);
// An HTTP date (RFC 9110 IMF-fixdate), e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
std::optional<domain::UnixMs> parse_http_date(std::string_view text);

}  // namespace dialerd::util
