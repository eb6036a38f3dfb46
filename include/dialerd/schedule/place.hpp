#pragma once
// Where a contact is, for the legal checks: the contact's own time zone together with the zones its number
// belongs to (NANP area-code table; elsewhere the country's zones in the OS tz database). All are kept: a
// call must be legal in each, so a declared zone only ever narrows. A number that gives no zone and a
// contact that declares none follow `unknown` (config compliance.unknown_zone): never the campaign's zone
// silently.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/schedule/compliance.hpp"

namespace dialerd::schedule {

ContactPlace resolve_place(const std::optional<std::string>& contact_timezone, std::string_view e164,
                           Zone campaign_zone, UnknownZone unknown = UnknownZone::restrictive);
// The same answer with every number parsed by libphonenumber. resolve_place skips the parse for "+1"
// numbers whose area code is in the NANP table, where the table alone decides (slower; for tests).
ContactPlace resolve_place_reference(const std::optional<std::string>& contact_timezone, std::string_view e164,
                                     Zone campaign_zone, UnknownZone unknown = UnknownZone::restrictive);

// The zones the tz database lists for a country (zone.tab), e.g. "GB" -> {Europe/London}.
const std::vector<Zone>& zones_of_country(std::string_view iso2);

}  // namespace dialerd::schedule
