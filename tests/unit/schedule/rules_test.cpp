// Rule sets as data (schedule/rules.hpp): the file format's errors name the place, holidays land on the
// right dates with their observed days, and resolution folds regions, effective dates and the config keys
// into the hours and caps the decision reads.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dialerd/schedule/rules.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::schedule;
using dialerd::domain::UnixMs;

namespace {

std::int32_t day(const char* text) {
  return *parse_date(text);
}

UnixMs at(const char* rfc3339) {
  return *dialerd::util::parse_rfc3339(rfc3339);
}

// A rule file with one region entry, for the error cases.
std::string with_region(const std::string& region, const std::string& body) {
  return R"({"name": "t", "regions": {")" + region + R"(": )" + body + "}}";
}

const std::string kHours = R"("source": "Test Act 1", "effective_from": "2020-01-01")";

std::string error_of(const std::string& text) {
  auto set = parse_rule_set(text);
  REQUIRE_FALSE(set);
  return set.error();
}

HolidayRule fixed(int month, int d, HolidayRule::Observed observed) {
  HolidayRule h;
  h.kind = HolidayRule::Kind::fixed;
  h.month = month;
  h.day = d;
  h.observed = observed;
  return h;
}

HolidayRule nth(int month, int weekday, int n) {
  HolidayRule h;
  h.kind = HolidayRule::Kind::nth_weekday;
  h.month = month;
  h.weekday = weekday;
  h.nth = n;
  return h;
}

}  // namespace

TEST_CASE("rules: a bad rule file is refused with the place and the problem named") {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"{", "not valid JSON"},
      {R"({"regions": {}})", "name: is required"},
      {R"({"name": "t"})", "regions: is required"},
      {R"({"name": "t", "regions": {}, "extra": 1})", "extra: unknown key"},
      {with_region("US-XX", "{}"), "regions.US-XX: not a region dialerd places numbers in"},
      {with_region("Florida", "{}"), "regions.Florida: not a region dialerd places numbers in"},
      {with_region("US-FL", R"({"hours": [{"days": [1], "start": "8am", "end": "20:00", )" + kHours + "}]}"),
       "regions.US-FL.hours[0].start: \"8am\" is not a time HH:MM"},
      {with_region("US-FL", R"({"hours": [{"days": [8], "start": "08:00", "end": "20:00", )" + kHours + "}]}"),
       "regions.US-FL.hours[0].days[0]: must be 1 (Monday) .. 7 (Sunday), got 8"},
      {with_region("US-FL", R"({"hours": [{"days": [1], "start": "08:00", "end": "20:00", )" + kHours +
                                R"(}, {"days": [2, 1], "start": "09:00", "end": "20:00", )" + kHours + "}]}"),
       "regions.US-FL.hours[1].days: weekday 1 already has hours from the same effective_from"},
      {with_region("US-FL", R"({"hours": [{"days": [1], "start": "08:00", "end": "20:00",
                                "effective_from": "2020-01-01"}]})"),
       "regions.US-FL.hours[0].source: is required"},
      {with_region("US-FL", R"({"hours": [{"days": [1], "start": "08:00", "end": "20:00", "source": "x",
                                "effective_from": "2020-13-01"}]})"),
       "regions.US-FL.hours[0].effective_from: \"2020-13-01\" is not a date YYYY-MM-DD"},
      {with_region("US",
                   R"({"holidays": [{"name": "x", "date": "2026-01-01", "month": 1, "day": 1, )" + kHours + "}]}"),
       "regions.US.holidays[0]: give exactly one of"},
      {with_region("US", R"({"holidays": [{"name": "x", "month": 2, "day": 30, )" + kHours + "}]}"),
       "regions.US.holidays[0].day: month 2 has no day 30"},
      {with_region("US", R"({"holidays": [{"name": "x", "month": 11, "weekday": 4, "nth": 4, "observed":
                             "nearest_weekday", )" +
                             kHours + "}]}"),
       "regions.US.holidays[0].observed: only a fixed-date holiday"},
      {with_region("US", R"({"rolling_caps": [{"calls": 3, "hours": 24, "per": "campaign", )" + kHours + "}]}"),
       "regions.US.rolling_caps[0].per: must be \"subject\" or \"contact\", got \"campaign\""},
      {with_region("US", R"({"rolling_caps": [{"calls": 0, "hours": 24, "per": "subject", )" + kHours + "}]}"),
       "regions.US.rolling_caps[0].calls: must be 1..1000, got 0"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK_THAT(error_of(c.text), Catch::StartsWith(c.error));
  }
}

TEST_CASE("rules: holidays fall on their dates and move off weekends as observed") {
  using O = HolidayRule::Observed;
  // 4 July 2026 is a Saturday: observed Friday 3 July; 2027 a Sunday: observed Monday 5 July.
  CHECK(holiday_dates(fixed(7, 4, O::nearest_weekday), 2026) == std::vector{day("2026-07-04"), day("2026-07-03")});
  CHECK(holiday_dates(fixed(7, 4, O::nearest_weekday), 2027) == std::vector{day("2027-07-04"), day("2027-07-05")});
  CHECK(holiday_dates(fixed(7, 4, O::nearest_weekday), 2028) == std::vector{day("2028-07-04")});  // a Tuesday
  CHECK(holiday_dates(fixed(7, 4, O::none), 2026) == std::vector{day("2026-07-04")});
  // next_weekday: a Saturday also closes the Monday after.
  CHECK(holiday_dates(fixed(7, 4, O::next_weekday), 2026) == std::vector{day("2026-07-04"), day("2026-07-06")});
  CHECK(holiday_dates(fixed(12, 25, O::next_weekday), 2022) == std::vector{day("2022-12-25"), day("2022-12-26")});
  // sunday_to_monday: only a Sunday moves.
  CHECK(holiday_dates(fixed(7, 4, O::sunday_to_monday), 2026) == std::vector{day("2026-07-04")});
  CHECK(holiday_dates(fixed(7, 4, O::sunday_to_monday), 2027) == std::vector{day("2027-07-04"), day("2027-07-05")});
  CHECK(holiday_dates(fixed(2, 29, O::none), 2027).empty());  // no 29 February
  CHECK(holiday_dates(fixed(2, 29, O::none), 2028) == std::vector{day("2028-02-29")});
  // Thanksgiving (4th Thursday of November), Memorial Day (last Monday of May), Labor Day (1st Monday).
  CHECK(holiday_dates(nth(11, 4, 4), 2026) == std::vector{day("2026-11-26")});
  CHECK(holiday_dates(nth(5, 1, -1), 2026) == std::vector{day("2026-05-25")});
  CHECK(holiday_dates(nth(9, 1, 1), 2026) == std::vector{day("2026-09-07")});
  CHECK(holiday_dates(nth(6, 7, -1), 2026) == std::vector{day("2026-06-28")});  // last Sunday (ISO 7)
  CHECK(holiday_dates(nth(2, 1, 5), 2026).empty());                             // no fifth Monday
  HolidayRule once;
  once.kind = HolidayRule::Kind::date;
  once.date = day("2027-01-02");
  CHECK(holiday_dates(once, 2027) == std::vector{day("2027-01-02")});
  CHECK(holiday_dates(once, 2026).empty());
}

TEST_CASE("rules: the most specific region's hours hold from their effective date - before it the parent's") {
  auto set = parse_rule_set(R"({"name": "t", "regions": {
    "US": {"hours": [{"days": [1,2,3,4,5,6,7], "start": "08:00", "end": "21:00", "source": "federal",
                      "effective_from": "1992-12-20"}]},
    "US-FL": {"hours": [{"days": [1,2,3,4,5,6], "start": "08:00", "end": "20:00", "source": "florida",
                         "effective_from": "2021-07-01"},
                        {"days": [7], "start": "12:00", "end": "20:00", "source": "florida sunday",
                         "effective_from": "2021-07-01"}],
              "holidays": [{"name": "Independence Day", "month": 7, "day": 4, "observed": "nearest_weekday",
                            "source": "holiday act", "effective_from": "2000-01-01"}],
              "rolling_caps": [{"calls": 3, "hours": 24, "per": "subject", "source": "florida cap",
                                "effective_from": "2021-07-01"}]}}})");
  REQUIRE(set);
  RuleOverrides config;
  config.rolling_calls = 7;
  LegalRules legal;
  resolve_rules(*set, config, legal);
  CHECK(legal.rule_set == "t");
  const Hours& fl = legal.for_region("US-FL").hours;
  // Before 1992-12-20: the config default; then the federal table; from 2021-07-01 Florida's.
  REQUIRE(fl.tables.size() == 3);
  CHECK(fl.table_on(day("1990-01-01"))->source == "config compliance.respectful_hours");
  CHECK(fl.table_on(day("2020-01-01"))->source == "federal");
  CHECK(fl.on(day("2021-06-27")) == DailyWindow{8 * 60, 21 * 60});   // a Sunday before the law
  CHECK(fl.on(day("2021-07-04")) == std::nullopt);                   // Independence Day, a Sunday
  CHECK(fl.on(day("2021-07-05")) == std::nullopt);                   // observed on the Monday
  CHECK(fl.on(day("2021-07-11")) == DailyWindow{12 * 60, 20 * 60});  // a Sunday after
  CHECK(fl.on(day("2021-07-12")) == DailyWindow{8 * 60, 20 * 60});
  CHECK(fl.table_on(day("2021-07-12"))->source == "florida; florida sunday");
  REQUIRE(fl.closure_on(day("2021-07-05")));
  CHECK(fl.reasons[fl.closure_on(day("2021-07-05"))->why].name == "Independence Day (observed)");
  // A Georgia number has the federal hours and no Florida holiday; a British one the config default.
  CHECK(legal.for_region("US-GA").hours.on(day("2021-07-05")) == DailyWindow{8 * 60, 21 * 60});
  CHECK(legal.for_region("GB").hours.table_on(day("2021-07-05"))->source == "config compliance.respectful_hours");
  // Caps accumulate: the config's per-contact cap everywhere, Florida's per subject on top.
  REQUIRE(legal.for_region("US-FL").caps.size() == 2);
  CHECK(legal.for_region("US-FL").caps[1].source == "florida cap");
  CHECK(legal.for_region("US-GA").caps.size() == 1);
  // In force only from the local date it took effect.
  auto ny = find_zone("America/New_York");
  CHECK(caps_in_force(legal.for_region("US-FL"), ny, at("2021-07-01T03:59:00Z")).size() == 1);  // 23:59 June 30
  CHECK(caps_in_force(legal.for_region("US-FL"), ny, at("2021-07-01T04:00:00Z")).size() == 2);
}

TEST_CASE("rules: config region_hours replace the set's hours of a region and holidays add to it") {
  auto set = load_rule_set("us", "");
  REQUIRE(set);
  RuleOverrides config;
  config.region_windows["US-FL"] = DailyWindow{9 * 60, 17 * 60};
  config.region_holidays["US"] = {day("2026-12-24")};
  config.holidays = {day("2026-12-31")};
  LegalRules legal;
  resolve_rules(*set, config, legal);
  const Hours& fl = legal.for_region("US-FL").hours;
  REQUIRE(fl.tables.size() == 1);
  CHECK(fl.tables[0].source == "config compliance.region_hours.US-FL");
  CHECK(fl.on(day("2026-12-22")) == DailyWindow{9 * 60, 17 * 60});
  CHECK(fl.on(day("2026-12-24")) == std::nullopt);  // the US holiday
  CHECK(fl.on(day("2026-12-31")) == std::nullopt);  // everyone's
  CHECK(legal.everywhere.hours.on(day("2026-12-24")) == DailyWindow{8 * 60, 21 * 60});
}

TEST_CASE("rules: the built-in US set - federal hours, narrower states, Sunday bans, per-subject caps") {
  auto set = load_rule_set("us", "");
  REQUIRE(set);
  CHECK(set->name == "us");
  LegalRules legal;
  resolve_rules(*set, RuleOverrides{}, legal);
  const auto monday = day("2026-12-07"), sunday = day("2026-12-06");
  CHECK(legal.for_region("US-NY").hours.on(monday) == DailyWindow{8 * 60, 21 * 60});
  CHECK(legal.for_region("US-FL").hours.on(monday) == DailyWindow{8 * 60, 20 * 60});
  CHECK(legal.for_region("US-MD").hours.on(monday) == DailyWindow{8 * 60, 20 * 60});
  CHECK(legal.for_region("US-TX").hours.on(sunday) == DailyWindow{12 * 60, 21 * 60});
  CHECK(legal.for_region("US-MS").hours.on(sunday) == std::nullopt);
  for (const char* region : {"US-FL", "US-OK", "US-MD"}) {
    INFO(region);
    const auto& caps = legal.for_region(region).caps;
    REQUIRE(caps.size() == 1);
    CHECK(caps[0].calls == 3);
    CHECK(caps[0].hours == 24);
    CHECK(caps[0].per == RollingCap::Per::subject);
    CHECK_FALSE(caps[0].source.empty());
  }
  // Every table and every holiday names its source.
  for (const auto& [region, rules] : legal.regions) {
    INFO(region);
    for (const auto& t : rules.hours.tables) CHECK_FALSE(t.source.empty());
    for (const auto& r : rules.hours.reasons) CHECK_FALSE(r.source.empty());
  }
}

TEST_CASE("rules: compliance.rules names a built-in set, none, or a file - relative to the config's directory") {
  CHECK(load_rule_set("none", "")->regions.empty());
  auto dir = std::filesystem::temp_directory_path() / ("dialerd-rules-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "mine.json") << R"({"name": "mine", "regions": {"GB": {"hours": [{"days": [1,2,3,4,5],
    "start": "09:00", "end": "20:00", "source": "Ofcom guidance", "effective_from": "2020-01-01"}]}}})";
  std::ofstream(dir / "bad.json") << R"({"name": "bad", "regions": {"GB": {"hours": [{"days": [1]}]}}})";
  auto mine = load_rule_set("mine.json", dir.string());
  REQUIRE(mine);
  CHECK(mine->regions.count("GB") == 1);
  auto bad = load_rule_set("bad.json", dir.string());
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "rule file " + (dir / "bad.json").string() + ": regions.GB.hours[0].start: is required");
  auto missing = load_rule_set("nowhere.json", dir.string());
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::StartsWith("cannot read rule file " + (dir / "nowhere.json").string()));
  std::filesystem::remove_all(dir);
}
