#pragma once
// NANP area code -> IANA time zones and region (docs/NANP_TIMEZONES.md). Pure data, no I/O.
#include <span>
#include <string_view>

namespace dialerd::schedule {

// The IANA zones an area code (three digits, e.g. 212) is used in: one for most area codes, several
// where an area code spans zones (e.g. parts of Florida, Texas, Indiana, Kentucky, Tennessee, Oregon,
// Idaho, the Dakotas, Nebraska, Kansas, Michigan). The zone most of its subscribers are on comes first, but
// a caller deciding whether a call is allowed must respect every zone listed. Empty when the area code is
// unknown or not geographic (toll-free 800/833/844/855/866/877/888, 500-series, 900, 700, 710 ...).
std::span<const std::string_view> nanp_zones(int area_code);

// The region an area code belongs to: an ISO 3166-2 subdivision for the US and Canada ("US-FL", "US-DC", "CA-ON"),
// else the ISO 3166-1 alpha-2 country ("PR", "GU", "JM", "BS", "DO", ...); "" when unknown or not geographic.
// US territories with their own ISO 3166-1 code use it (PR, GU, VI, MP, AS), as libphonenumber does. Empty
// exactly when nanp_zones is. The three area codes that span regions return the most populous one: "CA-NS"
// for 902 and 782 (also PE), "CA-YT" for 867 (also NT and NU).
std::string_view nanp_region(int area_code);

}  // namespace dialerd::schedule
