// Property test: the window code against a slow, obviously correct reference, over random zones,
// instants and windows. CI runs the sizes below; DIALERD_PROPERTY_SCALE multiplies them (bench/).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include <date/tz.h>

#include "dialerd/schedule/compliance.hpp"
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
