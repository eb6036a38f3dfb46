#include "dialerd/schedule/forecast.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

using domain::UnixMs;

namespace {
constexpr UnixMs kStepMs = 15 * 60 * 1000;
constexpr UnixMs kHourMs = 60 * 60 * 1000;

// Contacts with the same zones and region share their legal windows, and calls of one priority go out
// together: one group each. Its calls join `remaining` as they become due.
struct Group {
  std::vector<Zone> zones;
  std::string region;
  int priority = 0;
  double remaining = 0;                             // due and not yet placed
  std::vector<std::pair<UnixMs, double>> upcoming;  // (due, calls) not yet due, latest first
  void release(UnixMs t) {
    while (!upcoming.empty() && upcoming.back().first <= t) {
      remaining += upcoming.back().second;
      upcoming.pop_back();
    }
  }
};
}  // namespace

Forecast forecast(const ForecastInput& in) {
  Forecast out;
  const CampaignRules& c = *in.campaign;
  const LegalRules& legal = *in.legal;
  if (in.pending <= 0) {
    out.finish = in.now;
    return out;
  }
  // Highest priority first, then by place.
  std::map<std::tuple<int, std::vector<Zone>, std::string>, Group> groups;
  std::map<int, double, std::greater<>> level_left;  // calls of each priority not yet placed
  // Each sampled call stands for pending / sampled calls, due when it is.
  const double weight =
      static_cast<double>(in.pending) / static_cast<double>(std::max<std::size_t>(1, in.sample.size()));
  for (std::size_t i = 0; i < in.sample.size(); ++i) {
    const auto& p = in.sample[i];
    const int priority = i < in.sample_priority.size() ? in.sample_priority[i] : 0;
    auto& g = groups[{-priority, p.zones, p.region}];
    g.zones = p.zones;
    g.region = p.region;
    g.priority = priority;
    g.upcoming.emplace_back(i < in.sample_due.size() ? std::max(in.now, in.sample_due[i]) : in.now, weight);
    level_left[priority] += weight;
  }
  if (groups.empty()) {
    groups[{0, {c.zone}, ""}] = Group{{c.zone}, "", 0, 0, {{in.now, static_cast<double>(in.pending)}}};
    level_left[0] = static_cast<double>(in.pending);
  }
  for (const auto& [priority, n] : level_left) out.levels.push_back({priority, n, std::nullopt});
  for (auto& [k, g] : groups)
    std::sort(g.upcoming.begin(), g.upcoming.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  double per_step = static_cast<double>(c.concurrency) * (kStepMs / 1000.0) / std::max(1, in.call_duration_s);
  // Pacing bounds a step too: calls started per second and per minute.
  if (c.calls_per_second) per_step = std::min(per_step, *c.calls_per_second * (kStepMs / 1000.0));
  if (c.calls_per_minute) per_step = std::min(per_step, *c.calls_per_minute * (kStepMs / 60000.0));
  DailyWindow cwin = c.window.value_or(DailyWindow{0, 0});
  double remaining = static_cast<double>(in.pending);
  std::int32_t day = local_day(c.zone, in.now);
  double used_today = static_cast<double>(in.calls_today);
  double numbers_used = in.numbers_used_today;
  const UnixMs end = in.now + UnixMs{in.horizon_hours} * kHourMs;
  for (UnixMs t = in.now; t < end && remaining > 0.5; t += kStepMs) {
    for (auto& [k, g] : groups) g.release(t);
    if (std::int32_t d = local_day(c.zone, t); d != day) {
      day = d;
      used_today = 0;
      numbers_used = 0;
    }
    if ((c.trigger_at && *c.trigger_at > t) || !inside(c.zone, cwin, c.days, t)) continue;
    double capacity = per_step;
    if (c.max_calls_per_day) capacity = std::min(capacity, std::max(0.0, *c.max_calls_per_day - used_today));
    if (in.numbers_per_day) capacity = std::min(capacity, std::max(0.0, *in.numbers_per_day - numbers_used));
    double open_remaining = 0;
    std::vector<Group*> open;
    for (auto& [k, g] : groups) {
      if (g.remaining <= 0) continue;
      bool ok = !g.zones.empty();  // no zone: skipped, never placed
      for (Zone z : g.zones) ok = ok && inside(z, legal.for_region(g.region).hours, t);
      if (ok) {
        open.push_back(&g);
        open_remaining += g.remaining;
      }
    }
    if (open.empty() || capacity <= 0) continue;
    double calls = std::min(capacity, open_remaining);
    // One call in kPriorityFairEvery is the one due longest: shared out as the calls are. The rest go by
    // priority, highest first (`open` is in that order), shared within a level.
    std::map<int, double> placed;  // by priority
    const bool ranked = open.front()->priority != open.back()->priority;
    const double fair = ranked ? calls / domain::kPriorityFairEvery : calls;
    for (Group* g : open) {
      double n = fair * (g->remaining / open_remaining);
      g->remaining -= n;
      placed[g->priority] += n;
    }
    double left = calls - fair;
    for (std::size_t i = 0; i < open.size() && left > 0;) {
      std::size_t j = i;
      double level = 0;
      for (; j < open.size() && open[j]->priority == open[i]->priority; ++j) level += open[j]->remaining;
      const double take = std::min(left, level);
      for (std::size_t k = i; k < j && level > 0; ++k) {
        double n = take * (open[k]->remaining / level);
        open[k]->remaining -= n;
        placed[open[k]->priority] += n;
      }
      left -= take;
      i = j;
    }
    for (auto& l : out.levels)
      if (auto it = placed.find(l.priority); it != placed.end()) {
        level_left[l.priority] -= it->second;
        if (!l.finish && level_left[l.priority] <= 0.5) l.finish = t + kStepMs;
      }
    remaining -= calls;
    used_today += calls;
    numbers_used += calls;
    UnixMs hour = in.now + (t - in.now) / kHourMs * kHourMs;
    if (out.hours.empty() || out.hours.back().start != hour) out.hours.push_back({hour, 0});
    out.hours.back().calls += calls;
    if (remaining <= 0.5) out.finish = t + kStepMs;
  }
  out.remaining_after_horizon = std::max(0.0, remaining);
  return out;
}

}  // namespace dialerd::schedule
