#include "dialerd/schedule/place.hpp"

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

}  // namespace

const std::vector<Zone>& zones_of_country(std::string_view iso2) {
  static const auto table = load_zone_tab();
  static const std::vector<Zone> none;
  auto it = table.find(iso2);
  return it == table.end() ? none : it->second;
}

ContactPlace resolve_place(const std::optional<std::string>& contact_timezone, std::string_view e164,
                           Zone campaign_zone) {
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
  if (contact_timezone)
    if (Zone z = find_zone(*contact_timezone)) {
      place.zones = {z};
      place.zone_source = "contact";
      return place;
    }
  if (!from_number.empty()) {
    place.zones = std::move(from_number);
    place.zone_source = "number";
    return place;
  }
  place.zones = {campaign_zone};
  place.zone_source = "campaign";
  return place;
}

}  // namespace dialerd::schedule
