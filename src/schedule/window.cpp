#include "dialerd/schedule/window.hpp"

#include <algorithm>

#include <date/tz.h>
#include <fmt/format.h>

namespace dialerd::schedule {

using namespace std::chrono;
using ms = milliseconds;
using domain::UnixMs;

namespace {

constexpr UnixMs kDayMs = 24LL * 3600 * 1000;

date::local_time<ms> to_local(Zone z, UnixMs t) {
  return z->to_local(date::sys_time<ms>(ms(t)));
}

UnixMs to_unix(date::sys_time<ms> t) {
  return t.time_since_epoch().count();
}

int iso_weekday(std::int32_t day) {
  return static_cast<int>(date::weekday(date::local_days(date::days(day))).iso_encoding());
}

// The instants a local date-time maps to: one, two (the repeated hour) or the transition (the gap).
void sys_candidates(Zone z, date::local_time<ms> local, std::vector<UnixMs>& out) {
  out.push_back(to_unix(z->to_sys(local, date::choose::earliest)));
  out.push_back(to_unix(z->to_sys(local, date::choose::latest)));
}

// A plan answers which window a local date has: the campaign's one window on its working days, or a
// region's Hours. Both share the algorithms below.
struct DailyPlan {
  const DailyWindow& window;
  const DayRule& days;
  std::optional<DailyWindow> on(std::int32_t day) const {
    if (!days.allows(day)) return std::nullopt;
    return window;
  }
  // A campaign's window that crosses midnight belongs to the day it opened, even into a day it does not
  // work: the whole of its evening's shift is one working day.
  bool is_closed(std::int32_t) const { return false; }
};

template <class Plan>
bool inside_plan(Zone z, const Plan& plan, UnixMs t) {
  auto local = to_local(z, t);
  auto day = date::floor<date::days>(local);
  auto tod = (local - day).count();  // ms after local midnight
  auto today = static_cast<std::int32_t>(day.time_since_epoch().count());
  auto within = [&](const DailyWindow& w) {
    auto start = std::int64_t{w.start_min} * 60000, end = std::int64_t{w.end_min} * 60000;
    if (w.start_min == w.end_min) return true;
    if (!w.crosses_midnight()) return tod >= start && tod < end;
    return tod >= start;
  };
  if (auto w = plan.on(today); w && within(*w)) return true;
  // Yesterday's window, when it crosses midnight, runs into today, unless today is closed (a holiday is
  // closed from its midnight).
  if (auto y = plan.on(today - 1); y && y->crosses_midnight() && tod < std::int64_t{y->end_min} * 60000)
    return !plan.is_closed(today);
  return false;
}

template <class Plan>
std::optional<UnixMs> next_inside_plan(Zone z, const Plan& plan, UnixMs from, UnixMs until) {
  if (inside_plan(z, plan, from)) return from;
  // Membership changes only where the local clock reaches a date's window start (each date, either reading
  // of an ambiguous time, or the transition when the start is skipped) or where the clock jumps (a
  // transition). A whole-day window turns on at midnight.
  std::vector<UnixMs> candidates;
  auto first_day = date::floor<date::days>(to_local(z, from)) - date::days(1);
  auto last_day = date::floor<date::days>(to_local(z, until)) + date::days(1);
  for (auto d = first_day; d <= last_day; d += date::days(1)) {
    auto w = plan.on(static_cast<std::int32_t>(d.time_since_epoch().count()));
    if (!w) continue;
    int edge = w->start_min == w->end_min ? 0 : w->start_min;
    sys_candidates(z, date::local_time<ms>(d) + minutes(edge), candidates);
  }
  const auto horizon = date::sys_seconds(duration_cast<seconds>(ms(until)));
  auto info = z->get_info(date::sys_seconds(duration_cast<seconds>(ms(from))));
  while (info.end <= horizon) {  // compared in seconds: the last transition's end is far beyond ms range
    candidates.push_back(to_unix(date::sys_time<ms>(info.end)));
    info = z->get_info(info.end);
  }
  std::sort(candidates.begin(), candidates.end());
  for (UnixMs c : candidates)
    if (c > from && c <= until && inside_plan(z, plan, c)) return c;
  return std::nullopt;
}

}  // namespace

Hours Hours::every_day(DailyWindow window, std::string source) {
  Hours h;
  WeekHours table;
  table.by_weekday.fill(window);
  table.source = std::move(source);
  h.tables.push_back(std::move(table));
  return h;
}

Hours Hours::of(const DailyWindow& window, const DayRule& days) {
  Hours h;
  WeekHours table;
  for (int wd = 1; wd <= 7; ++wd)
    if (days.weekdays & (1u << (wd - 1))) table.by_weekday[static_cast<std::size_t>(wd - 1)] = window;
  h.tables.push_back(std::move(table));
  h.reasons.push_back({"a holiday", ""});
  for (auto day : days.holidays)
    if (h.closed.empty() || h.closed.back().day != day) h.closed.push_back({day, 0});
  return h;
}

const WeekHours* table_in_force(const std::vector<WeekHours>& tables, std::int32_t day) {
  auto it = std::upper_bound(tables.begin(), tables.end(), day,
                             [](std::int32_t d, const WeekHours& t) { return d < t.from_day; });
  return it == tables.begin() ? nullptr : &*(it - 1);
}

const WeekHours* Hours::table_on(std::int32_t day) const {
  return table_in_force(tables, day);
}

const Closure* Hours::closure_on(std::int32_t day) const {
  auto it =
      std::lower_bound(closed.begin(), closed.end(), day, [](const Closure& c, std::int32_t d) { return c.day < d; });
  return it != closed.end() && it->day == day ? &*it : nullptr;
}

std::optional<DailyWindow> Hours::on(std::int32_t day) const {
  const WeekHours* table = table_on(day);
  if (!table || closure_on(day)) return std::nullopt;
  return table->by_weekday[static_cast<std::size_t>(iso_weekday(day) - 1)];
}

std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4])) return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string format_hhmm(int minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

DayRule DayRule::of_weekdays(const std::vector<int>& iso_weekdays) {
  DayRule r;
  r.weekdays = 0;
  for (int d : iso_weekdays)
    if (d >= 1 && d <= 7) r.weekdays |= static_cast<std::uint8_t>(1u << (d - 1));
  return r;
}

bool DayRule::allows(std::int32_t day) const {
  if (!(weekdays & (1u << (iso_weekday(day) - 1)))) return false;
  return !std::binary_search(holidays.begin(), holidays.end(), day);
}

Zone find_zone(std::string_view name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string zone_label(Zone z) {
  return z ? std::string(z->name()) : std::string("UTC");
}

std::optional<std::int32_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (int i : {0, 1, 2, 3}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    y = y * 10 + (s[i] - '0');
  }
  for (int i : {5, 6}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    m = m * 10 + (s[i] - '0');
  }
  for (int i : {8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    d = d * 10 + (s[i] - '0');
  }
  date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)), date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int32_t>(date::sys_days(ymd).time_since_epoch().count());
}

bool inside(Zone z, const DailyWindow& w, const DayRule& days, UnixMs t) {
  return inside_plan(z, DailyPlan{w, days}, t);
}

bool inside(Zone z, const Hours& hours, UnixMs t) {
  return inside_plan(z, hours, t);
}

std::optional<UnixMs> next_inside(Zone z, const DailyWindow& w, const DayRule& days, UnixMs from, UnixMs until) {
  return next_inside_plan(z, DailyPlan{w, days}, from, until);
}

std::optional<UnixMs> next_inside(Zone z, const Hours& hours, UnixMs from, UnixMs until) {
  return next_inside_plan(z, hours, from, until);
}

std::optional<UnixMs> next_inside_all(const std::vector<ZonedWindow>& windows, UnixMs from, UnixMs until) {
  UnixMs t = from;
  // Each step moves t to the next instant the first failing window opens; t never goes back.
  for (int guard = 0; guard < 10000; ++guard) {
    bool all = true;
    for (const auto& zw : windows) {
      if (inside(zw.zone, *zw.hours, t)) continue;
      auto next = next_inside(zw.zone, *zw.hours, t, until);
      if (!next) return std::nullopt;
      t = *next;
      all = false;
      break;
    }
    if (all) return t;
  }
  return std::nullopt;
}

UnixMs local_day_start(Zone z, UnixMs t) {
  auto day = date::floor<date::days>(to_local(z, t));
  return to_unix(z->to_sys(date::local_time<ms>(day), date::choose::earliest));
}

UnixMs next_local_day_start(Zone z, UnixMs t) {
  auto day = date::floor<date::days>(to_local(z, t)) + date::days(1);
  UnixMs next = to_unix(z->to_sys(date::local_time<ms>(day), date::choose::earliest));
  return next > t ? next : t + kDayMs;
}

std::int32_t local_day(Zone z, UnixMs t) {
  return static_cast<std::int32_t>(date::floor<date::days>(to_local(z, t)).time_since_epoch().count());
}

std::string local_hhmm(Zone z, UnixMs t) {
  auto local = to_local(z, t);
  auto tod = duration_cast<minutes>(local - date::floor<date::days>(local)).count();
  return format_hhmm(static_cast<int>(tod));
}

}  // namespace dialerd::schedule
