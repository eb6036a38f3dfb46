#include <catch2/catch.hpp>

#include "dialerd/schedule/time.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::util;
using dialerd::schedule::is_known_timezone;

TEST_CASE("time: RFC 3339 instants") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2025-01-01T08:00:00Z") == 1735718400000);
  CHECK(parse_rfc3339("2025-01-01T03:00:00-05:00") == 1735718400000);
  CHECK(parse_rfc3339("2025-01-01T13:30:00+05:30") == 1735718400000);
  CHECK(parse_rfc3339("2025-01-01T08:00:00.250Z") == 1735718400250);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("time: RFC 3339 text, in milliseconds or whole seconds") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_rfc3339(1735718400250) == "2025-01-01T08:00:00.250Z");
  CHECK(format_rfc3339(1735718400999, TimePrecision::seconds) == "2025-01-01T08:00:00Z");  // truncated
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999Z");
  for (long long t : {0LL, 1735718400250LL, 951782400000LL, 4102444799999LL})
    CHECK(parse_rfc3339(format_rfc3339(t)) == t);
}

TEST_CASE("time: malformed RFC 3339 is refused") {
  for (const char* s : {"", "tomorrow", "2025-01-01", "2025-01-01T08:00:00", "2025-13-01T00:00:00Z",
                        "2025-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2025-01-01T24:00:00Z",
                        "2025-01-01T08:00:00+5:00", "2025-01-01T08:00:00Zjunk", "2025-01-01T08:00:00.Z"}) {
    INFO(s);
    CHECK_FALSE(parse_rfc3339(s).has_value());
  }
}

TEST_CASE("time: HTTP dates") {
  CHECK(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT") == 1445412480000);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  for (const char* s : {"", "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Foo 2015 07:28:00 GMT",
                        "Wed, 32 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT", "120"}) {
    INFO(s);
    CHECK_FALSE(parse_http_date(s).has_value());
  }
}

TEST_CASE("time: time zones come from the tz database") {
  CHECK(is_known_timezone("UTC"));
  CHECK(is_known_timezone("America/New_York"));
  CHECK(is_known_timezone("Pacific/Honolulu"));
  CHECK_FALSE(is_known_timezone("Mars/Olympus"));
  CHECK_FALSE(is_known_timezone(""));
}

TEST_CASE("time: a time as text is RFC 3339 or 1 to 15 digits of Unix milliseconds") {
  CHECK(parse_rfc3339_or_ms("1781550000000") == 1781550000000);
  CHECK(parse_rfc3339_or_ms("0") == 0);
  CHECK(parse_rfc3339_or_ms("2026-06-15T15:00:00-04:00") == 1781550000000);
  CHECK_FALSE(parse_rfc3339_or_ms(""));
  CHECK_FALSE(parse_rfc3339_or_ms("1234567890123456"));  // 16 digits: not a time
  CHECK_FALSE(parse_rfc3339_or_ms("12a"));
}
