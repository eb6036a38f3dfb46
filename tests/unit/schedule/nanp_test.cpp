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
