// dialerctl top's pure parts: the bar, the rates, the ETA and the text of a frame.
#include <catch2/catch.hpp>

#include "dialerd/ctl/top.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::ctl;
using dialerd::domain::CallCounts;

namespace {

UnixMs at(const char* s) {
  return *dialerd::util::parse_rfc3339(s);
}

CallCounts counts(std::int64_t completed, std::int64_t failed, std::int64_t pending, std::int64_t in_progress = 0,
                  std::int64_t skipped = 0, std::int64_t held = 0) {
  CallCounts c;
  c.completed = completed;
  c.failed = failed;
  c.pending = pending;
  c.in_progress = in_progress;
  c.skipped = skipped;
  c.held = held;
  return c;
}

TopRow row(std::int64_t id, std::string name, std::string status, CallCounts c, std::int64_t concurrency = 10,
           std::int64_t submitted = 0) {
  TopRow r;
  r.id = id;
  r.name = std::move(name);
  r.status = std::move(status);
  r.counts = c;
  r.concurrency = concurrency;
  r.submitted = submitted;
  return r;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("top: finished and remaining split the calls and held calls are in neither") {
  auto c = counts(5, 2, 7, 3, 1, 4);
  c.dispatching = 2;
  CHECK(finished(c) == 8);    // completed + failed + skipped
  CHECK(remaining(c) == 12);  // pending + dispatching + in_progress
  CHECK(finished(c) + remaining(c) + c.held == c.total());
}

TEST_CASE("top: the bar's cells are proportional and in order and always fill the width") {
  CHECK(progress_bar(counts(5, 0, 5), 10, Style::plain) == "#####.....");
  CHECK(progress_bar(counts(1, 1, 1, 1, 1, 1), 12, Style::plain) == "##xxsshh>>..");
  CHECK(progress_bar(counts(0, 0, 0), 8, Style::plain) == "........");  // nothing yet: an empty bar
  CHECK(progress_bar(counts(3, 0, 0), 5, Style::plain) == "#####");
  CHECK(progress_bar(counts(1, 0, 0), 0, Style::plain).empty());
  // Thirds of 10 cells: 3.33 each; the one cell left over goes to the first of the tied remainders.
  CHECK(progress_bar(counts(1, 1, 1), 10, Style::plain) == "####xxx...");
  // 1 of 1000 failed is less than half a cell: rounding decides, and the width still adds up.
  for (int width : {1, 7, 10, 33, 40, 60}) {
    for (auto c : {counts(999, 1, 0), counts(1, 2, 3, 4, 5, 6), counts(0, 0, 1), counts(123456, 7, 89, 10)}) {
      CAPTURE(width);
      CHECK(progress_bar(c, width, Style::plain).size() == static_cast<std::size_t>(width));
      CHECK(display_width(progress_bar(c, width, Style::ansi)) == static_cast<std::size_t>(width));
    }
  }
}

TEST_CASE("top: the ansi bar colours each segment and resets at the end") {
  auto bar = progress_bar(counts(2, 1, 1), 4, Style::ansi);
  CHECK(bar == "\x1b[32m██\x1b[31m█\x1b[2m░\x1b[0m");
  CHECK(progress_bar(counts(2, 1, 1), 4, Style::plain).find('\x1b') == std::string::npos);
}

TEST_CASE("top: dispatch rate is calls over the window per second") {
  CHECK(per_second(25, 2000) == Approx(12.5));
  CHECK(per_second(0, 2000) == 0);
  CHECK(per_second(5, 0) == 0);
  CHECK(format_rate(12.5) == "12.5/s");
  CHECK(format_rate(0) == "0.0/s");
  CHECK(format_rate(1.0 / 3) == "0.3/s");
}

TEST_CASE("top: completion rate needs two refreshes and spans at most the window") {
  CompletionRate rate(60'000);
  CHECK_FALSE(rate.per_second());
  rate.add(1'000'000, 100);
  CHECK_FALSE(rate.per_second());  // one snapshot: no rate
  rate.add(1'002'000, 110);
  REQUIRE(rate.per_second());
  CHECK(*rate.per_second() == Approx(5.0));
  rate.add(1'004'000, 110);  // nothing finished in the last 2 s: the rate over 4 s halves
  CHECK(*rate.per_second() == Approx(2.5));

  SECTION("old refreshes leave the window") {
    for (int i = 3; i <= 40; ++i) rate.add(1'000'000 + i * 2000, 110 + (i - 2) * 4);  // 2 calls/s from 1'004'000
    // The oldest sample kept is the newest one at least 60 s old: the rate covers the last 60 s only.
    CHECK(*rate.per_second() == Approx(2.0));
  }
  SECTION("a refresh at the same instant replaces the last one") {
    rate.add(1'004'000, 114);
    CHECK(*rate.per_second() == Approx(3.5));
  }
  SECTION("counts that go back start over") {
    rate.add(1'006'000, 50);
    CHECK_FALSE(rate.per_second());
  }
  SECTION("a clock that goes back starts over") {
    rate.add(999'000, 120);
    CHECK_FALSE(rate.per_second());
  }
}

TEST_CASE("top: the finish is remaining calls over the completion rate") {
  const UnixMs now = at("2026-03-20T12:00:00Z");
  CHECK(estimate_finish(now, 100, 2.0) == now + 50'000);
  CHECK(estimate_finish(now, 1, 3.0) == now + 333);
  CHECK_FALSE(estimate_finish(now, 100, std::nullopt));  // unknown rate
  CHECK_FALSE(estimate_finish(now, 100, 0.0));           // nothing finishing
  CHECK_FALSE(estimate_finish(now, 0, 2.0));             // nothing left
  CHECK_FALSE(estimate_finish(now, 1'000'000, 1e-6));    // decades: as good as unknown
}

TEST_CASE("top: durations and ETAs read at a glance") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(-5000) == "0s");
  CHECK(format_duration(44'600) == "45s");
  CHECK(format_duration(83'000) == "1m23s");
  CHECK(format_duration(2 * 3'600'000 + 5 * 60'000 + 59'000) == "2h05m");
  CHECK(format_duration(3 * 86'400'000LL + 4 * 3'600'000) == "3d04h");

  const UnixMs now = at("2026-03-20T12:00:03Z");
  CHECK(format_eta(now, std::nullopt) == "—");
  CHECK(format_eta(now, now + 83'000) == "1m23s (at 12:01:26Z)");
  CHECK(format_eta(now, at("2026-03-21T01:30:00Z")) == "13h29m (at 2026-03-21 01:30Z)");
  CHECK(format_utc(now) == "2026-03-20 12:00:03Z");
  CHECK(format_utc(at("1969-12-31T23:59:59.500Z")) == "1969-12-31 23:59:59Z");
}

TEST_CASE("top: display width counts code points and skips colour and clipping keeps sequences whole") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("—") == 1);
  CHECK(display_width("\x1b[32m██\x1b[0m x") == 4);
  CHECK(clip_to_width("abcdef", 3) == "abc");
  CHECK(clip_to_width("abc", 10) == "abc");
  CHECK(clip_to_width("é—z", 2) == "é—");
  CHECK(clip_to_width("\x1b[32m███\x1b[0m", 2) == "\x1b[32m██\x1b[0m");
  CHECK(clip_to_width("ab\x1b[1mcd", 2) == "ab\x1b[1m\x1b[0m");
}

TEST_CASE("top: a frame names each campaign with its counts and rate and in-flight against concurrency and ETA") {
  TopView view(2000);
  const UnixMs t0 = at("2026-03-20T12:00:00Z");
  auto spring = row(3, "spring renewals", "running", counts(300, 40, 650, 8, 0, 2), 10, 25);
  auto paused = row(12, "paused one", "paused", counts(0, 0, 5));
  auto later = row(7, "later", "scheduled", counts(0, 0, 20), 4);
  later.trigger_at = at("2026-03-21T09:00:00Z");
  view.update(t0, {spring, later, paused});

  auto first = joined(view.render({}));
  CAPTURE(first);
  CHECK_THAT(first, Catch::Contains("campaigns at 2026-03-20 12:00:00Z; dispatch rate over the last 2s"));
  CHECK_THAT(first, Catch::Contains(" 3  spring renewals  running    ["));
  CHECK_THAT(first, Catch::Contains("]  34%  340/1000"));
  CHECK_THAT(first, Catch::Contains("completed 300  failed 40  pending 650  held 2  |  dispatch 12.5/s  |  "
                                    "in flight 8/10  |  eta —"));  // one snapshot: no completion rate yet
  CHECK_THAT(first, Catch::Contains("in flight 0/4  |  starts 2026-03-21 09:00:00Z"));
  CHECK_THAT(first, Catch::Contains("12  paused one       paused"));
  CHECK_THAT(first, !Catch::Contains("skipped 0"));  // skipped and held only when there are some
  CHECK(first.find('\x1b') == std::string::npos);

  // 20 more calls finished in 2 s: 10 calls/s, and 20 fewer pending. 630 + 8 left: 63.8 s.
  spring.counts = counts(315, 45, 630, 8, 0, 2);
  paused.counts = counts(0, 0, 5);
  view.update(t0 + 2000, {spring, later, paused});
  auto second = joined(view.render({}));
  CAPTURE(second);
  CHECK_THAT(second, Catch::Contains("in flight 8/10  |  eta 1m04s (at 12:01:06Z)"));
  CHECK(view.completion_rate(spring) == Approx(10.0));
  CHECK_FALSE(view.completion_rate(paused));  // a paused campaign is not progressing: no estimate
  CHECK_THAT(second,
             Catch::Contains("12  paused one       paused     [........................................]   0%  0/5\n"
                             "    completed 0  failed 0  pending 5  |  dispatch 0.0/s  |  in flight 0/10  |  eta —"));
}

TEST_CASE("top: a campaign that leaves the view forgets its rate") {
  TopView view(2000);
  auto r = row(1, "a", "running", counts(0, 0, 10));
  view.update(0, {r});
  r.counts = counts(2, 0, 8);
  view.update(2000, {r});
  CHECK(view.completion_rate(r) == Approx(1.0));
  view.update(4000, {});
  view.update(6000, {r});
  CHECK_FALSE(view.completion_rate(r));
}

TEST_CASE("top: an empty frame says so") {
  TopView view(2000);
  view.update(0, {});
  CHECK_THAT(joined(view.render({})), Catch::Contains("no running, paused or scheduled campaigns"));
  CHECK(view.to_json() == nlohmann::json::array());
}

TEST_CASE("top: names are cut and cannot carry control characters to the terminal") {
  TopView view(2000);
  view.update(0,
              {row(1, "evil\x1b[2Jname\nwith a newline and more than thirty-two columns", "running", counts(0, 0, 1))});
  auto text = joined(view.render({}));
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK_THAT(text, Catch::Contains("1  evil [2Jname with a newline a...  running"));
}

TEST_CASE("top: on a terminal the frame fits the width and the height") {
  TopView view(1000);
  std::vector<TopRow> rows;
  for (int i = 1; i <= 10; ++i) rows.push_back(row(i, "campaign " + std::to_string(i), "running", counts(i, 0, 10)));
  view.update(0, rows);

  auto lines = view.render({Style::ansi, 80, 12, true});
  CHECK(lines.size() <= 12);
  for (const auto& l : lines) CHECK(display_width(l) <= 80);
  CHECK_THAT(lines[0], Catch::Contains("every 1s  (q or Ctrl-C quits)"));
  CHECK_THAT(lines.back(), Catch::Contains("and 6 more campaign(s)"));  // (12 - 3 header - 1) / 2 = 4 shown

  // A wide terminal: the bar grows to fill it, up to 60 cells.
  auto wide = view.render({Style::ansi, 200, 0, true});
  CHECK(wide.size() == 3 + 2 * rows.size());
  std::string bar = progress_bar(rows[0].counts, 60, Style::ansi);
  CHECK_THAT(wide[3], Catch::Contains("[" + bar + "]"));
}

TEST_CASE("top: JSON has the same numbers with null for what is unknown") {
  TopView view(2000);
  auto r = row(3, "spring", "running", counts(300, 40, 650, 8), 10, 25);
  view.update(at("2026-03-20T12:00:00Z"), {r});
  auto j = view.to_json();
  REQUIRE(j.size() == 1);
  CHECK(j[0]["id"] == 3);
  CHECK(j[0]["name"] == "spring");
  CHECK(j[0]["in_flight"] == 8);
  CHECK(j[0]["concurrency"] == 10);
  CHECK(j[0]["completed"] == 300);
  CHECK(j[0]["total"] == 998);
  CHECK(j[0]["dispatch_per_second"] == 12.5);
  CHECK(j[0]["eta"].is_null());
  CHECK(j[0]["completion_per_second"].is_null());
  r.counts = counts(320, 40, 630, 8);
  view.update(at("2026-03-20T12:00:02Z"), {r});
  CHECK(view.to_json()[0]["eta"] == "2026-03-20T12:01:05.800Z");  // 638 calls at 10 calls/s
}
