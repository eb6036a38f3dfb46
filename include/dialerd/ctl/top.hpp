#pragma once
// `dialerctl top`: a live view of the campaigns that can still place calls. What it shows is a pure
// function of what each refresh read and when, so the bar, the rates, the ETA and the text are tested
// without a terminal or a database. run_top (src/ctl/top_run.cpp) reads the database and drives the
// terminal.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/store/reports.hpp"

namespace dialerd::ctl {

using domain::UnixMs;

// One running, paused or scheduled campaign as one refresh read it (`submitted`: in the last interval).
using TopRow = store::CampaignActivity;

// Calls that are over for good: completed, failed, skipped. The count only grows.
std::int64_t finished(const domain::CallCounts& c);
// Calls still to be placed or answered: pending, dispatching, in_progress. Held calls wait for an
// operator, not for time, so they are left out.
std::int64_t remaining(const domain::CallCounts& c);

// `calls` over `window_ms`, per second; 0 for an empty window.
double per_second(std::int64_t calls, std::int64_t window_ms);

// How fast a campaign finishes calls lately: the finished count's growth between the oldest and the
// newest of the refreshes in a trailing window. Unknown until two refreshes span some time, so a single
// snapshot (`--once`) has no rate.
class CompletionRate {
 public:
  explicit CompletionRate(std::int64_t window_ms = 60'000) : window_ms_(window_ms) {}
  void add(UnixMs at, std::int64_t finished);
  std::optional<double> per_second() const;

 private:
  struct Sample {
    UnixMs at;
    std::int64_t finished;
  };
  std::int64_t window_ms_;
  std::deque<Sample> samples_;
};

// now + remaining / rate; nothing when nothing remains or the rate is unknown or zero.
std::optional<UnixMs> estimate_finish(UnixMs now, std::int64_t remaining, std::optional<double> rate);

// "45s", "1m23s", "2h05m", "3d04h"; negative durations count as 0.
std::string format_duration(std::int64_t ms);
// "1m23s (at 12:01:26Z)", with the date when the finish is on another UTC day; "—" when unknown.
std::string format_eta(UnixMs now, std::optional<UnixMs> finish);
// "12.5/s"
std::string format_rate(double per_second);
// "2026-03-20 12:00:03Z"
std::string format_utc(UnixMs t);

enum class Style { plain, ansi };

// `width` cells: completed, failed, skipped, held, in flight, pending, in that order, each in proportion
// to its count (largest remainders, so the cells always add up to `width`). Plain: # x s h > . ;
// ansi: coloured blocks.
std::string progress_bar(const domain::CallCounts& c, int width, Style style);

// Columns a UTF-8 string takes (one per code point), not counting ANSI colour sequences.
std::size_t display_width(std::string_view s);
// `s` cut to `width` columns, colour sequences kept whole and reset when the cut falls after one.
std::string clip_to_width(std::string_view s, std::size_t width);

struct RenderOptions {
  Style style = Style::plain;
  int columns = 0;    // terminal width; 0 = not a terminal (a fixed-width bar, no clipping)
  int rows = 0;       // terminal height; 0 = every campaign
  bool live = false;  // the header says how to quit
};

// The state of the screen: update() with each refresh's rows, render() the frame.
class TopView {
 public:
  explicit TopView(std::int64_t interval_ms, std::int64_t rate_window_ms = 60'000)
      : interval_ms_(interval_ms), rate_window_ms_(rate_window_ms) {}
  void update(UnixMs now, std::vector<TopRow> rows);
  // The frame's lines, without line ends.
  std::vector<std::string> render(const RenderOptions& options) const;
  // The same numbers as JSON objects, one per campaign (eta is null when unknown).
  nlohmann::json to_json() const;

  // The recent completion rate of a running campaign; unknown for others.
  std::optional<double> completion_rate(const TopRow& row) const;
  std::optional<UnixMs> finish(const TopRow& row) const;

 private:
  std::int64_t interval_ms_;
  std::int64_t rate_window_ms_;
  UnixMs now_ = 0;
  std::vector<TopRow> rows_;
  std::map<domain::CampaignId, CompletionRate> rates_;
};

struct TopOptions {
  std::int64_t interval_ms = 2000;
  bool once = false;  // print one plain snapshot even on a terminal
  bool json = false;  // print one JSON snapshot
};

// Reads the running, paused and scheduled campaigns with their calls submitted in the last
// `interval_ms` before `now`.
std::vector<TopRow> read_top_rows(store::Reports& reports, UnixMs now, std::int64_t interval_ms);

// On a terminal (and without once/json): redraws every interval until SIGINT, SIGTERM or q. Otherwise
// prints one snapshot. Returns the exit status.
int run_top(store::Reports& reports, const TopOptions& options);

}  // namespace dialerd::ctl
