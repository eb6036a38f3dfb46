// Property test: the window code against a slow, obviously correct reference, over random zones,
// instants and windows. CI runs the sizes below; DIALERD_PROPERTY_SCALE multiplies them (bench/).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>

#include <date/tz.h>

#include "dialerd/schedule/compliance.hpp"
#include "dialerd/schedule/rules.hpp"
#include "dialerd/schedule/window.hpp"

using namespace dialerd::schedule;
using dialerd::domain::UnixMs;

namespace {

const char* const kZones[] = {"UTC",
                              "America/New_York",
                              "America/Chicago",
                              "America/Denver",
                              "America/Phoenix",
                              "America/Los_Angeles",
                              "America/Anchorage",
                              "Pacific/Honolulu",
                              "America/St_Johns",
                              "America/Sao_Paulo",
                              "America/Santiago",
                              "Europe/London",
                              "Europe/Dublin",
                              "Europe/Berlin",
                              "Europe/Moscow",
                              "Africa/Casablanca",
                              "Asia/Kolkata",
                              "Asia/Kathmandu",
                              "Asia/Tehran",
                              "Asia/Tokyo",
                              "Australia/Sydney",
                              "Australia/Lord_Howe",
                              "Australia/Adelaide",
                              "Pacific/Chatham",
                              "Pacific/Auckland",
                              "Pacific/Apia",
                              "America/Havana",
                              "Asia/Gaza",
                              "Antarctica/Troll"};

// The reference: read the local clock at t the plain way and apply the definition literally.
bool reference_inside(Zone z, const DailyWindow& w, const DayRule& days, UnixMs t) {
  auto zt = date::make_zoned(z, date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
  auto local = zt.get_local_time();
  auto day = date::floor<date::days>(local);
  date::year_month_weekday ymw{day};
  auto ms_of_day = std::chrono::duration_cast<std::chrono::milliseconds>(local - day).count();
  auto minute_of_day = ms_of_day / 60000.0;
  auto allowed = [&](date::local_days d) {
    unsigned iso = date::weekday(d).iso_encoding();
    bool weekday_ok = days.weekdays & (1u << (iso - 1));
    bool holiday =
        std::find(days.holidays.begin(), days.holidays.end(), d.time_since_epoch().count()) != days.holidays.end();
    return weekday_ok && !holiday;
  };
  (void)ymw;
  if (w.start_min == w.end_min) return allowed(day);
  if (w.start_min < w.end_min) return minute_of_day >= w.start_min && minute_of_day < w.end_min && allowed(day);
  if (minute_of_day >= w.start_min) return allowed(day);
  if (minute_of_day < w.end_min) return allowed(day - date::days(1));
  return false;
}

long scale() {
  const char* s = std::getenv("DIALERD_PROPERTY_SCALE");
  return s && *s ? std::max(1L, std::atol(s)) : 1L;
}

struct Case {
  Zone zone;
  DailyWindow window;
  DayRule days;
  UnixMs t;
};

Case random_case(std::mt19937_64& rng, bool minute_aligned) {
  Case c;
  c.zone = find_zone(kZones[rng() % std::size(kZones)]);
  int start = static_cast<int>(rng() % 1440);
  int end = static_cast<int>(rng() % 4 == 0 ? start : 1 + rng() % 1440);
  // Bias towards short windows around the DST transition hours (00:00-04:00) where bugs live.
  if (rng() % 3 == 0) {
    start = static_cast<int>(rng() % 240);
    end = std::min(1440, start + 1 + static_cast<int>(rng() % 180));
  }
  c.window = {start, end};
  c.days.weekdays = static_cast<std::uint8_t>(1 + rng() % 127);
  if (rng() % 4 == 0) c.days.holidays = {static_cast<std::int32_t>(18262 + rng() % 3653)};
  // 2020-01-01 .. 2030-01-01; half the cases within 3 days of one of the zone's transitions, where
  // the clock jumps and bugs live.
  UnixMs base = 1577836800000LL, span = 315532800000LL;
  c.t = base + static_cast<UnixMs>(rng() % static_cast<std::uint64_t>(span));
  auto mode = rng() % 4;
  if (mode >= 2) {
    auto info = c.zone->get_info(date::sys_seconds(std::chrono::seconds(c.t / 1000)));
    auto edge = rng() % 2 ? info.begin : info.end;
    auto edge_ms = std::chrono::duration_cast<std::chrono::milliseconds>(edge.time_since_epoch()).count();
    if (edge_ms > base && edge_ms < base + span) {
      if (mode == 2) {
        c.t = edge_ms - 3LL * 24 * 3600 * 1000 + static_cast<UnixMs>(rng() % (6ULL * 24 * 3600 * 1000));
      } else {
        // Minutes before a transition, with a short early-morning window: the clock may jump into the
        // middle of the window without passing its start.
        c.t = edge_ms - static_cast<UnixMs>(rng() % 180) * 60000 - static_cast<UnixMs>(rng() % 60000);
        int start = static_cast<int>(rng() % 240);
        c.window = {start, std::min(1440, start + 1 + static_cast<int>(rng() % 120))};
      }
    }
  }
  if (minute_aligned) c.t -= c.t % 60000;
  return c;
}

}  // namespace

TEST_CASE("property: inside() agrees with the reference on 1M random zone/instant/window cases") {
  std::mt19937_64 rng(20261123);
  const long n = 1000000 * scale();
  long disagreements = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, false);
    if (inside(c.zone, c.window, c.days, c.t) != reference_inside(c.zone, c.window, c.days, c.t)) {
      if (++disagreements <= 5)
        UNSCOPED_INFO(c.zone->name() << " " << c.window.start_min << "-" << c.window.end_min << " t=" << c.t);
    }
  }
  CHECK(disagreements == 0);
}

TEST_CASE("property: next_inside() is the first inside minute found by brute force") {
  std::mt19937_64 rng(7);
  const long n = 3000 * scale();
  long disagreements = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, true);
    const UnixMs horizon = c.t + 8LL * 24 * 3600 * 1000;
    auto fast = next_inside(c.zone, c.window, c.days, c.t, horizon);
    std::optional<UnixMs> slow;
    for (UnixMs t = c.t; t <= horizon; t += 60000)
      if (reference_inside(c.zone, c.window, c.days, t)) {
        slow = t;
        break;
      }
    if (fast != slow && ++disagreements <= 5)
      UNSCOPED_INFO(c.zone->name() << " " << c.window.start_min << "-" << c.window.end_min << " t=" << c.t
                                   << " fast=" << fast.value_or(-1) << " slow=" << slow.value_or(-1));
  }
  CHECK(disagreements == 0);
}

TEST_CASE("property: no dispatch decision outside the legal window and every wait ends inside all windows") {
  std::mt19937_64 rng(11);
  const long n = 200000 * scale();
  LegalRules legal;
  long outside = 0, bad_waits = 0, dispatched = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, false);
    CampaignRules campaign;
    campaign.zone = find_zone(kZones[rng() % std::size(kZones)]);
    campaign.window = c.window;
    campaign.days = c.days;
    campaign.concurrency = 100;
    ContactPlace place{{c.zone}, "contact", ""};
    if (rng() % 5 == 0) place.zones.push_back(find_zone(kZones[rng() % std::size(kZones)]));
    auto d = decide(campaign, place, {}, legal, c.t);
    auto all_legal = [&](UnixMs t) {
      for (Zone z : place.zones)
        if (!reference_inside(z, DailyWindow{8 * 60, 21 * 60}, DayRule::every_day(), t)) return false;
      return reference_inside(campaign.zone, c.window, c.days, t);
    };
    if (d.kind == Decision::Kind::dispatch) {
      ++dispatched;
      if (!all_legal(c.t)) ++outside;
    } else if (d.kind == Decision::Kind::wait && d.until && d.reason.find("no instant") == std::string::npos) {
      if (*d.until <= c.t || !all_legal(*d.until)) ++bad_waits;
    }
  }
  CHECK(outside == 0);
  CHECK(bad_waits == 0);
  CHECK(dispatched > 0);
}

namespace {

// Region hours for the rule-set properties: one to three weekly tables taking over on random dates, each
// weekday with a window or none, and closed dates (holidays) scattered around the instants tested.
Hours random_hours(std::mt19937_64& rng, UnixMs around) {
  Hours h;
  const auto today = static_cast<std::int32_t>(around / (24LL * 3600 * 1000));
  const int tables = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < tables; ++i) {
    WeekHours t;
    t.from_day = i == 0 ? std::numeric_limits<std::int32_t>::min() : today - 3 + static_cast<int>(rng() % 10);
    for (auto& w : t.by_weekday) {
      if (rng() % 4 == 0) continue;  // no calls that weekday
      int start = static_cast<int>(rng() % 1440), end = static_cast<int>(1 + rng() % 1440);
      if (rng() % 3 == 0) {  // short and early, around DST transitions
        start = static_cast<int>(rng() % 240);
        end = std::min(1440, start + 1 + static_cast<int>(rng() % 180));
      }
      if (start == end) end = start == 1439 ? 1440 : start + 1;
      w = DailyWindow{start, end};
    }
    t.source = "table " + std::to_string(i);
    if (!h.tables.empty() && t.from_day <= h.tables.back().from_day) continue;
    h.tables.push_back(t);
  }
  h.reasons.push_back({"a holiday", "test"});
  std::set<std::int32_t> closed;
  for (int i = static_cast<int>(rng() % 4); i > 0; --i) closed.insert(today - 2 + static_cast<int>(rng() % 10));
  for (auto d : closed) h.closed.push_back({d, 0});
  return h;
}

// The reference for Hours: the local clock at t read the plain way, each table and closure looked up by
// scanning, and the definition applied literally (yesterday's window runs on past midnight).
bool reference_inside_hours(Zone z, const Hours& h, UnixMs t) {
  auto zt = date::make_zoned(z, date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
  auto local = zt.get_local_time();
  auto day = date::floor<date::days>(local);
  auto minute_of_day = std::chrono::duration_cast<std::chrono::milliseconds>(local - day).count() / 60000.0;
  auto window_of = [&](date::local_days d) -> std::optional<DailyWindow> {
    auto n = static_cast<std::int32_t>(d.time_since_epoch().count());
    for (const auto& c : h.closed)
      if (c.day == n) return std::nullopt;
    const WeekHours* in_force = nullptr;
    for (const auto& t : h.tables)
      if (t.from_day <= n) in_force = &t;
    if (!in_force) return std::nullopt;
    return in_force->by_weekday[date::weekday(d).iso_encoding() - 1];
  };
  if (auto w = window_of(day)) {
    if (w->start_min == w->end_min) return true;
    if (w->start_min < w->end_min && minute_of_day >= w->start_min && minute_of_day < w->end_min) return true;
    if (w->start_min > w->end_min && minute_of_day >= w->start_min) return true;
  }
  for (const auto& c : h.closed)
    if (c.day == static_cast<std::int32_t>(day.time_since_epoch().count())) return false;
  auto y = window_of(day - date::days(1));
  return y && y->start_min > y->end_min && minute_of_day < y->end_min;
}

}  // namespace

TEST_CASE("property: region hours - weekday tables, effective dates and holidays - agree with the reference") {
  std::mt19937_64 rng(191);
  const long n = 200000 * scale();
  long disagreements = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, false);
    auto hours = random_hours(rng, c.t);
    if (inside(c.zone, hours, c.t) != reference_inside_hours(c.zone, hours, c.t) && ++disagreements <= 5)
      UNSCOPED_INFO(c.zone->name() << " t=" << c.t);
  }
  CHECK(disagreements == 0);
}

TEST_CASE("property: next_inside() over region hours is the first inside minute found by brute force") {
  std::mt19937_64 rng(192);
  const long n = 2000 * scale();
  long disagreements = 0, found = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, true);
    auto hours = random_hours(rng, c.t);
    const UnixMs horizon = c.t + 8LL * 24 * 3600 * 1000;
    auto fast = next_inside(c.zone, hours, c.t, horizon);
    std::optional<UnixMs> slow;
    for (UnixMs t = c.t; t <= horizon; t += 60000)
      if (reference_inside_hours(c.zone, hours, t)) {
        slow = t;
        break;
      }
    // A window may open off the minute grid (at a transition inside a minute): then the first inside
    // minute is the one after, and the fast answer lies in the minute before it.
    bool agree = fast == slow || (fast && slow && *slow - *fast < 60000 && *slow >= *fast);
    found += slow.has_value();
    if (!agree && ++disagreements <= 5)
      UNSCOPED_INFO(c.zone->name() << " t=" << c.t << " fast=" << fast.value_or(-1) << " slow=" << slow.value_or(-1));
  }
  CHECK(disagreements == 0);
  CHECK(found > n / 2);
}

TEST_CASE("property: with a rolling cap the call waits for the first minute both the cap and the hours allow") {
  // A cap of N calls in any H hours counts the calls after t - H: the call may go out at the first minute
  // where fewer than N are counted and the contact's hours are open. H is real hours, so a cap window
  // across a DST change spans 23 or 25 local clock hours; the random instants cluster around transitions.
  std::mt19937_64 rng(193);
  const long n = 300 * scale();
  long wrong = 0, waited = 0;
  for (long i = 0; i < n; ++i) {
    auto c = random_case(rng, true);
    auto hours = random_hours(rng, c.t);
    CampaignRules campaign;
    campaign.zone = find_zone("UTC");
    campaign.concurrency = 100;
    ContactPlace place{{c.zone}, "contact", "US-FL"};
    const RollingCap cap{
        1 + static_cast<int>(rng() % 4), 1 + static_cast<int>(rng() % 48), RollingCap::Per::subject, 0, "test", "", ""};
    const UnixMs span = UnixMs{cap.hours} * 3600 * 1000;
    std::vector<UnixMs> calls;  // minute-aligned, before now, newest first
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) calls.push_back(c.t - 60000 * (1 + rng() % (60 * 60)));
    std::sort(calls.rbegin(), calls.rend());
    // As the scheduler asks the store: the cap's n-th most recent call since now - span.
    CallFacts facts;
    std::optional<UnixMs> nth;
    if (static_cast<int>(calls.size()) >= cap.calls && calls[cap.calls - 1] >= c.t - span)
      nth = calls[cap.calls - 1] + span;
    facts.caps.push_back({&cap, nth});
    LegalRules legal;
    legal.contact_daily_cap = 1000;
    legal.everywhere.hours = hours;
    auto allowed = [&](UnixMs t) {
      long counted = std::count_if(calls.begin(), calls.end(), [&](UnixMs k) { return k > t - span; });
      return counted < cap.calls && reference_inside_hours(c.zone, hours, t);
    };
    auto d = decide(campaign, place, facts, legal, c.t);
    if (d.kind == Decision::Kind::dispatch) {
      wrong += !allowed(c.t);
      continue;
    }
    if (d.kind != Decision::Kind::wait || !d.until || d.reason.find("no instant") != std::string::npos) continue;
    ++waited;
    // The first allowed minute, by stepping (a transition inside a minute may open the hours off the grid).
    std::optional<UnixMs> first;
    for (UnixMs t = c.t; t <= *d.until + 60000; t += 60000)
      if (allowed(t)) {
        first = t;
        break;
      }
    if (!first || *first - *d.until >= 60000 || *d.until - *first > 0) {
      if (++wrong <= 5)
        UNSCOPED_INFO(c.zone->name() << " t=" << c.t << " until=" << *d.until << " first=" << first.value_or(-1));
    }
  }
  CHECK(wrong == 0);
  CHECK(waited > n / 4);
}

TEST_CASE("property: holiday rules land where a day-by-day scan of the calendar puts them") {
  // The reference walks every day of the month: the n-th (or last) such weekday, or the fixed date and,
  // when it falls on a weekend, the observed weekday the rule names.
  std::mt19937_64 rng(194);
  const long n = 20000 * scale();
  long wrong = 0;
  for (long i = 0; i < n; ++i) {
    const int year = 1990 + static_cast<int>(rng() % 111);
    HolidayRule h;
    std::vector<std::int32_t> expected;
    auto days_of = [](date::sys_days d) { return static_cast<std::int32_t>(d.time_since_epoch().count()); };
    h.month = 1 + static_cast<int>(rng() % 12);
    const auto first = date::sys_days(date::year(year) / static_cast<unsigned>(h.month) / 1);
    const auto next = date::sys_days((date::year(year) / static_cast<unsigned>(h.month) / 1) + date::months(1));
    if (rng() % 2) {
      h.kind = HolidayRule::Kind::nth_weekday;
      h.weekday = 1 + static_cast<int>(rng() % 7);
      h.nth = rng() % 6 == 0 ? -1 : 1 + static_cast<int>(rng() % 5);
      std::vector<std::int32_t> matching;
      for (auto d = first; d < next; d += date::days(1))
        if (static_cast<int>(date::weekday(d).iso_encoding()) == h.weekday) matching.push_back(days_of(d));
      if (h.nth == -1)
        expected = {matching.back()};
      else if (h.nth <= static_cast<int>(matching.size()))
        expected = {matching[static_cast<std::size_t>(h.nth - 1)]};
    } else {
      h.kind = HolidayRule::Kind::fixed;
      h.day = 1 + static_cast<int>(rng() % 28);
      h.observed = static_cast<HolidayRule::Observed>(rng() % 4);
      const auto d = first + date::days(h.day - 1);
      expected = {days_of(d)};
      const int wd = static_cast<int>(date::weekday(d).iso_encoding());
      using O = HolidayRule::Observed;
      if (wd == 6 && h.observed == O::nearest_weekday) expected.push_back(days_of(d - date::days(1)));
      if (wd == 6 && h.observed == O::next_weekday) expected.push_back(days_of(d + date::days(2)));
      if (wd == 7 && h.observed != O::none) expected.push_back(days_of(d + date::days(1)));
    }
    if (holiday_dates(h, year) != expected && ++wrong <= 5)
      UNSCOPED_INFO("year " << year << " month " << h.month << " kind " << static_cast<int>(h.kind));
  }
  CHECK(wrong == 0);
}
