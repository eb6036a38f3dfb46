#include "dialerd/schedule/rules.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <date/date.h>
#include <nlohmann/json.hpp>

#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/nanp.hpp"
#include "dialerd/util/json_depth.hpp"

namespace dialerd::schedule {

using json = nlohmann::json;

// The built-in sets: etc/dialerd/rules/<name>.json, compiled in (src/CMakeLists.txt generates this).
std::string_view builtin_rule_set_text(std::string_view name);

namespace {

constexpr std::int32_t kAlways = std::numeric_limits<std::int32_t>::min();

// A rule file error: where, and what.
struct Bad {
  std::string at, what;
};

std::string type_of(const json& v) {
  return v.type_name();
}

void allow_only(const json& obj, std::initializer_list<std::string_view> keys, const std::string& at) {
  for (const auto& [k, v] : obj.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) throw Bad{at.empty() ? k : at + "." + k, "unknown key"};
}

std::string req_string(const json& obj, const char* key, const std::string& at, std::size_t max = 500) {
  if (!obj.contains(key)) throw Bad{at + "." + key, "is required"};
  const json& v = obj[key];
  if (!v.is_string()) throw Bad{at + "." + key, "must be a string, got " + type_of(v)};
  auto s = v.get<std::string>();
  if (s.empty()) throw Bad{at + "." + key, "must not be empty"};
  if (s.size() > max) throw Bad{at + "." + key, "is longer than " + std::to_string(max) + " characters"};
  return s;
}

std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& at, std::size_t max = 2000) {
  if (!obj.contains(key)) return std::nullopt;
  const json& v = obj[key];
  if (!v.is_string()) throw Bad{at + "." + key, "must be a string, got " + type_of(v)};
  if (v.get<std::string>().size() > max)
    throw Bad{at + "." + key, "is longer than " + std::to_string(max) + " characters"};
  return v.get<std::string>();
}

int req_int(const json& obj, const char* key, const std::string& at, int lo, int hi) {
  if (!obj.contains(key)) throw Bad{at + "." + key, "is required"};
  const json& v = obj[key];
  if (!v.is_number_integer()) throw Bad{at + "." + key, "must be an integer, got " + type_of(v)};
  auto n = v.get<std::int64_t>();
  if (n < lo || n > hi)
    throw Bad{at + "." + key, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + v.dump()};
  return static_cast<int>(n);
}

std::int32_t req_date(const json& obj, const char* key, const std::string& at) {
  auto text = req_string(obj, key, at, 10);
  auto day = parse_date(text);
  if (!day) throw Bad{at + "." + key, "\"" + text + "\" is not a date YYYY-MM-DD"};
  return *day;
}

// What every entry carries: the rule it encodes and when it took effect (`verified` and `note` are for
// the reader of the file).
template <class Entry>
void provenance(const json& e, const std::string& at, Entry& out) {
  out.source = req_string(e, "source", at);
  out.effective_from = req_date(e, "effective_from", at);
  if (e.contains("verified") && !e["verified"].is_boolean())
    throw Bad{at + ".verified", "must be true or false, got " + type_of(e["verified"])};
  (void)opt_string(e, "note", at);
}

int hhmm(const json& e, const char* key, const std::string& at, bool allow_24) {
  auto text = req_string(e, key, at, 5);
  auto m = parse_hhmm(text);
  if (!m || (!allow_24 && *m == 24 * 60)) throw Bad{at + "." + key, "\"" + text + "\" is not a time HH:MM"};
  return *m;
}

HoursRule parse_hours(const json& e, const std::string& at) {
  if (!e.is_object()) throw Bad{at, "must be an object {days, start, end, source, effective_from}"};
  allow_only(e, {"days", "start", "end", "source", "effective_from", "verified", "note"}, at);
  HoursRule h;
  if (!e.contains("days")) throw Bad{at + ".days", "is required"};
  const json& days = e["days"];
  if (!days.is_array() || days.empty())
    throw Bad{at + ".days", "must be a non-empty array of ISO weekdays 1 (Monday) .. 7 (Sunday)"};
  for (std::size_t i = 0; i < days.size(); ++i) {
    const json& d = days[i];
    if (!d.is_number_integer() || d.get<std::int64_t>() < 1 || d.get<std::int64_t>() > 7)
      throw Bad{at + ".days[" + std::to_string(i) + "]", "must be 1 (Monday) .. 7 (Sunday), got " + d.dump()};
    if (std::find(h.days.begin(), h.days.end(), d.get<int>()) != h.days.end())
      throw Bad{at + ".days[" + std::to_string(i) + "]", "day " + d.dump() + " is listed twice"};
    h.days.push_back(d.get<int>());
  }
  h.window.start_min = hhmm(e, "start", at, false);
  h.window.end_min = hhmm(e, "end", at, true);
  if (h.window.start_min == h.window.end_min)
    throw Bad{at + ".end", "must differ from start (00:00 to 24:00 is the whole day)"};
  provenance(e, at, h);
  return h;
}

HolidayRule parse_holiday(const json& e, const std::string& at) {
  if (!e.is_object()) throw Bad{at, "must be an object"};
  allow_only(
      e, {"name", "date", "month", "day", "weekday", "nth", "observed", "source", "effective_from", "verified", "note"},
      at);
  HolidayRule h;
  h.name = req_string(e, "name", at, 200);
  const bool by_date = e.contains("date"), by_day = e.contains("day"), by_weekday = e.contains("weekday");
  if (by_date + by_day + by_weekday != 1)
    throw Bad{at, "give exactly one of \"date\", \"month\" with \"day\", or \"month\" with \"weekday\" and \"nth\""};
  if (by_date) {
    if (e.contains("month") || e.contains("nth")) throw Bad{at + ".date", "a single date takes no month or nth"};
    h.kind = HolidayRule::Kind::date;
    h.date = req_date(e, "date", at);
  } else if (by_day) {
    if (e.contains("nth")) throw Bad{at + ".nth", "is only for a \"weekday\" holiday"};
    h.kind = HolidayRule::Kind::fixed;
    h.month = req_int(e, "month", at, 1, 12);
    h.day = req_int(e, "day", at, 1, 31);
    const unsigned last = static_cast<unsigned>(
        (date::year(2024) / date::month(static_cast<unsigned>(h.month)) / date::last).day());  // a leap year
    if (static_cast<unsigned>(h.day) > last)
      throw Bad{at + ".day", "month " + std::to_string(h.month) + " has no day " + std::to_string(h.day)};
  } else {
    h.kind = HolidayRule::Kind::nth_weekday;
    h.month = req_int(e, "month", at, 1, 12);
    h.weekday = req_int(e, "weekday", at, 1, 7);
    h.nth = req_int(e, "nth", at, -1, 5);
    if (h.nth == 0) throw Bad{at + ".nth", "must be 1..5, or -1 for the last, got 0"};
  }
  if (auto obs = opt_string(e, "observed", at, 32)) {
    if (h.kind != HolidayRule::Kind::fixed)
      throw Bad{at + ".observed", "only a fixed-date holiday (month and day) moves off a weekend"};
    if (*obs == "none")
      h.observed = HolidayRule::Observed::none;
    else if (*obs == "nearest_weekday")
      h.observed = HolidayRule::Observed::nearest_weekday;
    else if (*obs == "next_weekday")
      h.observed = HolidayRule::Observed::next_weekday;
    else if (*obs == "sunday_to_monday")
      h.observed = HolidayRule::Observed::sunday_to_monday;
    else
      throw Bad{
          at + ".observed",
          "must be \"none\", \"nearest_weekday\", \"next_weekday\" or \"sunday_to_monday\", got \"" + *obs + "\""};
  }
  provenance(e, at, h);
  return h;
}

RollingCap parse_cap(const json& e, const std::string& at) {
  if (!e.is_object()) throw Bad{at, "must be an object {calls, hours, per, source, effective_from}"};
  allow_only(e, {"calls", "hours", "per", "source", "effective_from", "verified", "note"}, at);
  RollingCap c;
  c.calls = req_int(e, "calls", at, 1, 1000);
  c.hours = req_int(e, "hours", at, 1, 366 * 24);
  auto per = req_string(e, "per", at, 16);
  if (per == "subject")
    c.per = RollingCap::Per::subject;
  else if (per == "contact")
    c.per = RollingCap::Per::contact;
  else
    throw Bad{at + ".per", "must be \"subject\" or \"contact\", got \"" + per + "\""};
  provenance(e, at, c);
  return c;
}

template <class T, class Parse>
std::vector<T> parse_array(const json& region, const char* key, const std::string& at, Parse parse) {
  std::vector<T> out;
  if (!region.contains(key)) return out;
  const json& arr = region[key];
  if (!arr.is_array()) throw Bad{at + "." + key, "must be an array, got " + type_of(arr)};
  for (std::size_t i = 0; i < arr.size(); ++i)
    out.push_back(parse(arr[i], at + "." + key + "[" + std::to_string(i) + "]"));
  return out;
}

RegionRuleSet parse_region(const json& r, const std::string& at) {
  if (!r.is_object()) throw Bad{at, "must be an object {name, hours, holidays, rolling_caps}"};
  allow_only(r, {"name", "hours", "holidays", "rolling_caps", "note"}, at);
  RegionRuleSet out;
  out.name = opt_string(r, "name", at, 200).value_or("");
  (void)opt_string(r, "note", at);
  out.hours = parse_array<HoursRule>(r, "hours", at, parse_hours);
  out.holidays = parse_array<HolidayRule>(r, "holidays", at, parse_holiday);
  out.caps = parse_array<RollingCap>(r, "rolling_caps", at, parse_cap);
  // One weekly table per effective_from: a weekday twice in it would leave which window holds to chance.
  std::map<std::int32_t, std::set<int>> tables;
  for (std::size_t i = 0; i < out.hours.size(); ++i)
    for (int d : out.hours[i].days)
      if (!tables[out.hours[i].effective_from].insert(d).second)
        throw Bad{at + ".hours[" + std::to_string(i) + "].days",
                  "weekday " + std::to_string(d) + " already has hours from the same effective_from"};
  std::stable_sort(out.hours.begin(), out.hours.end(),
                   [](const HoursRule& a, const HoursRule& b) { return a.effective_from < b.effective_from; });
  return out;
}

// The weekly tables of one region's hours entries, one per effective_from.
std::vector<WeekHours> tables_of(const std::vector<HoursRule>& hours) {
  std::vector<WeekHours> out;
  for (const auto& h : hours) {
    if (out.empty() || out.back().from_day != h.effective_from) {
      out.emplace_back();
      out.back().from_day = h.effective_from;
    }
    auto& table = out.back();
    for (int d : h.days) table.by_weekday[static_cast<std::size_t>(d - 1)] = h.window;
    if (table.source.find(h.source) == std::string::npos) table.source += (table.source.empty() ? "" : "; ") + h.source;
  }
  return out;
}

struct Closures {
  std::map<std::int32_t, std::uint32_t> days;  // first reason a day gets wins (most specific first)
  std::vector<ClosureReason> reasons;
  std::uint32_t reason(ClosureReason r) {
    for (std::uint32_t i = 0; i < reasons.size(); ++i)
      if (reasons[i] == r) return i;
    reasons.push_back(std::move(r));
    return static_cast<std::uint32_t>(reasons.size() - 1);
  }
  void close(std::int32_t day, std::uint32_t why) { days.emplace(day, why); }
  void add(const HolidayRule& h, int first_year, int last_year) {
    const auto plain = reason({h.name, h.source});
    const auto observed = reason({h.name + " (observed)", h.source});
    for (int y = first_year; y <= last_year; ++y) {
      auto dates = holiday_dates(h, y);
      for (std::size_t i = 0; i < dates.size(); ++i)
        if (dates[i] >= h.effective_from) close(dates[i], i == 0 ? plain : observed);
    }
  }
  void into(Hours& hours) {
    hours.reasons = std::move(reasons);
    hours.closed.clear();
    for (auto [day, why] : days) hours.closed.push_back({day, why});
  }
};

}  // namespace

bool placeable_region(std::string_view region) {
  if (region.size() == 2) return region != "ZZ" && domain::is_known_region(region);
  if (region.size() < 4 || region[2] != '-') return false;
  for (int area = 200; area < 1000; ++area)
    if (nanp_region(area) == region) return true;
  return false;
}

util::Result<RuleSet> parse_rule_set(std::string_view text) {
  if (util::json_nested_deeper_than(text))
    return util::fail("nests deeper than " + std::to_string(util::kMaxJsonDepth) + " levels");
  json root;
  try {
    root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {
    return util::fail(std::string("not valid JSON: ") + e.what());
  }
  try {
    if (!root.is_object()) throw Bad{"", "the top level must be a JSON object {name, regions}, got " + type_of(root)};
    allow_only(root, {"name", "description", "regions", "note"}, "");
    RuleSet set;
    set.name = req_string(root, "name", "", 64);
    set.description = opt_string(root, "description", "").value_or("");
    (void)opt_string(root, "note", "");
    if (!root.contains("regions")) throw Bad{"regions", "is required"};
    const json& regions = root["regions"];
    if (!regions.is_object()) throw Bad{"regions", "must be an object of region -> rules, got " + type_of(regions)};
    for (const auto& [region, rules] : regions.items()) {
      const std::string at = "regions." + region;
      if (!placeable_region(region))
        throw Bad{at,
                  "not a region dialerd places numbers in: a country (\"GB\") or a US or Canadian "
                  "subdivision (\"US-FL\", \"CA-QC\")"};
      set.regions.emplace(region, parse_region(rules, at));
    }
    return set;
  } catch (const Bad& bad) {
    // The loader's own messages start with a key; req_string's start with ".key" at the top level.
    std::string at = bad.at;
    if (!at.empty() && at.front() == '.') at.erase(0, 1);
    return util::fail(at.empty() ? bad.what : at + ": " + bad.what);
  }
}

std::vector<std::string> builtin_rule_sets() {
  return {"us"};
}

util::Result<RuleSet> load_rule_set(const std::string& spec, const std::string& base_dir) {
  if (spec == "none") {
    RuleSet none;
    none.name = "none";
    return none;
  }
  for (const auto& name : builtin_rule_sets())
    if (spec == name) {
      auto set = parse_rule_set(builtin_rule_set_text(name));
      if (!set) return util::fail("built-in rule set " + name + ": " + set.error());
      return set;
    }
  std::string path = spec;
  if (!path.empty() && path.front() != '/' && !base_dir.empty()) path = base_dir + "/" + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::fail("cannot read rule file " + path + " (give \"us\", \"none\" or a JSON file's path)");
  std::ostringstream buf;
  buf << in.rdbuf();
  auto set = parse_rule_set(buf.str());
  if (!set) return util::fail("rule file " + path + ": " + set.error());
  return set;
}

std::vector<std::int32_t> holiday_dates(const HolidayRule& h, int year) {
  using namespace date;
  auto days_of = [](sys_days d) { return static_cast<std::int32_t>(d.time_since_epoch().count()); };
  switch (h.kind) {
    case HolidayRule::Kind::date: {
      const auto ymd = year_month_day(sys_days(days(h.date)));
      if (static_cast<int>(ymd.year()) != year) return {};
      return {h.date};
    }
    case HolidayRule::Kind::fixed: {
      const auto ymd = date::year(year) / static_cast<unsigned>(h.month) / static_cast<unsigned>(h.day);
      if (!ymd.ok()) return {};  // 29 February outside a leap year
      const sys_days d(ymd);
      const auto wd = weekday(d).iso_encoding();
      if (h.observed == HolidayRule::Observed::nearest_weekday && wd == 6) return {days_of(d), days_of(d - days(1))};
      if (h.observed == HolidayRule::Observed::nearest_weekday && wd == 7) return {days_of(d), days_of(d + days(1))};
      if (h.observed == HolidayRule::Observed::next_weekday && wd >= 6)
        return {days_of(d), days_of(d + days(8 - static_cast<int>(wd)))};
      if (h.observed == HolidayRule::Observed::sunday_to_monday && wd == 7) return {days_of(d), days_of(d + days(1))};
      return {days_of(d)};
    }
    case HolidayRule::Kind::nth_weekday: {
      const auto ym = date::year(year) / static_cast<unsigned>(h.month);
      const date::weekday wd(static_cast<unsigned>(h.weekday % 7));  // ISO 7 (Sunday) is 0 here
      if (h.nth < 0) return {days_of(sys_days(ym / wd[last]))};
      const auto ymwd = ym / wd[static_cast<unsigned>(h.nth)];
      if (!ymwd.ok()) return {};  // no fifth such weekday this month
      return {days_of(sys_days(ymwd))};
    }
  }
  return {};
}

void resolve_rules(const RuleSet& set, const RuleOverrides& o, LegalRules& out, int first_year, int last_year) {
  out.rule_set = set.name;
  // Everywhere: the config's default hours, holidays and rolling cap.
  RegionRules everywhere;
  everywhere.hours = Hours::every_day(o.window, "config compliance.respectful_hours");
  Closures global;
  const auto config_holiday = global.reason({"a holiday", "config compliance.holidays"});
  for (auto day : o.holidays) global.close(day, config_holiday);
  global.into(everywhere.hours);
  if (o.rolling_calls > 0) {
    RollingCap cap;
    cap.calls = o.rolling_calls;
    cap.hours = o.rolling_days * 24;
    cap.per = RollingCap::Per::contact;
    cap.effective_from = kAlways;
    cap.source = "config compliance.rolling_cap";
    everywhere.caps.push_back(cap);
  }

  // The hours tables of one region level: config region_hours replace the set's.
  auto level_tables = [&](const std::string& level) {
    if (auto it = o.region_windows.find(level); it != o.region_windows.end())
      return Hours::every_day(it->second, "config compliance.region_hours." + level).tables;
    if (auto it = set.regions.find(level); it != set.regions.end()) return tables_of(it->second.hours);
    return std::vector<WeekHours>{};
  };

  std::set<std::string> keys;
  for (const auto& [r, _] : set.regions) keys.insert(r);
  for (const auto& [r, _] : o.region_windows) keys.insert(r);
  for (const auto& [r, _] : o.region_holidays) keys.insert(r);

  out.regions.clear();
  for (const auto& region : keys) {
    std::vector<std::string> chain = {region};  // most specific first
    if (auto dash = region.find('-'); dash != std::string::npos) chain.push_back(region.substr(0, dash));
    std::vector<std::vector<WeekHours>> levels;
    for (const auto& level : chain) levels.push_back(level_tables(level));
    levels.push_back(everywhere.hours.tables);

    RegionRules rules;
    rules.hours.tables.clear();
    std::set<std::int32_t> boundaries = {kAlways};
    for (const auto& level : levels)
      for (const auto& t : level) boundaries.insert(t.from_day);
    for (auto b : boundaries) {
      for (const auto& level : levels)
        if (const WeekHours* t = table_in_force(level, b)) {
          WeekHours table = *t;
          table.from_day = b;
          const auto& prev = rules.hours.tables;
          if (prev.empty() || prev.back().by_weekday != table.by_weekday || prev.back().source != table.source)
            rules.hours.tables.push_back(std::move(table));
          break;
        }
    }

    Closures closures;
    for (const auto& level : chain) {
      if (auto it = o.region_holidays.find(level); it != o.region_holidays.end()) {
        const auto why = closures.reason({"a holiday", "config compliance.holidays"});
        for (auto day : it->second) closures.close(day, why);
      }
      if (auto it = set.regions.find(level); it != set.regions.end())
        for (const auto& h : it->second.holidays) closures.add(h, first_year, last_year);
    }
    for (auto day : o.holidays) closures.close(day, closures.reason({"a holiday", "config compliance.holidays"}));
    closures.into(rules.hours);

    rules.caps = everywhere.caps;
    for (auto level = chain.rbegin(); level != chain.rend(); ++level)
      if (auto it = set.regions.find(*level); it != set.regions.end())
        rules.caps.insert(rules.caps.end(), it->second.caps.begin(), it->second.caps.end());
    out.regions.emplace(region, std::move(rules));
  }
  out.everywhere = std::move(everywhere);
}

}  // namespace dialerd::schedule
