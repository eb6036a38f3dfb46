// The pure half of `dialerctl top`: counts, rates, the ETA and the text of a frame.
#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "dialerd/ctl/top.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::ctl {

std::int64_t finished(const domain::CallCounts& c) {
  return c.completed + c.failed + c.skipped;
}

std::int64_t remaining(const domain::CallCounts& c) {
  return c.pending + c.dispatching + c.in_progress;
}

double per_second(std::int64_t calls, std::int64_t window_ms) {
  return window_ms > 0 ? static_cast<double>(calls) * 1000.0 / static_cast<double>(window_ms) : 0.0;
}

void CompletionRate::add(UnixMs at, std::int64_t finished) {
  // Counts never go back and neither should the clock; if either does, start over rather than guess.
  if (!samples_.empty() && (finished < samples_.back().finished || at < samples_.back().at)) samples_.clear();
  if (!samples_.empty() && samples_.back().at == at) samples_.pop_back();
  samples_.push_back({at, finished});
  // Keep the newest sample that is at least a window old, so the rate spans the whole window.
  while (samples_.size() > 2 && samples_[1].at <= at - window_ms_) samples_.pop_front();
}

std::optional<double> CompletionRate::per_second() const {
  if (samples_.size() < 2) return std::nullopt;
  const auto span = samples_.back().at - samples_.front().at;
  if (span <= 0) return std::nullopt;
  return ctl::per_second(samples_.back().finished - samples_.front().finished, span);
}

std::optional<UnixMs> estimate_finish(UnixMs now, std::int64_t remaining, std::optional<double> rate) {
  if (remaining <= 0 || !rate || !(*rate > 0)) return std::nullopt;
  const double seconds = static_cast<double>(remaining) / *rate;
  if (seconds > 1e9) return std::nullopt;  // decades away: as good as unknown, and no overflow
  return now + static_cast<UnixMs>(std::llround(seconds * 1000.0));
}

std::string format_duration(std::int64_t ms) {
  const std::int64_t s = (std::max<std::int64_t>(ms, 0) + 500) / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

namespace {

std::tm utc(UnixMs t) {
  std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

UnixMs utc_day(UnixMs t) {
  return t >= 0 ? t / 86'400'000 : (t - 86'399'999) / 86'400'000;
}

}  // namespace

std::string format_utc(UnixMs t) {
  auto tm = utc(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string format_eta(UnixMs now, std::optional<UnixMs> finish) {
  if (!finish) return "—";
  // The clock time to the nearest second, as the duration is, so that now + duration reads as the time.
  const UnixMs shown = *finish + 500;
  auto tm = utc(shown);
  if (utc_day(shown) == utc_day(now))
    return fmt::format("{} (at {:02}:{:02}:{:02}Z)", format_duration(*finish - now), tm.tm_hour, tm.tm_min, tm.tm_sec);
  return fmt::format("{} (at {:04}-{:02}-{:02} {:02}:{:02}Z)", format_duration(*finish - now), tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::string format_rate(double per_second) {
  return fmt::format("{:.1f}/s", per_second);
}

namespace {

constexpr std::string_view kReset = "\x1b[0m";

struct Segment {
  char plain;
  std::string_view colour;  // an SGR sequence
  std::string_view cell;    // the ansi style's cell
  std::string_view name;
};
// In the bar's order: what is over first, then what is under way, then what waits.
constexpr std::array<Segment, 6> kSegments = {{
    {'#', "\x1b[32m", "█", "completed"},
    {'x', "\x1b[31m", "█", "failed"},
    {'s', "\x1b[33m", "█", "skipped"},
    {'h', "\x1b[35m", "█", "held"},
    {'>', "\x1b[36m", "█", "in flight"},
    {'.', "\x1b[2m", "░", "pending"},
}};

std::array<std::int64_t, 6> segment_counts(const domain::CallCounts& c) {
  return {c.completed, c.failed, c.skipped, c.held, c.in_flight(), c.pending};
}

std::string repeat(std::string_view s, std::int64_t n) {
  std::string out;
  for (std::int64_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

std::string progress_bar(const domain::CallCounts& c, int width, Style style) {
  width = std::max(width, 0);
  auto counts = segment_counts(c);
  std::int64_t total = 0;
  for (auto n : counts) total += std::max<std::int64_t>(n, 0);
  std::array<std::int64_t, 6> cells{};
  if (total == 0) {
    cells.back() = width;  // nothing to show: an empty bar
  } else {
    std::array<std::int64_t, 6> rest{};
    std::int64_t given = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const std::int64_t scaled = std::max<std::int64_t>(counts[i], 0) * width;
      cells[i] = scaled / total;
      rest[i] = scaled % total;
      given += cells[i];
    }
    // Largest remainders get the cells rounding left over; on a tie, the earlier segment.
    for (; given < width; ++given) {
      std::size_t best = 0;
      for (std::size_t i = 1; i < rest.size(); ++i)
        if (rest[i] > rest[best]) best = i;
      ++cells[best];
      rest[best] = -1;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i] == 0) continue;
    if (style == Style::plain)
      out.append(static_cast<std::size_t>(cells[i]), kSegments[i].plain);
    else
      out += std::string(kSegments[i].colour) + repeat(kSegments[i].cell, cells[i]);
  }
  if (style == Style::ansi) out += kReset;
  return out;
}

namespace {

// Length of the ANSI escape sequence at s[i] (ESC [ params final), or 0.
std::size_t escape_length(std::string_view s, std::size_t i) {
  if (s[i] != '\x1b' || i + 1 >= s.size() || s[i + 1] != '[') return 0;
  std::size_t j = i + 2;
  while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
  return j < s.size() ? j + 1 - i : s.size() - i;
}

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (auto n = escape_length(s, i)) {
      i += n;
      continue;
    }
    if (!continuation(s[i])) ++width;
    ++i;
  }
  return width;
}

std::string clip_to_width(std::string_view s, std::size_t width) {
  std::string out;
  std::size_t used = 0;
  bool coloured = false;
  for (std::size_t i = 0; i < s.size();) {
    if (auto n = escape_length(s, i)) {
      out.append(s.substr(i, n));
      coloured = true;
      i += n;
      continue;
    }
    std::size_t n = 1;
    while (i + n < s.size() && continuation(s[i + n])) ++n;
    if (used == width) {
      if (coloured) out += kReset;
      return out;
    }
    out.append(s.substr(i, n));
    ++used;
    i += n;
  }
  return out;
}

namespace {

constexpr std::size_t kNameWidth = 32;
constexpr int kPlainBarWidth = 40;

// A campaign name is whatever the API was given: no control characters reach the terminal.
std::string printable(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (display_width(out) > kNameWidth) out = clip_to_width(out, kNameWidth - 3) + "...";
  return out;
}

std::string pad(std::string s, std::size_t width) {
  if (auto w = display_width(s); w < width) s.append(width - w, ' ');
  return s;
}

std::string colour(std::string_view code, const std::string& text, Style style) {
  return style == Style::ansi ? fmt::format("\x1b[{}m{}{}", code, text, kReset) : text;
}

std::string_view status_colour(const std::string& status) {
  if (status == "running") return "32";
  if (status == "paused") return "33";
  return "36";
}

std::string legend(Style style) {
  std::string out;
  for (const auto& seg : kSegments) {
    if (!out.empty()) out += "  ";
    if (style == Style::plain)
      out += fmt::format("{} {}", seg.plain, seg.name);
    else
      out += fmt::format("{}{}{} {}", seg.colour, seg.cell, kReset, seg.name);
  }
  return out;
}

std::string seconds_text(std::int64_t ms) {
  return fmt::format("{:g}s", static_cast<double>(ms) / 1000.0);
}

}  // namespace

void TopView::update(UnixMs now, std::vector<TopRow> rows) {
  now_ = now;
  std::map<domain::CampaignId, CompletionRate> rates;
  for (const auto& row : rows) {
    auto it = rates_.find(row.id);
    auto& rate = rates.emplace(row.id, it != rates_.end() ? it->second : CompletionRate(rate_window_ms_)).first->second;
    rate.add(now, finished(row.counts));
  }
  rates_ = std::move(rates);  // campaigns that left the view forget their history
  rows_ = std::move(rows);
}

std::optional<double> TopView::completion_rate(const TopRow& row) const {
  if (row.status != "running") return std::nullopt;
  auto it = rates_.find(row.id);
  return it == rates_.end() ? std::nullopt : it->second.per_second();
}

std::optional<UnixMs> TopView::finish(const TopRow& row) const {
  return estimate_finish(now_, remaining(row.counts), completion_rate(row));
}

std::vector<std::string> TopView::render(const RenderOptions& o) const {
  std::vector<std::string> lines;
  if (o.live)
    lines.push_back(colour(
        "1",
        fmt::format("dialerctl top  {}  every {}  (q or Ctrl-C quits)", format_utc(now_), seconds_text(interval_ms_)),
        o.style));
  else
    lines.push_back(
        fmt::format("campaigns at {}; dispatch rate over the last {}", format_utc(now_), seconds_text(interval_ms_)));
  lines.push_back(legend(o.style));
  lines.push_back("");
  if (rows_.empty()) lines.push_back("no running, paused or scheduled campaigns");

  std::size_t id_w = 0, name_w = 0, status_w = 0, count_w = 0;
  for (const auto& r : rows_) {
    id_w = std::max(id_w, std::to_string(r.id).size());
    name_w = std::max(name_w, display_width(printable(r.name)));
    status_w = std::max(status_w, r.status.size());
    count_w = std::max(count_w, fmt::format("{}/{}", finished(r.counts), r.counts.total()).size());
  }
  int bar_w = kPlainBarWidth;
  if (o.columns > 0) {
    // id  name  status  [bar] 100%  done/total
    const auto fixed = static_cast<int>(id_w + 2 + name_w + 2 + status_w + 2 + 2 + 5 + 2 + count_w);
    bar_w = std::clamp(o.columns - fixed, 10, 60);
  }

  std::size_t shown = rows_.size();
  if (o.rows > 0) {
    // Two lines a campaign, under the header, and one line to say how many did not fit.
    const auto room = std::max<int>(o.rows - static_cast<int>(lines.size()), 0);
    if (static_cast<std::size_t>(room) < 2 * rows_.size()) shown = static_cast<std::size_t>(std::max(room - 1, 0) / 2);
  }

  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = rows_[i];
    const auto total = r.counts.total();
    const auto done = finished(r.counts);
    const auto pct = total > 0 ? done * 100 / total : 0;
    lines.push_back(fmt::format("{:>{}}  {}  {}  [{}] {:>3}%  {}/{}", r.id, id_w, pad(printable(r.name), name_w),
                                colour(status_colour(r.status), pad(r.status, status_w), o.style),
                                progress_bar(r.counts, bar_w, o.style), pct, done, total));

    std::string counts =
        fmt::format("completed {}  failed {}  pending {}", r.counts.completed, r.counts.failed, r.counts.pending);
    if (r.counts.skipped > 0) counts += fmt::format("  skipped {}", r.counts.skipped);
    if (r.counts.held > 0) counts += fmt::format("  held {}", r.counts.held);
    std::string when = r.status == "scheduled" && r.trigger_at ? "starts " + format_utc(*r.trigger_at)
                                                               : "eta " + format_eta(now_, finish(r));
    lines.push_back(fmt::format("{}{}  |  dispatch {}  |  in flight {}/{}  |  {}", std::string(id_w + 2, ' '), counts,
                                format_rate(per_second(r.submitted, interval_ms_)), r.counts.in_flight(), r.concurrency,
                                when));
  }
  if (shown < rows_.size())
    lines.push_back(fmt::format("... and {} more campaign(s): a taller terminal shows them", rows_.size() - shown));

  if (o.columns > 0)
    for (auto& line : lines) line = clip_to_width(line, static_cast<std::size_t>(o.columns));
  return lines;
}

nlohmann::json TopView::to_json() const {
  auto out = nlohmann::json::array();
  for (const auto& r : rows_) {
    const auto rate = completion_rate(r);
    const auto at = finish(r);
    out.push_back(
        {{"id", r.id},
         {"name", r.name},
         {"status", r.status},
         {"concurrency", r.concurrency},
         {"in_flight", r.counts.in_flight()},
         {"total", r.counts.total()},
         {"pending", r.counts.pending},
         {"dispatching", r.counts.dispatching},
         {"in_progress", r.counts.in_progress},
         {"completed", r.counts.completed},
         {"failed", r.counts.failed},
         {"skipped", r.counts.skipped},
         {"held", r.counts.held},
         {"dispatch_per_second", per_second(r.submitted, interval_ms_)},
         {"completion_per_second", rate ? nlohmann::json(*rate) : nlohmann::json(nullptr)},
         {"starts_at", r.trigger_at && r.status == "scheduled" ? nlohmann::json(util::format_rfc3339(*r.trigger_at))
                                                               : nlohmann::json(nullptr)},
         {"eta", at ? nlohmann::json(util::format_rfc3339(*at)) : nlohmann::json(nullptr)}});
  }
  return out;
}

}  // namespace dialerd::ctl
