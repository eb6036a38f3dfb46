#include <catch2/catch.hpp>

#include "dialerd/schedule/forecast.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::schedule;
using dialerd::domain::UnixMs;

namespace {
UnixMs at(const char* s) {
  return *dialerd::util::parse_rfc3339(s);
}
double total(const Forecast& f) {
  double t = 0;
  for (const auto& h : f.hours) t += h.calls;
  return t;
}
}  // namespace

TEST_CASE("forecast: capacity is concurrency times hours over the call duration") {
  CampaignRules c;
  c.zone = find_zone("UTC");
  c.concurrency = 10;
  LegalRules legal;
  legal.everywhere.hours = Hours::every_day({0, 0});  // no legal limit, to see raw capacity
  ForecastInput in{&c, &legal, 1000, {ContactPlace{{c.zone}, "number", ""}}, 0, 360, at("2026-11-23T00:00:00Z")};
  auto f = forecast(in);
  // 10 lines x 10 calls/hour = 100 calls/hour: 1000 calls take 10 hours.
  REQUIRE(f.finish);
  CHECK(*f.finish == at("2026-11-23T10:00:00Z"));
  CHECK(total(f) == Approx(1000));
  CHECK(f.hours.front().calls == Approx(100));
}

TEST_CASE("forecast: windows and the daily cap stretch a campaign over days") {
  CampaignRules c;
  c.zone = find_zone("America/New_York");
  c.concurrency = 100;
  c.window = DailyWindow{9 * 60, 17 * 60};
  c.days = DayRule::of_weekdays({1, 2, 3, 4, 5});
  c.max_calls_per_day = 500;
  LegalRules legal;
  ForecastInput in{&c,
                   &legal,
                   1200,
                   {ContactPlace{{c.zone}, "number", "US-NY"}},
                   0,
                   60,
                   at("2026-11-27T20:00:00Z")};  // Friday 15:00 EST
  auto f = forecast(in);
  REQUIRE(f.finish);
  // Friday: 500 by the cap; Monday: 500; Tuesday: the last 200 in the first hour.
  CHECK(*f.finish > at("2026-12-01T14:00:00Z"));
  CHECK(*f.finish <= at("2026-12-01T16:00:00Z"));
  CHECK(total(f) == Approx(1200));
  for (const auto& h : f.hours) CHECK(h.calls <= 500);
}

TEST_CASE("forecast: a daily cap per from number bounds a day by the cap times the numbers") {
  CampaignRules c;
  c.zone = find_zone("America/New_York");
  c.concurrency = 100;
  c.window = DailyWindow{9 * 60, 17 * 60};
  c.days = DayRule::of_weekdays({1, 2, 3, 4, 5});
  LegalRules legal;
  ForecastInput in{&c,
                   &legal,
                   1200,
                   {ContactPlace{{c.zone}, "number", "US-NY"}},
                   0,
                   60,
                   at("2026-11-27T20:00:00Z")};  // Friday 15:00 EST
  // Two numbers of 250 a day; they placed 100 already today: 400 more on Friday, 500 on Monday, 300 on
  // Tuesday.
  in.numbers_per_day = 500;
  in.numbers_used_today = 100;
  auto f = forecast(in);
  REQUIRE(f.finish);
  CHECK(*f.finish > at("2026-12-01T14:00:00Z"));
  CHECK(*f.finish <= at("2026-12-01T17:00:00Z"));
  CHECK(total(f) == Approx(1200));
  double friday = 0;
  for (const auto& h : f.hours)
    if (h.start < at("2026-11-28T05:00:00Z")) friday += h.calls;
  CHECK(friday == Approx(400));
}

TEST_CASE("forecast: contacts whose legal window never meets the campaign's do not finish") {
  CampaignRules c;
  c.zone = find_zone("America/New_York");
  c.concurrency = 10;
  c.window = DailyWindow{9 * 60, 10 * 60};
  LegalRules legal;
  ForecastInput in{
      &c, &legal, 50, {ContactPlace{{find_zone("Asia/Tokyo")}, "number", "JP"}}, 0, 60, at("2026-11-23T00:00:00Z")};
  auto f = forecast(in);
  CHECK_FALSE(f.finish);
  CHECK(f.remaining_after_horizon == Approx(50));
}

TEST_CASE("forecast: a call counts from when it is due - a callback's not_before or a retry's delay") {
  CampaignRules c;
  c.zone = find_zone("UTC");
  c.concurrency = 10;
  LegalRules legal;
  legal.everywhere.hours = Hours::every_day({0, 0});
  const ContactPlace here{{c.zone}, "number", ""};
  ForecastInput in{&c, &legal, 1000, {here, here}, 0, 360, at("2026-11-23T00:00:00Z")};
  // Half the sample is due now, half asked to be called back at 20:00 (a time in the past counts as now).
  in.sample_due = {at("2026-11-22T00:00:00Z"), at("2026-11-23T20:00:00Z")};
  auto f = forecast(in);
  REQUIRE(f.finish);
  CHECK(*f.finish == at("2026-11-24T01:00:00Z"));  // 500 by 05:00, nothing until 20:00, 500 by 01:00
  CHECK(total(f) == Approx(1000));
  for (const auto& h : f.hours) CHECK((h.start < at("2026-11-23T05:00:00Z") || h.start >= at("2026-11-23T20:00:00Z")));
}

TEST_CASE("forecast: calls of a higher priority go first - all but the fair turn - and each level has its finish") {
  CampaignRules c;
  c.zone = find_zone("UTC");
  c.concurrency = 10;
  LegalRules legal;
  legal.everywhere.hours = Hours::every_day({0, 0});
  const ContactPlace here{{c.zone}, "number", ""};
  ForecastInput in{&c, &legal, 1000, {here, here}, 0, 360, at("2026-11-23T00:00:00Z")};
  in.sample_priority = {0, 9};
  auto f = forecast(in);
  REQUIRE(f.finish);
  CHECK(*f.finish == at("2026-11-23T10:00:00Z"));  // the same 100 calls an hour in all
  REQUIRE(f.levels.size() == 2);
  CHECK(f.levels[0].priority == 9);
  CHECK(f.levels[0].pending == Approx(500));
  // 25 calls a step: 22.5 to priority 9 plus half the fair 2.5 - its 500 by the 22nd step.
  REQUIRE(f.levels[0].finish);
  CHECK(*f.levels[0].finish == at("2026-11-23T05:30:00Z"));
  CHECK(f.levels[1].priority == 0);
  CHECK(f.levels[1].finish == f.finish);
  // Without priorities: one level, finishing with the campaign.
  in.sample_priority.clear();
  auto plain = forecast(in);
  REQUIRE(plain.levels.size() == 1);
  CHECK(plain.levels[0].priority == 0);
  CHECK(plain.levels[0].finish == plain.finish);
}
