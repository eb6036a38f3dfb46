#pragma once
// Compliance rule sets as data (docs/COMPLIANCE.md): a JSON file of regions, each with calling hours per
// weekday, holidays and rolling caps, every entry carrying the statute it encodes and the date it took
// effect. Parsed into a RuleSet, then resolved with the config's compliance keys into the LegalRules the
// pure decision reads. No I/O here except reading a named file.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/schedule/compliance.hpp"
#include "dialerd/util/result.hpp"

namespace dialerd::schedule {

struct HoursRule {
  std::vector<int> days;  // ISO weekdays 1..7
  DailyWindow window;
  std::int32_t effective_from = 0;
  std::string source;
  bool operator==(const HoursRule&) const = default;
};

struct HolidayRule {
  enum class Kind { date, fixed, nth_weekday };
  // Where a fixed date on a weekend is observed as well: nearest_weekday = Saturday's on the Friday before
  // and Sunday's on the Monday after (US federal practice); next_weekday = either on the Monday after;
  // sunday_to_monday = only Sunday's, on the Monday after.
  enum class Observed { none, nearest_weekday, next_weekday, sunday_to_monday };
  std::string name;
  Kind kind = Kind::fixed;
  std::int32_t date = 0;     // Kind::date
  int month = 1, day = 1;    // Kind::fixed (day), Kind::nth_weekday (month)
  int weekday = 1, nth = 1;  // Kind::nth_weekday: ISO weekday, 1..5 or -1 (the last)
  Observed observed = Observed::none;
  std::int32_t effective_from = 0;
  std::string source;
  bool operator==(const HolidayRule&) const = default;
};

struct RegionRuleSet {
  std::string name;
  std::vector<HoursRule> hours;
  std::vector<HolidayRule> holidays;
  std::vector<RollingCap> caps;
  bool operator==(const RegionRuleSet&) const = default;
};

struct RuleSet {
  std::string name;
  std::string description;
  std::map<std::string, RegionRuleSet, std::less<>> regions;
  bool operator==(const RuleSet&) const = default;
};

// A rule file's text, checked whole: the error names the place ("regions.US-FL.hours[0].start: ...").
util::Result<RuleSet> parse_rule_set(std::string_view text);
// `compliance.rules`: "none" (an empty set), a built-in set by name ("us", etc/dialerd/rules/us.json
// compiled in), or a path to a JSON file (relative to `base_dir` when not absolute). Errors name the file.
util::Result<RuleSet> load_rule_set(const std::string& spec, const std::string& base_dir);
// The names of the built-in sets.
std::vector<std::string> builtin_rule_sets();

// The local dates a holiday closes in one year: its date, and the observed day when it moves one.
std::vector<std::int32_t> holiday_dates(const HolidayRule& holiday, int year);

// The config's compliance keys, which apply on top of the rule set.
struct RuleOverrides {
  DailyWindow window{8 * 60, 21 * 60};                // respectful_hours: where no region gives hours
  std::map<std::string, DailyWindow> region_windows;  // region_hours: replace the set's hours of a region
  std::vector<std::int32_t> holidays;                 // holidays for everyone
  std::map<std::string, std::vector<std::int32_t>> region_holidays;
  int rolling_calls = 0;  // rolling_cap: 0 = none; else per contact, across campaigns
  int rolling_days = 7;
  bool operator==(const RuleOverrides&) const = default;
};

// Folds the set and the overrides into per-region rules: on each date, the hours of the most specific level
// with a table in force - the subdivision (its config region_hours entry, else the set's), then the country
// (likewise), then respectful_hours; holidays and caps of the region, its country and everywhere together. Holidays are
// expanded for the years [first_year, last_year].
void resolve_rules(const RuleSet& set, const RuleOverrides& overrides, LegalRules& out, int first_year = 1990,
                   int last_year = 2100);

// Whether dialerd can place a number in this region: a known country ("GB"), or a US or Canadian
// subdivision its area-code table maps numbers to ("US-FL").
bool placeable_region(std::string_view region);

}  // namespace dialerd::schedule
