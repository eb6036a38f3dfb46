#include <catch2/catch.hpp>

#include <cstdio>

#include <date/tz.h>

#include "dialerd/schedule/place.hpp"

using namespace dialerd::schedule;

namespace {
std::vector<std::string> names(const ContactPlace& p) {
  std::vector<std::string> out;
  for (Zone z : p.zones) out.emplace_back(z->name());
  return out;
}
}  // namespace

TEST_CASE("place: the contact's own time zone comes first, and never replaces the number's zones") {
  // Issue 16.2: a declared zone is added to the number's, so it can only narrow the legal window.
  auto p = resolve_place(std::string("Europe/Paris"), "+12125550100", find_zone("UTC"));
  CHECK(names(p) == std::vector<std::string>{"Europe/Paris", "America/New_York"});
  CHECK(p.zone_source == "contact_and_number");
  CHECK(p.region == "US-NY");
  auto same = resolve_place(std::string("America/New_York"), "+12125550100", find_zone("UTC"));
  CHECK(names(same) == std::vector<std::string>{"America/New_York"});
  // A San Francisco number declared Europe/London: 00:26 in Los Angeles is 08:26 in London, and must not pass.
  auto sf = resolve_place(std::string("Europe/London"), "+14155550100", find_zone("UTC"));
  CHECK(names(sf) == std::vector<std::string>{"Europe/London", "America/Los_Angeles"});
  // A number with no zone of its own: the declared zone alone.
  auto none = resolve_place(std::string("Europe/Paris"), "+80012345678", find_zone("UTC"));
  CHECK(names(none) == std::vector<std::string>{"Europe/Paris"});
  CHECK(none.zone_source == "contact");
}

TEST_CASE("place: a NANP number is placed by its area code") {
  auto ny = resolve_place(std::nullopt, "+12125550100", find_zone("UTC"));
  CHECK(names(ny) == std::vector<std::string>{"America/New_York"});
  CHECK(ny.zone_source == "number");
  CHECK(ny.region == "US-NY");
  CHECK(resolve_place(std::nullopt, "+13055550100", find_zone("UTC")).region == "US-FL");
  auto hnl = resolve_place(std::nullopt, "+18085550100", find_zone("UTC"));
  CHECK(names(hnl) == std::vector<std::string>{"Pacific/Honolulu"});
  auto panhandle = resolve_place(std::nullopt, "+18505550100", find_zone("UTC"));
  CHECK(panhandle.zones.size() == 2);  // Central and Eastern: both must allow the call
}

TEST_CASE("place: elsewhere the country's zones from the tz database") {
  auto gb = resolve_place(std::nullopt, "+442079460958", find_zone("UTC"));
  CHECK(names(gb) == std::vector<std::string>{"Europe/London"});
  CHECK(gb.region == "GB");
  auto au = resolve_place(std::nullopt, "+61291234567", find_zone("UTC"));
  CHECK(au.zones.size() > 3);  // several zones, all kept
  CHECK(zones_of_country("FR").size() == 1);
  CHECK(zones_of_country("XX").empty());
}

TEST_CASE("place: a number with no zone of its own never borrows the campaign's silently (issue 16.11)") {
  const Zone chicago = find_zone("America/Chicago");
  // Toll-free: libphonenumber places it in the US, the area-code table gives 800 no zone. The default,
  // restrictive, checks the call in every US zone.
  auto toll_free = resolve_place(std::nullopt, "+18005550100", chicago);
  CHECK(toll_free.region == "US");
  CHECK(toll_free.zone_source == "country");
  CHECK(toll_free.zones == zones_of_country("US"));
  // International freephone (+800): no country, so no zone at all; decide() skips such a call.
  auto freephone = resolve_place(std::string("Not/AZone"), "+80012345678", chicago);
  CHECK(freephone.zones.empty());
  CHECK(freephone.zone_source == "unknown");
  // refuse: unknown even where the country is known.
  auto refused = resolve_place(std::nullopt, "+18005550100", chicago, UnknownZone::refuse);
  CHECK(refused.zones.empty());
  CHECK(refused.zone_source == "unknown");
  // campaign: the old behaviour, only as the operator's explicit choice.
  auto borrowed = resolve_place(std::string("Not/AZone"), "+80012345678", chicago, UnknownZone::campaign);
  CHECK(names(borrowed) == std::vector<std::string>{"America/Chicago"});
  CHECK(borrowed.zone_source == "campaign");
  // A declared zone is enough under every policy.
  for (auto policy : {UnknownZone::restrictive, UnknownZone::refuse, UnknownZone::campaign}) {
    auto declared = resolve_place(std::string("Europe/Paris"), "+18005550100", chicago, policy);
    CHECK(names(declared) == std::vector<std::string>{"Europe/Paris"});
    CHECK(declared.zone_source == "contact");
  }
}

TEST_CASE("place: NANP numbers placed from the area-code table alone answer as libphonenumber's parse does") {
  // resolve_place skips libphonenumber for "+1" and ten digits whose area code is in the table; the
  // reference parses every number. Every area code, numbers valid and not, each zone source.
  auto same = [](const ContactPlace& a, const ContactPlace& b) {
    return a.zones == b.zones && a.zone_source == b.zone_source && a.region == b.region;
  };
  const Zone campaign = find_zone("America/Chicago");
  const std::optional<std::string> zones[] = {std::nullopt, std::string("Europe/Paris"), std::string("Not/AZone")};
  int checked = 0;
  for (int area = 0; area < 1000; ++area) {
    for (const char* rest : {"5550100", "2000000", "9999999", "0123456", "1000000"}) {
      char number[16];
      std::snprintf(number, sizeof number, "+1%03d%s", area, rest);
      for (const auto& zone : zones) {
        INFO(number << " contact zone " << zone.value_or("none"));
        for (auto policy : {UnknownZone::restrictive, UnknownZone::refuse, UnknownZone::campaign})
          CHECK(same(resolve_place(zone, number, campaign, policy),
                     resolve_place_reference(zone, number, campaign, policy)));
        ++checked;
      }
    }
  }
  // Shapes the table does not decide go through libphonenumber either way.
  for (const char* number : {"+1212555010", "+121255501000", "+1 2125550100", "+442079460958", "12125550100", ""})
    CHECK(same(resolve_place(std::nullopt, number, campaign), resolve_place_reference(std::nullopt, number, campaign)));
  CHECK(checked == 15000);
}

TEST_CASE("place: regions zone.tab lacks are mapped - Kosovo, Ascension, Tristan da Cunha (issue 16.11)") {
  // A Kosovo number in a New York campaign was checked in New York's time: called until 03:00 local.
  auto xk = resolve_place(std::nullopt, "+38343201234", find_zone("America/New_York"));
  CHECK(xk.region == "XK");
  CHECK(names(xk) == std::vector<std::string>{"Europe/Belgrade"});
  CHECK(xk.zone_source == "number");
  auto ac = resolve_place(std::nullopt, "+2476889", find_zone("America/New_York"));
  CHECK(ac.region == "AC");
  CHECK(names(ac) == std::vector<std::string>{"Atlantic/St_Helena"});
  auto ta = resolve_place(std::nullopt, "+2908999", find_zone("America/New_York"));
  CHECK(ta.region == "TA");
  CHECK(names(ta) == std::vector<std::string>{"Atlantic/St_Helena"});
}
