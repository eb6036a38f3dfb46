#include <catch2/catch.hpp>

#include "dialerd/schedule/window.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::schedule;
using dialerd::domain::UnixMs;

namespace {
UnixMs at(const char* rfc3339) {
  auto t = dialerd::util::parse_rfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}
constexpr UnixMs kWeek = 8LL * 24 * 3600 * 1000;
DailyWindow win(const char* start, const char* end) {
  return {*parse_hhmm(start), *parse_hhmm(end)};
}
Zone zone(const char* name) {
  auto z = find_zone(name);
  REQUIRE(z);
  return z;
}
}  // namespace

TEST_CASE("window: HH:MM and dates parse strictly") {
  CHECK(parse_hhmm("08:00") == 480);
  CHECK(parse_hhmm("24:00") == 1440);
  CHECK(parse_hhmm("23:59") == 1439);
  for (const char* bad : {"8:00", "24:01", "12:60", "ab:cd", "", "12:00:00"}) CHECK_FALSE(parse_hhmm(bad));
  CHECK(parse_date("1970-01-02") == 1);
  CHECK_FALSE(parse_date("2026-02-30"));
  CHECK(format_hhmm(485) == "08:05");
}

TEST_CASE("window: a plain daily window in New York") {
  auto ny = zone("America/New_York");
  auto w = win("08:00", "21:00");
  auto all = DayRule::every_day();
  CHECK(inside(ny, w, all, at("2026-06-01T12:00:00Z")));        // 08:00 EDT
  CHECK_FALSE(inside(ny, w, all, at("2026-06-01T11:59:59Z")));  // 07:59:59
  CHECK_FALSE(inside(ny, w, all, at("2026-06-02T01:00:00Z")));  // 21:00 EDT: end is exclusive
  CHECK(next_inside(ny, w, all, at("2026-06-02T01:00:00Z"), at("2026-06-02T01:00:00Z") + kWeek) ==
        at("2026-06-02T12:00:00Z"));
}

TEST_CASE("window: DST spring forward in America/New_York") {
  auto ny = zone("America/New_York");
  auto all = DayRule::every_day();
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z). 08:00 is now 12:00Z, not 13:00Z.
  CHECK(next_inside(ny, win("08:00", "21:00"), all, at("2026-03-08T05:00:00Z"), at("2026-03-09T00:00:00Z")) ==
        at("2026-03-08T12:00:00Z"));
  // A window that opens inside the skipped hour opens at the transition.
  CHECK(next_inside(ny, win("02:30", "04:00"), all, at("2026-03-08T06:00:00Z"), at("2026-03-09T00:00:00Z")) ==
        at("2026-03-08T07:00:00Z"));
  CHECK_FALSE(inside(ny, win("02:30", "04:00"), all, at("2026-03-08T06:59:59Z")));
  CHECK(inside(ny, win("02:30", "04:00"), all, at("2026-03-08T07:00:00Z")));
}

TEST_CASE("window: DST fall back in America/New_York repeats an hour exactly as the clock does") {
  auto ny = zone("America/New_York");
  auto all = DayRule::every_day();
  auto w = win("01:00", "01:30");
  // 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z); 01:00-01:30 happens twice.
  CHECK(inside(ny, w, all, at("2026-11-01T05:00:00Z")));        // 01:00 EDT
  CHECK_FALSE(inside(ny, w, all, at("2026-11-01T05:30:00Z")));  // 01:30 EDT
  CHECK(next_inside(ny, w, all, at("2026-11-01T05:30:00Z"), at("2026-11-02T00:00:00Z")) == at("2026-11-01T06:00:00Z"));
  // The clock falls back into the middle of a window without passing its start: it opens again at the
  // transition (01:50 EDT is outside 00:30-01:45; 06:00Z is 01:00 EST, inside).
  CHECK(next_inside(ny, win("00:30", "01:45"), all, at("2026-11-01T05:50:00Z"), at("2026-11-02T00:00:00Z")) ==
        at("2026-11-01T06:00:00Z"));
  // 21:00 on the fall-back day is 02:00Z the next day (EST).
  CHECK(inside(ny, win("08:00", "21:00"), all, at("2026-11-02T01:59:59Z")));
  CHECK_FALSE(inside(ny, win("08:00", "21:00"), all, at("2026-11-02T02:00:00Z")));
}

TEST_CASE("window: DST in Europe/London") {
  auto london = zone("Europe/London");
  auto all = DayRule::every_day();
  auto w = win("08:00", "21:00");
  // 2026-03-29: 01:00 GMT -> 02:00 BST. 08:00 BST is 07:00Z.
  CHECK(next_inside(london, w, all, at("2026-03-28T21:00:00Z"), at("2026-03-30T00:00:00Z")) ==
        at("2026-03-29T07:00:00Z"));
  // 2026-10-25: 02:00 BST -> 01:00 GMT. 08:00 GMT is 08:00Z.
  CHECK(next_inside(london, w, all, at("2026-10-24T20:00:00Z"), at("2026-10-26T00:00:00Z")) ==
        at("2026-10-25T08:00:00Z"));
  CHECK_FALSE(inside(london, w, all, at("2026-10-25T07:30:00Z")));
}

TEST_CASE("window: a window across midnight belongs to the day it opened") {
  auto utc = zone("UTC");
  auto monday_only = DayRule::of_weekdays({1});
  auto w = win("22:00", "02:00");
  REQUIRE(w.crosses_midnight());
  CHECK(inside(utc, w, monday_only, at("2026-11-23T23:00:00Z")));  // Monday 23:00
  CHECK(inside(utc, w, monday_only, at("2026-11-24T01:59:00Z")));  // Tuesday 01:59, Monday's window
  CHECK_FALSE(inside(utc, w, monday_only, at("2026-11-24T02:00:00Z")));
  CHECK_FALSE(inside(utc, w, monday_only, at("2026-11-24T23:00:00Z")));  // Tuesday's own window: not a working day
  CHECK(next_inside(utc, w, monday_only, at("2026-11-24T23:00:00Z"), at("2026-11-24T23:00:00Z") + kWeek) ==
        at("2026-11-30T22:00:00Z"));
}

TEST_CASE("window: working days and holidays") {
  auto ny = zone("America/New_York");
  auto weekdays = DayRule::of_weekdays({1, 2, 3, 4, 5});
  auto w = win("09:00", "17:00");
  // Friday 2026-11-27 18:00 EST -> Monday 2026-11-30 09:00 EST.
  CHECK(next_inside(ny, w, weekdays, at("2026-11-27T23:00:00Z"), at("2026-11-27T23:00:00Z") + kWeek) ==
        at("2026-11-30T14:00:00Z"));
  weekdays.holidays = {*parse_date("2026-11-30")};
  CHECK(next_inside(ny, w, weekdays, at("2026-11-27T23:00:00Z"), at("2026-11-27T23:00:00Z") + kWeek) ==
        at("2026-12-01T14:00:00Z"));
  CHECK_FALSE(
      next_inside(ny, w, DayRule::of_weekdays({}), at("2026-11-27T23:00:00Z"), at("2026-11-27T23:00:00Z") + kWeek));
}

TEST_CASE("window: a whole-day window and day boundaries") {
  auto ny = zone("America/New_York");
  auto weekend = DayRule::of_weekdays({6, 7});
  DailyWindow all_day{0, 0};
  CHECK(next_inside(ny, all_day, weekend, at("2026-11-27T12:00:00Z"), at("2026-11-27T12:00:00Z") + kWeek) ==
        at("2026-11-28T05:00:00Z"));  // Saturday 00:00 EST
  CHECK(local_day_start(ny, at("2026-11-27T12:00:00Z")) == at("2026-11-27T05:00:00Z"));
  CHECK(next_local_day_start(ny, at("2026-11-27T12:00:00Z")) == at("2026-11-28T05:00:00Z"));
  CHECK(next_local_day_start(ny, at("2026-03-08T12:00:00Z")) == at("2026-03-09T04:00:00Z"));  // 23-hour day
}

TEST_CASE("window: every window at once") {
  auto ny = zone("America/New_York");
  auto hnl = zone("Pacific/Honolulu");
  // A New York campaign open 09:00-17:00 and a Honolulu contact's 08:00-21:00: 13:00-17:00 New York.
  auto nine_to_five = Hours::every_day(win("09:00", "17:00")), eight_to_nine = Hours::every_day(win("08:00", "21:00"));
  auto nine_to_ten = Hours::every_day(win("09:00", "10:00"));
  std::vector<ZonedWindow> both = {{ny, &nine_to_five}, {hnl, &eight_to_nine}};
  CHECK(next_inside_all(both, at("2026-11-23T14:00:00Z"), at("2026-11-23T14:00:00Z") + kWeek) ==
        at("2026-11-23T18:00:00Z"));
  std::vector<ZonedWindow> never = {{ny, &nine_to_ten}, {zone("Asia/Tokyo"), &eight_to_nine}};
  CHECK_FALSE(next_inside_all(never, at("2026-11-23T14:00:00Z"), at("2026-11-23T14:00:00Z") + kWeek));
}
