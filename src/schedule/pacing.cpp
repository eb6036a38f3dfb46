#include "dialerd/schedule/pacing.hpp"

#include <algorithm>
#include <limits>

namespace dialerd::schedule {

using domain::UnixMs;

namespace {
constexpr UnixMs kSecondMs = 1000, kMinuteMs = 60000;
}  // namespace

// Starts in (now - period, now]: a call started exactly one period ago has left the window.
std::size_t Pacer::Window::in_window(UnixMs period_ms, UnixMs now) const {
  return static_cast<std::size_t>(starts.end() - std::upper_bound(starts.begin(), starts.end(), now - period_ms));
}

UnixMs Pacer::Window::next_at(int rate, UnixMs period_ms, UnixMs now) const {
  const std::size_t in = in_window(period_ms, now);
  if (in < static_cast<std::size_t>(rate)) return now;
  // One frees when the (in - rate + 1)-th oldest start inside the window leaves it.
  const std::size_t first = starts.size() - in;
  return starts[first + in - static_cast<std::size_t>(rate)] + period_ms;
}

void Pacer::Window::take(int n, UnixMs period_ms, UnixMs now) {
  while (!starts.empty() && starts.front() <= now - period_ms) starts.pop_front();
  starts.insert(starts.end(), static_cast<std::size_t>(std::max(n, 0)), now);
}

int Pacer::room(const PacingLimits& limits, UnixMs now) const {
  long room = std::numeric_limits<int>::max();
  if (limits.per_second)
    room = std::min(room, *limits.per_second - static_cast<long>(second_.in_window(kSecondMs, now)));
  if (limits.per_minute)
    room = std::min(room, *limits.per_minute - static_cast<long>(minute_.in_window(kMinuteMs, now)));
  return static_cast<int>(std::max(room, 0L));
}

void Pacer::take(const PacingLimits& limits, int n, UnixMs now) {
  if (limits.per_second) second_.take(n, kSecondMs, now);
  if (limits.per_minute) minute_.take(n, kMinuteMs, now);
}

UnixMs Pacer::next_at(const PacingLimits& limits, UnixMs now) const {
  UnixMs at = now;
  if (limits.per_second) at = std::max(at, second_.next_at(*limits.per_second, kSecondMs, now));
  if (limits.per_minute) at = std::max(at, minute_.next_at(*limits.per_minute, kMinuteMs, now));
  return at;
}

std::optional<int> workspace_ceiling(const std::map<std::string, int>& ceilings, const std::string& workspace) {
  auto it = ceilings.find(workspace);
  if (it == ceilings.end()) it = ceilings.find("*");
  return it == ceilings.end() ? std::nullopt : std::optional<int>(it->second);
}

std::int64_t workspace_quota(std::int64_t ceiling, std::int64_t campaigns) {
  return campaigns <= 1 ? ceiling : (ceiling + campaigns - 1) / campaigns;
}

std::int64_t workspace_share(std::int64_t room, std::int64_t campaigns) {
  if (room <= 0) return 0;
  return campaigns <= 1 ? room : (room + campaigns - 1) / campaigns;
}

}  // namespace dialerd::schedule
