#include "dialerd/schedule/pacing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dialerd::schedule {

using domain::UnixMs;

namespace {
constexpr UnixMs kSecondMs = 1000, kMinuteMs = 60000;
constexpr double kEpsilon = 1e-9;  // a bucket refilled to 0.9999999999 holds a token
}  // namespace

double Pacer::Bucket::level(int rate, UnixMs period_ms, UnixMs now) const {
  if (!used) return rate;
  const double refill = static_cast<double>(std::max<UnixMs>(now - at, 0)) * rate / static_cast<double>(period_ms);
  return std::min(static_cast<double>(rate), tokens + refill);
}

int Pacer::room(const PacingLimits& limits, UnixMs now) const {
  double room = std::numeric_limits<int>::max();
  if (limits.per_second) room = std::min(room, second_.level(*limits.per_second, kSecondMs, now));
  if (limits.per_minute) room = std::min(room, minute_.level(*limits.per_minute, kMinuteMs, now));
  return static_cast<int>(std::floor(std::max(room, 0.0) + kEpsilon));
}

void Pacer::take(const PacingLimits& limits, int n, UnixMs now) {
  auto take_from = [&](Bucket& b, int rate, UnixMs period) {
    b.tokens = b.level(rate, period, now) - n;
    b.at = now;
    b.used = true;
  };
  if (limits.per_second) take_from(second_, *limits.per_second, kSecondMs);
  if (limits.per_minute) take_from(minute_, *limits.per_minute, kMinuteMs);
}

UnixMs Pacer::next_at(const PacingLimits& limits, UnixMs now) const {
  UnixMs at = now;
  auto when = [&](const Bucket& b, int rate, UnixMs period) {
    const double missing = 1.0 - b.level(rate, period, now);
    if (missing <= kEpsilon) return now;
    return now + static_cast<UnixMs>(std::ceil(missing * static_cast<double>(period) / rate - kEpsilon));
  };
  if (limits.per_second) at = std::max(at, when(second_, *limits.per_second, kSecondMs));
  if (limits.per_minute) at = std::max(at, when(minute_, *limits.per_minute, kMinuteMs));
  return at;
}

}  // namespace dialerd::schedule
