#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialerd/schedule/nanp.hpp"
#include "dialerd/schedule/time.hpp"

using namespace dialerd::schedule;

namespace {

std::vector<std::string_view> zones_of(int area_code) {
  auto zones = nanp_zones(area_code);
  return {zones.begin(), zones.end()};
}

bool has_zone(int area_code, std::string_view zone) {
  auto zones = nanp_zones(area_code);
  return std::find(zones.begin(), zones.end(), zone) != zones.end();
}

}  // namespace

TEST_CASE("nanp: area codes in one zone") {
  const std::pair<int, std::string_view> cases[] = {
      {212, "America/New_York"},    {213, "America/Los_Angeles"}, {310, "America/Los_Angeles"},
      {415, "America/Los_Angeles"}, {312, "America/Chicago"},     {303, "America/Denver"},
      {602, "America/Phoenix"},     {808, "Pacific/Honolulu"},    {416, "America/Toronto"},
      {604, "America/Vancouver"},   {787, "America/Puerto_Rico"}, {876, "America/Jamaica"},
  };
  for (const auto& [area_code, zone] : cases) {
    INFO(area_code);
    CHECK(zones_of(area_code) == std::vector<std::string_view>{zone});
  }
}

TEST_CASE("nanp: area codes spanning zones list every zone") {
  auto panhandle = zones_of(850);
  CHECK(std::set<std::string_view>(panhandle.begin(), panhandle.end()) ==
        std::set<std::string_view>{"America/Chicago", "America/New_York"});
  CHECK(has_zone(907, "America/Anchorage"));
  CHECK(has_zone(907, "America/Adak"));
  CHECK(has_zone(709, "America/St_Johns"));
  CHECK(has_zone(306, "America/Regina"));
  CHECK(has_zone(208, "America/Boise"));
  CHECK(has_zone(208, "America/Los_Angeles"));
  CHECK(has_zone(812, "America/Chicago"));
  CHECK(has_zone(812, "America/Indiana/Indianapolis"));
  // An overlay lists the same zones as the code it overlays.
  CHECK(zones_of(448) == zones_of(850));
  CHECK(zones_of(364) == zones_of(270));
}

TEST_CASE("nanp: non-geographic and unknown area codes have no zone") {
  for (int area_code : {800, 833, 844, 855, 866, 877, 888, 900, 500, 533, 600, 700, 710, 555, 211, 911, 0, 1000, -1}) {
    INFO(area_code);
    CHECK(nanp_zones(area_code).empty());
  }
}

TEST_CASE("nanp: every zone list names each zone once") {
  int covered = 0;
  for (int area_code = 200; area_code <= 999; ++area_code) {
    auto zones = zones_of(area_code);
    if (zones.empty()) continue;
    ++covered;
    INFO(area_code);
    CHECK(std::set<std::string_view>(zones.begin(), zones.end()).size() == zones.size());
  }
  CHECK(covered > 400);  // every geographic code of the US, Canada and the other members
}

TEST_CASE("nanp: every zone is in the tz database") {
  for (int area_code = 200; area_code <= 999; ++area_code) {
    for (std::string_view zone : nanp_zones(area_code)) {
      INFO(area_code << " " << zone);
      CHECK(std::filesystem::exists("/usr/share/zoneinfo/" + std::string(zone)));
      CHECK(is_known_timezone(zone));
    }
  }
}

TEST_CASE("nanp: region of an area code") {
  const std::pair<int, std::string_view> cases[] = {
      {212, "US-NY"}, {305, "US-FL"}, {206, "US-WA"}, {202, "US-DC"}, {416, "CA-ON"}, {604, "CA-BC"},
      {787, "PR"},    {671, "GU"},    {876, "JM"},    {340, "VI"},    {670, "MP"},    {684, "AS"},
      {242, "BS"},    {809, "DO"},    {514, "CA-QC"}, {907, "US-AK"}, {808, "US-HI"}, {915, "US-TX"},
  };
  for (const auto& [area_code, region] : cases) {
    INFO(area_code);
    CHECK(nanp_region(area_code) == region);
  }
}

TEST_CASE("nanp: an overlay has the region of the code it overlays") {
  const std::pair<int, int> overlays[] = {{448, 850}, {364, 270}, {645, 305}, {332, 212}, {771, 202},
                                          {437, 416}, {778, 604}, {939, 787}, {658, 876}, {849, 809}};
  for (const auto& [overlay, parent] : overlays) {
    INFO(overlay << " over " << parent);
    CHECK(nanp_region(overlay) == nanp_region(parent));
    CHECK(!nanp_region(overlay).empty());
  }
}

TEST_CASE("nanp: area codes spanning regions return the most populous") {
  CHECK(nanp_region(902) == "CA-NS");
  CHECK(nanp_region(782) == "CA-NS");
  CHECK(nanp_region(867) == "CA-YT");
}

TEST_CASE("nanp: non-geographic and unknown area codes have no region") {
  for (int area_code : {800, 833, 888, 900, 500, 600, 700, 710, 555, 211, 911, 0, 1000, -1}) {
    INFO(area_code);
    CHECK(nanp_region(area_code).empty());
  }
}

TEST_CASE("nanp: an area code has zones exactly when it has a region") {
  for (int area_code = 200; area_code <= 999; ++area_code) {
    INFO(area_code);
    CHECK(nanp_zones(area_code).empty() == nanp_region(area_code).empty());
  }
}

TEST_CASE("nanp: every region is XX or XX-YY") {
  const auto is_code = [](std::string_view part) {
    return part.size() == 2 && std::all_of(part.begin(), part.end(),
                                           [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
  };
  std::set<std::string_view> regions;
  for (int area_code = 200; area_code <= 999; ++area_code) {
    std::string_view region = nanp_region(area_code);
    if (region.empty()) continue;
    regions.insert(region);
    INFO(area_code << " " << region);
    const bool country = is_code(region);
    const bool subdivision = region.size() == 5 && region[2] == '-' && is_code(region.substr(0, 2)) &&
                             is_code(region.substr(3)) && (region.starts_with("US-") || region.starts_with("CA-"));
    CHECK((country || subdivision));
    CHECK(region != "US");  // a US area code is in a state, DC or a territory with its own code
    CHECK(region != "CA");
  }
  // 50 states and DC; 10 of the 13 provinces and territories (PE shares 902/782 with NS, NT and NU share 867
  // with YT); 5 US territories; the 18 other NANP countries.
  CHECK(regions.size() == 51 + 10 + 5 + 18);
}
