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

}  // namespace

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
  auto local = to_local(z, t);
  auto day = date::floor<date::days>(local);
  auto tod = (local - day).count();  // ms after local midnight
  auto start = static_cast<std::int64_t>(w.start_min) * 60000, end = static_cast<std::int64_t>(w.end_min) * 60000;
  auto today = static_cast<std::int32_t>(day.time_since_epoch().count());
  if (w.start_min == w.end_min) return days.allows(today);
  if (!w.crosses_midnight()) return tod >= start && tod < end && days.allows(today);
  if (tod >= start) return days.allows(today);
  if (tod < end) return days.allows(today - 1);
  return false;
}

std::optional<UnixMs> next_inside(Zone z, const DailyWindow& w, const DayRule& days, UnixMs from, UnixMs until) {
  if (inside(z, w, days, from)) return from;
  // Membership changes only where the local clock reaches `start` (each date, either reading of an
  // ambiguous time, or the transition when `start` is skipped) or where the clock jumps (a transition).
  std::vector<UnixMs> candidates;
  int edge = w.start_min == w.end_min ? 0 : w.start_min;  // a whole-day window turns on at midnight
  auto first_day = date::floor<date::days>(to_local(z, from)) - date::days(1);
  auto last_day = date::floor<date::days>(to_local(z, until)) + date::days(1);
  for (auto d = first_day; d <= last_day; d += date::days(1))
    sys_candidates(z, date::local_time<ms>(d) + minutes(edge), candidates);
  const auto horizon = date::sys_seconds(duration_cast<seconds>(ms(until)));
  auto info = z->get_info(date::sys_seconds(duration_cast<seconds>(ms(from))));
  while (info.end <= horizon) {  // compared in seconds: the last transition's end is far beyond ms range
    candidates.push_back(to_unix(date::sys_time<ms>(info.end)));
    info = z->get_info(info.end);
  }
  std::sort(candidates.begin(), candidates.end());
  for (UnixMs c : candidates)
    if (c > from && c <= until && inside(z, w, days, c)) return c;
  return std::nullopt;
}

std::optional<UnixMs> next_inside_all(const std::vector<ZonedWindow>& windows, UnixMs from, UnixMs until) {
  UnixMs t = from;
  // Each step moves t to the next instant the first failing window opens; t never goes back.
  for (int guard = 0; guard < 10000; ++guard) {
    bool all = true;
    for (const auto& zw : windows) {
      if (inside(zw.zone, zw.window, *zw.days, t)) continue;
      auto next = next_inside(zw.zone, zw.window, *zw.days, t, until);
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
