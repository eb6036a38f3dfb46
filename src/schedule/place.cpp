#include "dialerd/schedule/place.hpp"

#include <array>
#include <fstream>
#include <map>
#include <sstream>

#include <phonenumbers/phonenumberutil.h>

#include "dialerd/schedule/nanp.hpp"

namespace dialerd::schedule {

namespace {

std::map<std::string, std::vector<Zone>, std::less<>> load_zone_tab() {
  std::map<std::string, std::vector<Zone>, std::less<>> out;
  // zone.tab: "CC<tab>coordinates<tab>zone<tab>comment", one line per zone, from the tzdata package.
  std::ifstream in("/usr/share/zoneinfo/zone.tab");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string country, coordinates, zone;
    if (!(fields >> country >> coordinates >> zone)) continue;
    if (Zone z = find_zone(zone)) out[country].push_back(z);
  }
  return out;
}

// What a NANP area code in the table places a number in: its region and the zones of its names that the
// tz database knows. Built once; read-only afterwards.
struct AreaPlace {
  std::string region;
  std::vector<Zone> zones;
};
const std::array<AreaPlace, 1000>& area_places() {
  static const auto table = [] {
    std::array<AreaPlace, 1000> out;
    for (int area = 200; area < 1000; ++area) {
      out[static_cast<std::size_t>(area)].region = std::string(nanp_region(area));
      for (auto name : nanp_zones(area))
        if (Zone z = find_zone(name)) out[static_cast<std::size_t>(area)].zones.push_back(z);
    }
    return out;
  }();
  return table;
}

// The area code of "+1" followed by ten digits whose area code is in the NANP table, else 0. For these
// numbers libphonenumber's parse gives country code 1 and the ten digits as the national number (an area
// code never starts with 0 or 1, so there is no national prefix to strip), and the table's region replaces
// whatever region it would name: the answer is the table's, and libphonenumber need not run.
int nanp_table_area(std::string_view e164) {
  if (e164.size() != 12 || e164[0] != '+' || e164[1] != '1') return 0;
  for (std::size_t i = 2; i < e164.size(); ++i)
    if (e164[i] < '0' || e164[i] > '9') return 0;
  int area = (e164[2] - '0') * 100 + (e164[3] - '0') * 10 + (e164[4] - '0');
  return area >= 200 && !nanp_region(area).empty() ? area : 0;
}

const std::vector<Zone>& zones_of_region_country(const std::string& region);

// The contact's own zone and the number's. A declared zone never widens the legal window: it is added to
// the number's zones (a call must be legal in each), never put in their place, so a wrong or hostile
// `timezone` can only make calls rarer. Neither: as `unknown` says.
ContactPlace choose(ContactPlace place, const std::optional<std::string>& contact_timezone,
                    const std::vector<Zone>& from_number, Zone campaign_zone, UnknownZone unknown) {
  if (contact_timezone)
    if (Zone z = find_zone(*contact_timezone)) {
      place.zones = {z};
      for (Zone n : from_number)
        if (n != z) place.zones.push_back(n);
      place.zone_source = from_number.empty() ? "contact" : "contact_and_number";
      return place;
    }
  if (!from_number.empty()) {
    place.zones = from_number;
    place.zone_source = "number";
    return place;
  }
  switch (unknown) {
    case UnknownZone::campaign:
      place.zones = {campaign_zone};
      place.zone_source = "campaign";
      return place;
    case UnknownZone::restrictive:
      if (const auto& country = zones_of_region_country(place.region); !country.empty()) {
        place.zones = country;
        place.zone_source = "country";
        return place;
      }
      [[fallthrough]];
    case UnknownZone::refuse:
      break;
  }
  place.zones.clear();
  place.zone_source = "unknown";
  return place;
}

// The zones of the country of a region ("US-FL" -> US's), none for "" or a non-country code ("001").
const std::vector<Zone>& zones_of_region_country(const std::string& region) {
  static const std::vector<Zone> none;
  if (region.size() < 2) return none;
  return zones_of_country(std::string_view(region).substr(0, 2));
}

}  // namespace

const std::vector<Zone>& zones_of_country(std::string_view iso2) {
  static const auto table = [] {
    auto out = load_zone_tab();
    // Regions libphonenumber names that zone.tab lacks (issue 16.11): Ascension (AC, +247) and Tristan da
    // Cunha (TA, +290 2) keep St Helena's time (UTC, no DST), as the tz database's backward file and
    // libphonenumber's own time-zone data say; Kosovo (XK, +383) keeps Belgrade's (tzdata has no
    // Europe/Pristina).
    for (auto [region, zone] : {std::pair{"AC", "Atlantic/St_Helena"}, std::pair{"TA", "Atlantic/St_Helena"},
                                std::pair{"XK", "Europe/Belgrade"}})
      if (!out.count(region))
        if (Zone z = find_zone(zone)) out[region] = {z};
    return out;
  }();
  static const std::vector<Zone> none;
  auto it = table.find(iso2);
  return it == table.end() ? none : it->second;
}

ContactPlace resolve_place(const std::optional<std::string>& contact_timezone, std::string_view e164,
                           Zone campaign_zone, UnknownZone unknown) {
  if (int area = nanp_table_area(e164)) {
    const AreaPlace& a = area_places()[static_cast<std::size_t>(area)];
    ContactPlace place;
    place.region = a.region;
    return choose(std::move(place), contact_timezone, a.zones, campaign_zone, unknown);
  }
  return resolve_place_reference(contact_timezone, e164, campaign_zone, unknown);
}

ContactPlace resolve_place_reference(const std::optional<std::string>& contact_timezone, std::string_view e164,
                                     Zone campaign_zone, UnknownZone unknown) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  ContactPlace place;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  std::vector<Zone> from_number;
  if (util.Parse(std::string(e164), "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR) {
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    if (region != "ZZ") place.region = region;
    std::string national;
    util.GetNationalSignificantNumber(number, &national);
    if (number.country_code() == 1 && national.size() == 10) {
      int area = std::stoi(national.substr(0, 3));
      if (auto sub = nanp_region(area); !sub.empty()) place.region = std::string(sub);  // e.g. "US-FL"
      for (auto name : nanp_zones(area))
        if (Zone z = find_zone(name)) from_number.push_back(z);
    } else if (number.country_code() != 1 && !place.region.empty()) {
      from_number = zones_of_country(place.region);
    }
  }
  return choose(std::move(place), contact_timezone, from_number, campaign_zone, unknown);
}

}  // namespace dialerd::schedule
